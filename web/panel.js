// The editing panel: add and delete nodes, edit the selection, switch the AOV, undo and redo.
//
// Why this exists: the engine's scene calls (`add_*`, `set_*`, `remove_node`, `undo`, `redo`) are all
// document edits; this module is the one place that turns form controls and keyboard shortcuts into
// those calls and shows the edited node's current values (read back with `get_node`, so undo, redo and
// remote edits are reflected exactly). What it edits: the selection, or — when nothing is selected —
// the first sphere, so the radius slider does something from the first second. Every engine call here
// runs in an event handler; the animation loop never touches the panel.

import { hexToLinear, linearToHex } from './color.js';
import { addNode } from './scene.js';

const $ = (id) => document.getElementById(id);
const fmt = (x) => Number(x).toFixed(2);
const kindLabel = { sphere: 'Sphere', box: 'Box', plane: 'Plane', mesh: 'Mesh', group: 'Group' };

/**
 * Wires the panel in index.html to `engine`. `preferredSpheres` are ids to edit when nothing is
 * selected (the first that still exists wins, else the first sphere in the document).
 * `onScreenshot()` is called by the screenshot button, `onExport()` by Export and `onImport(file)` with
 * the file chosen after Import (the scene-file logic lives in collab/file.js; main.js connects them).
 * Returns `{ refresh, select, showMessage, frameAll }`.
 */
export function createPanel({ engine, preferredSpheres = [], onScreenshot, onExport, onImport }) {
  /** What the controls edit now: { id, kind, selected } or null when the scene has nothing to edit. */
  let target = null;
  let messageTimer = 0;

  const sliders = {
    pos: ['pos-x', 'pos-y', 'pos-z'].map($),
    radius: $('radius'),
    ext: ['ext-x', 'ext-y', 'ext-z'].map($),
    planeSize: $('plane-size'),
    metallic: $('metallic'),
    roughness: $('roughness'),
  };
  const color = $('color');

  function showMessage(text, { error = false } = {}) {
    const box = $('message');
    box.textContent = text;
    box.classList.toggle('error', error);
    clearTimeout(messageTimer);
    if (text) messageTimer = setTimeout(() => { box.textContent = ''; }, error ? 6000 : 2500);
  }

  /** Runs an engine edit from an event handler; shows a validation error instead of throwing. */
  function edit(action) {
    try {
      action();
    } catch (error) {
      showMessage(error?.message ?? String(error), { error: true });
    }
    updateHistoryButtons();
  }

  function updateOutput(input) {
    const out = $(`${input.id}-value`);
    if (out) out.textContent = input.type === 'color' ? input.value : fmt(input.value);
  }

  function updateHistoryButtons() {
    $('undo').disabled = !engine.can_undo();
    $('redo').disabled = !engine.can_redo();
  }

  function findTarget() {
    const ids = engine.node_ids();
    let selected = engine.selected();
    if (selected !== undefined && !ids.includes(selected)) {
      engine.select(undefined); // the selected node was removed (undo, delete, a remote edit)
      selected = undefined;
    }
    if (selected !== undefined) return { id: selected, selected: true };
    const preferred = preferredSpheres.find((id) => ids.includes(id));
    if (preferred !== undefined) return { id: preferred, selected: false };
    const sphere = ids.find((id) => engine.get_node(id).kind === 'sphere');
    return sphere === undefined ? null : { id: sphere, selected: false };
  }

  /** Re-reads the edited node from the engine and shows its values. Call after anything that may change it. */
  function refresh() {
    target = findTarget();
    const fields = $('selection');
    fields.classList.toggle('empty', !target);
    $('delete').disabled = !target?.selected;
    updateHistoryButtons();
    if (!target) {
      $('sel-kind').textContent = 'Nothing to edit';
      $('sel-id').textContent = '';
      $('sel-note').textContent = 'Add a sphere, box or plane above.';
      for (const el of fields.querySelectorAll('input')) el.disabled = true;
      return;
    }
    for (const el of fields.querySelectorAll('input')) el.disabled = false;
    const node = engine.get_node(target.id);
    target.kind = node.kind;
    $('sel-kind').textContent = kindLabel[node.kind] ?? node.kind;
    $('sel-id').textContent = node.id;
    $('sel-note').textContent = target.selected
      ? 'selected · Esc to deselect'
      : 'first sphere · click an object to select it';
    $('sphere-fields').hidden = node.kind !== 'sphere';
    $('box-fields').hidden = node.kind !== 'box';
    $('plane-fields').hidden = node.kind !== 'plane';

    node.position.forEach((v, i) => { sliders.pos[i].value = v; });
    if (node.kind === 'sphere') sliders.radius.value = node.radius;
    if (node.kind === 'box') node.extents.forEach((v, i) => { sliders.ext[i].value = v; });
    if (node.kind === 'plane') sliders.planeSize.value = node.size;
    color.value = linearToHex(node.color);
    sliders.metallic.value = node.metallic;
    sliders.roughness.value = node.roughness;
    for (const input of fields.querySelectorAll('input')) updateOutput(input);
  }

  /** Selects `id` (or nothing) and shows it in the panel. */
  function select(id) {
    edit(() => engine.select(id));
    refresh();
  }

  // --- field edits (each an undoable document edit; a drag within 500 ms is one undo step) ---
  const onField = (input, apply) => input.addEventListener('input', () => {
    updateOutput(input);
    if (target) edit(() => apply(target.id));
  });
  for (const input of sliders.pos) {
    // Moving a node by hand: peers see it as ours (awareness `dragging`) until the slider is let go.
    onField(input, (id) => {
      engine.set_dragging(id);
      engine.set_position(id, ...sliders.pos.map((s) => Number(s.value)));
    });
    input.addEventListener('change', () => edit(() => engine.set_dragging(undefined)));
  }
  onField(sliders.radius, (id) => engine.set_sphere_radius(id, Number(sliders.radius.value)));
  for (const input of sliders.ext) {
    onField(input, (id) => engine.set_box_extents(id, ...sliders.ext.map((s) => Number(s.value))));
  }
  onField(sliders.planeSize, (id) => engine.set_plane_size(id, Number(sliders.planeSize.value)));
  onField(color, (id) => engine.set_color(id, ...hexToLinear(color.value)));
  const setMaterial = (id) => engine.set_material(id, Number(sliders.metallic.value), Number(sliders.roughness.value));
  onField(sliders.metallic, setMaterial);
  onField(sliders.roughness, setMaterial);

  // --- actions ---
  const actions = {
    add(kind) {
      let id;
      edit(() => { id = addNode(engine, kind); });
      if (id !== undefined) select(id);
    },
    remove() {
      if (!target?.selected) return;
      const { id } = target;
      edit(() => engine.remove_node(id));
      select(undefined);
      showMessage('Deleted. Ctrl+Z brings it back.');
    },
    undo() {
      let done = false;
      edit(() => { done = engine.undo(); });
      refresh();
      if (!done) showMessage('Nothing to undo.');
    },
    redo() {
      let done = false;
      edit(() => { done = engine.redo(); });
      refresh();
      if (!done) showMessage('Nothing to redo.');
    },
    frameAll: () => edit(() => frameVisible(engine)),
    deselect: () => select(undefined),
  };

  $('add-sphere').addEventListener('click', () => actions.add('sphere'));
  $('add-box').addEventListener('click', () => actions.add('box'));
  $('add-plane').addEventListener('click', () => actions.add('plane'));
  $('delete').addEventListener('click', actions.remove);
  $('undo').addEventListener('click', actions.undo);
  $('redo').addEventListener('click', actions.redo);
  $('frame-all').addEventListener('click', actions.frameAll);
  $('screenshot').addEventListener('click', () => onScreenshot?.());
  addFileButtons({ onExport, onImport });
  $('aov').addEventListener('change', (event) => edit(() => engine.set_aov_mode(event.target.value)));

  const toggle = $('panel-toggle');
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    toggle.title = open ? 'Hide the panel' : 'Show the panel';
    $('panel').classList.toggle('collapsed', !open);
  });
  // Small screens start with the panel folded so the scene is visible first.
  if (matchMedia('(max-width: 520px)').matches) toggle.click();

  attachShortcuts(actions);
  refresh();
  return { refresh, select, showMessage, frameAll: actions.frameAll };
}

