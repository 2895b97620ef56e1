// Helpers for tests/guard.test.mjs: make engines, feed them bytes, time the guard.
import init, { Engine } from '/web/pkg/app_wasm.js';
import { createGuard, GuardRejection } from '/web/collab/guard.js';

const wasm = await init();

/**
 * A live engine on an offscreen 64x64 canvas with `nodes` spheres, drawing every animation frame.
 * `options` go to Engine.create (e.g. `{ update_guard: 'off' }`: no built-in guard).
 */
async function makeEngine(nodes = 3, { animate = false, options = {} } = {}) {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 64;
  document.body.append(canvas);
  const engine = await Engine.create(canvas, { present: false, ...options });
  engine.resize(64, 64, 1);
  if (nodes > 100) engine.batch(() => { for (let i = 0; i < nodes; i++) engine.add_sphere((i % 20) - 10, Math.floor(i / 20), 0, 0.4); });
  else for (let i = 0; i < nodes; i++) engine.add_sphere((i % 20) - 10, Math.floor(i / 20), 0, 0.4);
  const life = { frames: 0, error: null, stop: false };
  if (animate) {
    const tick = () => {
      if (life.stop) return;
      try { engine.render_frame(1 / 60); life.frames++; } catch (error) { life.error = String(error); return; }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }
  return { engine, life };
}

/** A y-protocols sync `update` message around a v1 update. */
function updateMessage(update) {
  const head = [0, 2];
  let n = update.length;
  while (n > 0x7f) { head.push((n & 0x7f) | 0x80); n >>>= 7; }
  head.push(n);
  const out = new Uint8Array(head.length + update.length);
  out.set(head);
  out.set(update, head.length);
  return out;
}

const equalBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** What an error was: a trap of the instance, or an Error with a message. */
function describe(error) {
  if (error instanceof WebAssembly.RuntimeError) return { kind: 'trap', message: error.message };
  if (error instanceof GuardRejection) return { kind: 'rejected', message: error.message, trapped: error.trapped, unavailable: error.unavailable };
  return { kind: 'error', message: String(error?.message ?? error) };
}

window.guardPage = { wasm, Engine, makeEngine, createGuard, GuardRejection, updateMessage, equalBytes, describe };
document.body.dataset.ready = '1';
