// The demo page's entry point: load the right engine bundle, start an engine on the canvas, build the
// starter scene, and run the animation loop.
//
// Why this exists: it is the one place that wires the pieces together (engine-loader, scene, panel,
// controls, overlay, screenshot, call-counter) and owns the two timing rules of the page:
//   - the canvas follows its CSS size × devicePixelRatio (ResizeObserver; the engine sets the drawing
//     buffer, which never changes the CSS size, so resizing cannot feed back into itself);
//   - the rAF loop makes exactly one engine call per frame, `render_frame(dt)`. Everything else happens
//     in event handlers and timers.
// `main()` is a list of steps (`install*`/`start*`), each returning the disposer that removes what it
// registered (observers, listeners, timers, connections). `window.demo.stop()`, the page's one teardown
// path, runs them last-first and frees the engine last, after everything that called it on its own.
// URL parameters: ?backend=auto|webgpu|webgl2, ?msaa=1 (one sample per pixel), ?present=0 (offscreen only, for headless browsers whose
// WebGPU canvas is broken; see README), ?debug=calls (count engine calls per frame), ?room=&relay= (join a
// room: WebSocket relay and BroadcastChannel between tabs; ?guard=0 skips rehearsing peer updates;
// collab/page.js also reads ?server=hocuspocus&token=, ?name=, ?color=), ?persist=0 (no IndexedDB) or
// ?persist=reset (forget the saved scene first).
// Globals for the end-to-end tests and the console: window.engine, wasm, scene, callStats, collab, demo.

import { loadEngine } from './engine-loader.js';
import { instrumentEngineCalls } from './call-counter.js';
import { buildStarterScene } from './scene.js';
import { createPanel } from './panel.js';
import { attachControls } from './controls.js';
import { startOverlay } from './overlay.js';
import { installModelImport } from './model-import.js';
import { installOutliner } from './outliner.js';
import { downloadScreenshot } from './screenshot.js';
import { requestedRoom, startCollab } from './collab/page.js';
import { createSyncHub, syncMessage } from './collab/hub.js';
import { connectBroadcast } from './collab/broadcast.js';
import { createGuard } from './collab/guard.js';
import { clearDocument, openPersistence } from './collab/indexeddb.js';
import { exportScene, importSceneFile } from './collab/file.js';

/** The IndexedDB document of the page outside any room; in a room the document is named after the room. */
const LOCAL_DOC_NAME = 'app-scene';
/** The sync `update` message type (y-protocols), for changes that are not local edits (an import). */
const SYNC_UPDATE = 2;

const params = new URLSearchParams(location.search);
const canvas = document.getElementById('view');

/** Replaces the page with a friendly explanation; `details` is the technical reason. */
function showStartupError(title, lines, details) {
  const box = document.getElementById('error');
  const card = document.createElement('div');
  card.className = 'card';
  const h = document.createElement('h2');
  h.textContent = title;
  card.append(h);
  for (const line of lines) {
    const p = document.createElement('p');
    p.textContent = line;
    card.append(p);
  }
  if (details) {
    const more = document.createElement('details');
    const summary = document.createElement('summary');
    summary.textContent = 'Technical details';
    const code = document.createElement('code');
    code.textContent = details;
    more.append(summary, code);
    card.append(more);
  }
  box.replaceChildren(card);
  box.hidden = false;
  document.getElementById('panel').hidden = true;
  document.getElementById('overlay').hidden = true;
  document.getElementById('hint').hidden = true;
  document.body.dataset.ready = 'error';
}

