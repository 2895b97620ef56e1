// The demo page's entry point: load the right engine bundle, start an engine on the canvas, build the
// starter scene, and run the animation loop.
//
// Why this exists: it is the one place that wires the pieces together (engine-loader, scene, panel,
// input, overlay, screenshot, call-counter) and owns the two timing rules of the page:
//   - the canvas follows its CSS size × devicePixelRatio (ResizeObserver; the engine sets the drawing
//     buffer, which never changes the CSS size, so resizing cannot feed back into itself);
//   - the rAF loop makes exactly one engine call per frame, `render_frame(dt)`. Everything else happens
//     in event handlers and timers.
// URL parameters: ?backend=auto|webgpu|webgl2, ?present=0 (offscreen only, for headless browsers whose
// WebGPU canvas is broken; see README), ?debug=calls (count engine calls per frame), ?room=&relay= (join a
// room: WebSocket relay and BroadcastChannel between tabs), ?persist=0 (no IndexedDB) or ?persist=reset
// (forget the saved scene first).

import { loadEngine } from './engine-loader.js';
import { instrumentEngineCalls } from './call-counter.js';
import { buildStarterScene } from './scene.js';
import { createPanel } from './panel.js';
import { attachViewInput } from './input.js';
import { startOverlay } from './overlay.js';
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

  let loaded;
  try {
    loaded = await loadEngine(backend);
  } catch (error) {
    console.error(error);
    showStartupError('The engine could not be loaded', [
      'The WebAssembly files of the engine did not load. If you are running this from a checkout, build them first with `bash scripts/build-web.sh` (or run `bash scripts/demo.sh`).',
    ], String(error?.message ?? error));
    return;
  }
  const { Engine, bundle, wasm } = loaded;
  const calls = params.get('debug') === 'calls' ? instrumentEngineCalls(Engine) : null;
  const frame = calls ? calls.frame : (body) => body();

  let engine;
  try {
    engine = await Engine.create(canvas, { backend, present: params.get('present') !== '0' });
  } catch (error) {
    // Not console.error: a browser without WebGPU and WebGL2 is an expected situation, not a page bug.
    console.warn('Engine.create failed:', error);
    showStartupError('Your browser cannot show this 3D scene', [
      'This page draws with WebGPU, or with WebGL2 where WebGPU is missing, and neither is available here.',
      'Turning on hardware acceleration usually fixes it (in Chrome: Settings → System → “Use graphics acceleration when available”, then restart the browser). Otherwise, try a current version of Chrome, Edge, Firefox or Safari.',
    ], String(error?.message ?? error));
    return;
  }

  // --- size: CSS size × devicePixelRatio, followed as either changes ---
  let cssSize = { width: canvas.clientWidth, height: canvas.clientHeight };
  const resize = () => engine.resize(cssSize.width, cssSize.height, window.devicePixelRatio);
  const resizeObserver = new ResizeObserver(([entry]) => {
    cssSize = { width: entry.contentRect.width, height: entry.contentRect.height };
    resize();
  });
  resizeObserver.observe(canvas);
  // A devicePixelRatio change (browser zoom, moving to another screen) does not resize the CSS box.
  let dprQuery = null;
  const watchDpr = () => {
    dprQuery?.removeEventListener('change', onDprChange);
    dprQuery = matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`);
    dprQuery.addEventListener('change', onDprChange);
  };
  function onDprChange() { resize(); watchDpr(); }
  watchDpr();
  resize();

  // --- saved scene, room, starter scene ---
  const room = requestedRoom(params);
  const inRoom = room !== null;
  // The saved scene comes first, so the room's sync (and the starter-scene decision) start from it.
  const persistence = await startPersistence(engine, inRoom ? room : LOCAL_DOC_NAME);
  // In a shared room the scene comes from the room: a starter scene per visitor would pile up copies.
  // A restored scene is the user's: the starter scene must not be added on top of it either.
  const emptyScene = { ground: null, spheres: [], boxes: [], byName: {} };
  const scene = inRoom || persistence?.restored ? emptyScene : buildStarterScene(engine);
  // One engine, two transports (as y-websocket's provider): the relay, and other tabs of this browser
  // over BroadcastChannel, which works with no relay at all.
  const hub = inRoom ? createSyncHub(engine) : null;
  // Peers are untrusted: every message from the room is rehearsed in a second instance of the same wasm
  // module first (guard.js), so an update that makes yrs panic traps that instance, not this engine.
  // "diff" rehearsal keeps a peer's drag cheap in big scenes (apply-time panics, the kind found, are
  // caught either way). Without a guard (it failed to start) the engine's own checks still apply.
  const startGuard = (target) => createGuard(target, { bundleUrl: loaded.url, rehearsal: 'diff' })
    .catch((error) => { console.warn('update guard unavailable:', error); return null; });
  const guard = inRoom && params.get('guard') !== '0' ? await startGuard(hub.transport()) : null;
  const collab = inRoom ? startCollab(hub.transport(), params, { guard }) : null;
  const relay = params.get('relay') ?? `ws://${location.hostname || '127.0.0.1'}:1234`; // page.js's default
  const tabs = inRoom ? connectBroadcast(hub.transport(), { url: relay, room, guard }) : null;
  // A scene file is untrusted too; outside a room its guard starts on the first import.
  let importGuard = guard;
  const guarded = async () => {
    importGuard ??= await startGuard(engine);
    if (!importGuard) return engine;
    const g = importGuard;
    return new Proxy(engine, {
      get: (target, key) => (key === 'apply_update_v2' ? (bytes) => g.applyUpdateV2(bytes)
        : typeof target[key] === 'function' ? target[key].bind(target) : target[key]),
    });
  };
  if (persistence && hub) hub.onRemoteUpdate((update) => persistence.storeUpdate(update));

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
  // Remote edits change the document without any local event: when the room delivered something,
  // show the edited node's new values (a JS counter check; the engine is read only after news).
  // The first time the room's scene arrives, frame it (the page started with an empty document).
  const received = () => (collab?.stats.framesReceived ?? 0) + (tabs?.stats.received ?? 0);
  let seenFrames = 0;
  let roomFramed = engine.node_ids().length > 0; // the saved or starter scene was framed just above
  const collabTimer = inRoom && setInterval(() => {
    if (received() === seenFrames) return;
    seenFrames = received();
    panel.refresh();
    if (!roomFramed && engine.node_ids().length > 0) {
      roomFramed = true;
      panel.frameAll();
    }
  }, 300);
  const detachInput = attachViewInput(canvas, engine, {
    onClick: (x, y) => panel.select(engine.pick(x, y)),
  });

  // --- the loop: one engine call per frame ---
  let frames = 0;
  let running = true;
  let stopped = false;
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

  const stopOverlay = startOverlay({
    element: document.getElementById('stats'),
    engine,
    frameCount: () => frames,
    bundle,
    callStats: calls?.stats,
  });

  // For the end-to-end tests and the browser console.
  window.engine = engine;
  window.wasm = wasm;
  window.scene = scene;
  window.callStats = calls?.stats;
  window.collab = collab;
  window.demo = {
    engine, Engine, wasm, bundle, scene, panel, collab, tabs, persistence, hub, guard,
    get frames() { return frames; },
    /** Stops the loop, timers and input, and frees the engine (tests use it to start from zero engines). */
    stop() {
      if (stopped) return;
      stopped = true;
      running = false;
      cancelAnimationFrame(rafId);
      stopOverlay();
      collab?.close();
      tabs?.close();
      hub?.close();
      persistence?.close();
      clearInterval(collabTimer);
      detachInput();
      resizeObserver.disconnect();
      dprQuery?.removeEventListener('change', onDprChange);
      engine.free();
      window.engine = null;
      document.body.dataset.ready = 'stopped';
    },
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

main().catch((error) => {
  console.error(error);
  showStartupError('The demo could not start', ['Something unexpected went wrong while starting the page.'],
    String(error?.stack ?? error));
});