/**
 * Export and Import buttons beside Screenshot, made here so index.html stays the same for pages
 * without them. Import opens a file chooser; the chosen file goes to `onImport(file)`, and the input is
 * reset so choosing the same file again imports it again.
 */
function addFileButtons({ onExport, onImport }) {
  const row = $('screenshot').parentElement;
  const button = (id, text, title) => {
    const b = document.createElement('button');
    b.id = id;
    b.type = 'button';
    b.textContent = text;
    b.title = title;
    row.append(b);
    return b;
  };
  const exportButton = button('export-scene', 'Export', 'Download the scene as a file (scene.ysc, a Yjs v2 update)');
  const importButton = button('import-scene', 'Import…', 'Merge a scene file (.ysc) into this scene');
  const input = document.createElement('input');
  input.id = 'import-file';
  input.type = 'file';
  input.accept = '.ysc,application/octet-stream';
  input.hidden = true;
  row.append(input);
  exportButton.disabled = !onExport;
  importButton.disabled = !onImport;
  exportButton.addEventListener('click', () => onExport?.());
  importButton.addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    input.value = '';
    if (file) onImport?.(file);
  });
}

/**
 * Frames every node, then pans so the scene sits in the middle of the part of the canvas the open
 * panel does not cover (on wide screens the panel floats over the right side of the canvas).
 */
export function frameVisible(engine) {
  engine.frame_all();
  const panel = $('panel');
  if (panel.hidden || panel.classList.contains('collapsed') || matchMedia('(max-width: 520px)').matches) return;
  const covered = window.innerWidth - panel.getBoundingClientRect().left;
  if (covered > 0 && covered < window.innerWidth / 2) engine.on_mouse_drag(-covered / 2, 0, 2);
}

/** Ctrl/⌘+Z undo, Ctrl/⌘+Shift+Z and Ctrl+Y redo, Delete/Backspace delete, Esc deselect, F frame all. */
function attachShortcuts(actions) {
  window.addEventListener('keydown', (event) => {
    const typing = event.target instanceof HTMLElement &&
      (event.target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(event.target.tagName) &&
        !['range', 'color', 'button'].includes(event.target.type));
    const mod = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    if (mod && key === 'z') {
      event.preventDefault();
      if (event.shiftKey) actions.redo(); else actions.undo();
    } else if (mod && key === 'y') {
      event.preventDefault();
      actions.redo();
    } else if (typing || mod || event.altKey) {
      // leave other keys to the focused control
    } else if (key === 'delete' || key === 'backspace') {
      event.preventDefault();
      actions.remove();
    } else if (key === 'escape') {
      actions.deselect();
    } else if (key === 'f') {
      actions.frameAll();
    }
  });
}