async function main() {
  const backend = params.get('backend') ?? 'auto';
  const loaded = await loadBundle(backend);
  if (!loaded) return;
  const calls = params.get('debug') === 'calls' ? instrumentEngineCalls(loaded.Engine) : null;
  const engine = await createEngine(loaded.Engine, backend);
  if (!engine) return;

  // Run last-first by stop(): the engine is freed after everything that could still call it is gone.
  const disposers = [() => engine.free()];
  disposers.push(installCanvasSizing(canvas, engine));
  const room = requestedRoom(params);
  // The saved scene comes first, so the room's sync (and the starter-scene decision) start from it.
  const persistence = await startPersistence(engine, room ?? LOCAL_DOC_NAME);
  disposers.push(() => persistence?.close());
  const scene = startingScene(engine, { inRoom: room !== null, restored: persistence?.restored });
  // `?role=viewer`: look, don't touch, from here on (a Hocuspocus viewer token does the same when the
  // server grants a read-only scope). Outside a room the starter scene above is still shown.
  if (params.get('role') === 'viewer') {
    engine.set_read_only(true);
    document.body.classList.add('read-only');
  }
  const shared = await startRoom(engine, room, { bundleUrl: loaded.url, persistence });
  disposers.push(shared.dispose);
  const panel = installPanel(engine, scene, {
    hub: shared.hub, persistence, guarded: guardedImports(engine, shared.guard, loaded.url),
  });
  const outliner = installOutliner(engine, document.getElementById('outliner'), {
    onSelect: (id) => { panel.select(id); outliner.refresh(); },
  });
  disposers.push(outliner.dispose);
  disposers.push(watchChanges(engine, panel, outliner));
  disposers.push(attachControls(engine, canvas, {
    select: false, onSelect: (id) => { panel.select(id); outliner.refresh(); },
  }));
  disposers.push(installModelImport(engine, {
    button: document.getElementById('import-model'),
    input: document.getElementById('import-input'),
    progress: document.getElementById('import-progress'),
    status: document.getElementById('import-status'),
    onImported: ({ roots }) => { panel.select(roots[0]); outliner.refresh(); },
  }));
  const loop = startFrameLoop(engine, calls);
  disposers.push(loop.dispose);
  disposers.push(startOverlay({
    element: document.getElementById('stats'),
    engine,
    frameCount: () => loop.frames,
    bundle: loaded.bundle,
    callStats: calls?.stats,
  }));
  installGlobals({ ...loaded, engine, scene, panel, calls, persistence, shared, loop, disposers });
}

/** Loads the engine bundle for `backend`; on failure shows why and resolves to null. */
async function loadBundle(backend) {
  try {
    return await loadEngine(backend);
  } catch (error) {
    console.error(error);
    showStartupError('The engine could not be loaded', [
      'The WebAssembly files of the engine did not load. If you are running this from a checkout, build them first with `bash scripts/build-web.sh` (or run `bash scripts/demo.sh`).',
    ], String(error?.message ?? error));
    return null;
  }
}

/** Starts an engine on the page's canvas; on failure shows why and resolves to null. */
async function createEngine(Engine, backend) {
  try {
    return await Engine.create(canvas, { backend, present: params.get('present') !== '0', msaa_samples: params.get('msaa') === '1' ? 1 : 4 });
  } catch (error) {
    // Not console.error: a browser without WebGPU and WebGL2 is an expected situation, not a page bug.
    console.warn('Engine.create failed:', error);
    showStartupError('Your browser cannot show this 3D scene', [
      'This page draws with WebGPU, or with WebGL2 where WebGPU is missing, and neither is available here.',
      'Turning on hardware acceleration usually fixes it (in Chrome: Settings → System → “Use graphics acceleration when available”, then restart the browser). Otherwise, try a current version of Chrome, Edge, Firefox or Safari.',
    ], String(error?.message ?? error));
    return null;
  }
}

/** Keeps the drawing buffer at CSS size × devicePixelRatio, followed as either changes. Returns its disposer. */
function installCanvasSizing(canvas, engine) {
  let cssSize = { width: canvas.clientWidth, height: canvas.clientHeight };
  const resize = () => engine.resize(cssSize.width, cssSize.height, window.devicePixelRatio);
  const resizeObserver = new ResizeObserver(([entry]) => {
    cssSize = { width: entry.contentRect.width, height: entry.contentRect.height };
    resize();
  });
  resizeObserver.observe(canvas);
  // A devicePixelRatio change (browser zoom, moving to another screen) does not resize the CSS box, and a
  // resolution query matches one ratio only: after each change, watch the new ratio instead.
  let dprQuery = null;
  const watchDpr = () => {
    dprQuery?.removeEventListener('change', onDprChange);
    dprQuery = matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`);
    dprQuery.addEventListener('change', onDprChange);
  };
  function onDprChange() { resize(); watchDpr(); }
  watchDpr();
  resize();
  return () => {
    resizeObserver.disconnect();
    dprQuery?.removeEventListener('change', onDprChange);
  };
}

/**
 * Opens the IndexedDB store `name` (y-indexeddb's layout) unless `?persist=0`; `?persist=reset` deletes
 * it first. A browser without IndexedDB (or one refusing it, as some private modes do) still gets a
 * working page, without saving: resolves to null then.
 */
async function startPersistence(engine, name) {
  const mode = params.get('persist');
  if (mode === '0' || !globalThis.indexedDB) return null;
  try {
    if (mode === 'reset') await clearDocument(name);
    return await openPersistence(engine, { name });
  } catch (error) {
    console.warn(`the scene will not be saved in this browser: ${error?.message ?? error}`);
    return null;
  }
}

/**
 * The starter scene, or an empty one: in a shared room the scene comes from the room (a starter scene per
 * visitor would pile up copies), and a restored scene is the user's (nothing may be added on top of it).
 */
function startingScene(engine, { inRoom, restored }) {
  return inRoom || restored ? { ground: null, spheres: [], boxes: [], byName: {} } : buildStarterScene(engine);
}

/**
 * Starts an update guard: a second instance of the same wasm module that rehearses untrusted updates for
 * `target`, so an update that makes yrs panic traps that instance, not this engine. "diff" rehearsal keeps
 * a peer's drag cheap in big scenes (apply-time panics, the kind found, are caught either way). Resolves to
 * null when it cannot start: the engine's own checks still apply.
 */
function startGuard(target, bundleUrl) {
  return createGuard(target, { bundleUrl, rehearsal: 'diff' })
    .catch((error) => { console.warn('update guard unavailable:', error); return null; });
}

/**
 * Joins `room` (null: no room) with one engine and two transports (as y-websocket's provider): the relay,
 * and other tabs of this browser over BroadcastChannel, which works with no relay at all. Peers are
 * untrusted: their messages pass the guard unless `?guard=0`. Updates from peers are saved too.
 * Resolves to `{ hub, guard, collab, tabs, received(), dispose }` (all null outside a room).
 */
async function startRoom(engine, room, { bundleUrl, persistence }) {
  if (room === null) {
    return { hub: null, guard: null, collab: null, tabs: null, received: () => 0, dispose: () => {} };
  }
  const hub = createSyncHub(engine);
  const guard = params.get('guard') !== '0' ? await startGuard(hub.transport(), bundleUrl) : null;
  const collab = startCollab(hub.transport(), params, { guard });
  const relay = params.get('relay') ?? `ws://${location.hostname || '127.0.0.1'}:1234`; // page.js's default
  const tabs = connectBroadcast(hub.transport(), { url: relay, room, guard });
  if (persistence) hub.onRemoteUpdate((update) => persistence.storeUpdate(update));
  return {
    hub, guard, collab, tabs,
    /** Sync frames that arrived from the room so far (JS counters: reading them costs no engine call). */
    received: () => (collab.stats.framesReceived ?? 0) + (tabs.stats.received ?? 0),
    dispose: () => { collab.close(); tabs.close(); hub.close(); },
  };
}

/**
 * A scene file is untrusted too: returns `async () => engine` whose `apply_update_v2` goes through a guard,
 * the room's if there is one, else one started on the first import (the bare engine if none can start).
 */
function guardedImports(engine, roomGuard, bundleUrl) {
  let importGuard = roomGuard;
  return async () => {
    importGuard ??= await startGuard(engine, bundleUrl);
    if (!importGuard) return engine;
    const g = importGuard;
    return new Proxy(engine, {
      get: (target, key) => (key === 'apply_update_v2' ? (bytes) => g.applyUpdateV2(bytes)
        : typeof target[key] === 'function' ? target[key].bind(target) : target[key]),
    });
  };
}

/**
 * The editor panel with its screenshot, export and import actions, framed on the scene. panel.js keeps its
 * listeners on its own elements for the page's lifetime, so this step has nothing to dispose.
 */
function installPanel(engine, scene, { hub, persistence, guarded }) {
  const panel = createPanel({
    engine,
    preferredSpheres: scene.spheres,
    onScreenshot: () => downloadScreenshot(engine).catch((error) => {
      panel.showMessage(`Screenshot failed: ${error?.message ?? error}`, { error: true });
    }),
    onExport: () => {
      try {
        const bytes = exportScene(engine);
        panel.showMessage(`Exported the scene (${bytes} bytes).`);
      } catch (error) {
        panel.showMessage(`Export failed: ${error?.message ?? error}`, { error: true });
      }
    },
    onImport: async (file) => {
      try {
        const { before, after } = await importSceneFile(await guarded(), file);
        // An import is not a local edit (the engine applies it as a remote update, not undoable), so
        // no transport or store hears of it by itself: send and save the whole document once.
        hub?.publish(syncMessage(SYNC_UPDATE, engine.encode_state()));
        persistence?.storeState().catch((error) => console.warn('saving the imported scene failed:', error));
        panel.refresh();
        panel.frameAll();
        panel.showMessage(`Imported ${file.name}: ${after - before} new node${after - before === 1 ? '' : 's'}.`);
      } catch (error) {
        panel.showMessage(error?.message ?? String(error), { error: true });
      }
    },
  });
  panel.frameAll();
  return panel;
}

/**
 * Keeps the panel in step with the document: `engine.on_change` reports, once per frame, the nodes a
 * frame added, changed or removed (local edits, undo, peers); the panel re-reads then, with no polling.
 * In a room, the first frame that brings nodes also frames them. Returns the disposer.
 */
function watchChanges(engine, panel, outliner) {
  let framed = engine.node_ids().length > 0; // a saved scene was framed by installPanel
  engine.on_change(() => {
    panel.refresh();
    outliner.refresh();
    if (!framed && engine.node_ids().length > 0) {
      framed = true;
      panel.frameAll();
    }
  });
  return () => engine.on_change(null);
}

/**
 * The loop: one engine call per frame (counted when `calls` is set). An engine error stops it and replaces
 * the page with an explanation. Returns `{ frames, dispose }`; the first frame sets body[data-ready].
 */
function startFrameLoop(engine, calls) {
  const frame = calls ? calls.frame : (body) => body();
  let frames = 0;
  let running = true;
  let rafId = 0;
  let lastTime = null;
  function tick(now) {
    if (!running) return;
    // rAF timestamps can precede a time read earlier; a long pause (hidden tab) must not jump the camera.
    const dt = lastTime === null ? 0 : Math.min(0.25, Math.max(0, (now - lastTime) / 1000));
    lastTime = now;
    try {
      frame(() => engine.render_frame(dt));
    } catch (error) {
      running = false;
      console.error(error);
      showStartupError('The 3D view stopped', [
        'The engine hit an internal error and stopped. Reloading the page starts it again.',
      ], String(error?.message ?? error));
      return;
    }
    frames++;
    if (frames === 1) document.body.dataset.ready = 'true';
    rafId = requestAnimationFrame(tick);
  }
  rafId = requestAnimationFrame(tick);
  return {
    get frames() { return frames; },
    dispose: () => { running = false; cancelAnimationFrame(rafId); },
  };
}

/** Runs `disposers` last-first; one that throws is reported and the rest still run. */
function disposeAll(disposers) {
  for (const dispose of disposers.splice(0).reverse()) {
    try {
      dispose();
    } catch (error) {
      console.error('dispose failed:', error);
    }
  }
}

/** For the end-to-end tests and the browser console; `demo.stop()` is the page's teardown. */
function installGlobals({ Engine, bundle, wasm, engine, scene, panel, calls, persistence, shared, loop, disposers }) {
  const { collab, tabs, hub, guard } = shared;
  let stopped = false;
  window.engine = engine;
  window.wasm = wasm;
  window.scene = scene;
  window.callStats = calls?.stats;
  window.collab = collab;
  window.demo = {
    engine, Engine, wasm, bundle, scene, panel, collab, tabs, persistence, hub, guard,
    get frames() { return loop.frames; },
    /** Stops the loop, timers and input, and frees the engine (tests use it to start from zero engines). */
    stop() {
      if (stopped) return;
      stopped = true;
      disposeAll(disposers);
      window.engine = null;
      document.body.dataset.ready = 'stopped';
    },
  };
}

main().catch((error) => {
  console.error(error);
  showStartupError('The demo could not start', ['Something unexpected went wrong while starting the page.'],
    String(error?.stack ?? error));
});
