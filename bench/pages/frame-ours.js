// Frame-cost page for our engine: `?backend=webgpu` (WebGPU-only bundle) or `?backend=webgl2` (the
// WebGL2 bundle). Exposes `window.bench = { setup(n), run(opts), teardown(), load(n, repeats), ... }`
// for bench/run.mjs. The engine renders offscreen (`present: false`): headless Chromium's WebGPU canvas
// destroys the device on getCurrentTexture() (see README), and every frame is still drawn.
import { backToBack, editBackToBack, gridPosition, median, runFrames } from './loop.js';

const backend = new URLSearchParams(location.search).get('backend') ?? 'webgpu';
const mod = await import(backend === 'webgl2' ? '/pkg-webgl2/app_wasm.js' : '/pkg/app_wasm.js');
const wasm = await mod.default();
const { Engine } = mod;

// Count engine calls made inside the measured per-frame window (the "one wasm call per frame" rule).
const calls = { inFrame: 0, outside: 0, byMethod: {} };
let inFrame = false;
for (const name of Object.getOwnPropertyNames(Engine.prototype)) {
  const d = Object.getOwnPropertyDescriptor(Engine.prototype, name);
  if (name === 'constructor' || name.startsWith('__') || typeof d.value !== 'function') continue;
  const original = d.value;
  Object.defineProperty(Engine.prototype, name, {
    ...d,
    value: function (...args) {
      if (inFrame) { calls.inFrame++; calls.byMethod[name] = (calls.byMethod[name] ?? 0) + 1; } else calls.outside++;
      return original.apply(this, args);
    },
  });
}

// `?gpucalls=1`: also count WebGPU calls (every method of every GPU* interface) and WebGL2 calls made inside a
// frame. Off by default: the wrappers would add to the timed frames.
const gpuCalls = { inFrame: 0, byMethod: {} };
if (new URLSearchParams(location.search).get('gpucalls') === '1') {
  for (const name of Object.getOwnPropertyNames(globalThis)) {
    // With the WebGL2 bundle the same wrapper counts WebGL2 calls.
    const counted = name.startsWith('GPU') || name === 'WebGL2RenderingContext';
    const proto = counted ? globalThis[name]?.prototype : null;
    if (!proto) continue;
    for (const key of Object.getOwnPropertyNames(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, key);
      if (key === 'constructor' || typeof d.value !== 'function') continue;
      const original = d.value;
      Object.defineProperty(proto, key, {
        ...d,
        value: function (...args) {
          if (inFrame) {
            gpuCalls.inFrame++;
            gpuCalls.byMethod[`${name}.${key}`] = (gpuCalls.byMethod[`${name}.${key}`] ?? 0) + 1;
          }
          return original.apply(this, args);
        },
      });
    }
  }
}

const canvas = document.getElementById('view');
let engine = null;
let ids = [];
let n = 0;

async function create(target = canvas, redraw = 'always') {
  // Every frame drawn, as three.js draws every frame: `redraw: 'always'` (by default the engine does not draw
  // a frame that would show the last one again), and without a limit on frames in flight the engine never
  // skips one while SwiftShader is seconds behind (run.mjs checks stats().frames_skipped stays 0).
  // `redraw: 'on_change'` (the engine's default) is measured separately, as what an unchanged frame costs.
  // One sample per pixel (`msaa_samples: 1`), as three.js's page draws into a render target without samples.
  const e = await Engine.create(target, { backend, present: false, max_frames_in_flight: Infinity, redraw, msaa_samples: 1 });
  e.resize(256, 256, 1);
  return e;
}

/** Settles the camera: frame_all eases with damping, so give it a few long frames. */
function settle(e) {
  e.frame_all();
  for (let k = 0; k < 5; k++) e.render_frame(5);
}

const adapter = {
  edit(i) {
    const id = ids[(i * 7919) % n];
    const [x, y, z] = gridPosition((i * 7919) % n, n);
    engine.set_position(id, x, y + (i % 2 ? 0.05 : -0.05), z);
  },
  /** What a user's drag does: a pointer event that orbits the camera (4 CSS pixels sideways). */
  orbit() { engine.on_mouse_drag(4, 0, 0); },
  frame(dt) {
    inFrame = true;
    try { engine.render_frame(dt); } finally { inFrame = false; }
  },
  async sync() { await engine.read_pixels(); },
};

window.bench = {
  backend,
  /** `kind`: null (every frame drawn) or 'on_change' (the engine's default redraw policy). */
  async setup(count, kind) {
    if (engine) this.teardown();
    engine = await create(canvas, kind === 'on_change' ? 'on_change' : 'always');
    n = count;
    ids = new Array(n);
    for (let i = 0; i < n; i++) {
      const [x, y, z] = gridPosition(i, n);
      ids[i] = engine.add_sphere(x, y, z, 0.2);
    }
    settle(engine);
    return { ...engine.stats() };
  },
  async run(opts) {
    const before = calls.inFrame;
    const unchangedBefore = engine.stats().frames_unchanged;
    const r = await runFrames(adapter, opts);
    const frames = r.warmup + r.frames;
    const stats = { ...engine.stats() };
    return {
      ...r, callsPerFrame: opts.edit ? null : (calls.inFrame - before) / frames, stats,
      // Calls in this run (warm-up included) that drew nothing because the frame was unchanged.
      framesUnchanged: stats.frames_unchanged - unchangedBefore, framesCalled: frames,
    };
  },
  backToBack(calls) { return backToBack((dt) => engine.render_frame(dt), calls); },
  editBackToBack(opts) { return editBackToBack(adapter, opts); },
  /**
   * WebGPU calls per frame (page opened with `?gpucalls=1`), `count` spheres, four kinds of frame: a still
   * scene with the default redraw policy ("unchanged": nothing to draw), a still scene drawn anyway
   * ("drawn", redraw "always"), the camera orbited by a drag before each frame ("orbited"), and one node
   * moved before each frame ("edited"). Returns, per kind, the
   * calls per frame and which methods they were.
   */
  async gpuCalls(count, frames = 10) {
    const out = {};
    for (const kind of ['unchanged', 'drawn', 'orbited', 'edited']) {
      await this.setup(count, kind === 'unchanged' ? 'on_change' : null);
      for (let i = 0; i < 3; i++) adapter.frame(1 / 60);
      gpuCalls.inFrame = 0;
      gpuCalls.byMethod = {};
      for (let i = 0; i < frames; i++) {
        if (kind === 'edited') adapter.edit(i);
        if (kind === 'orbited') adapter.orbit(i);
        adapter.frame(1 / 60);
      }
      out[kind] = {
        perFrame: gpuCalls.inFrame / frames,
        byMethod: Object.fromEntries(Object.entries(gpuCalls.byMethod).map(([k, v]) => [k, v / frames])),
      };
    }
    return out;
  },
  teardown() {
    if (engine) engine.free();
    engine = null;
    ids = [];
  },
  calls,
  wasmBytes: () => wasm.memory.buffer.byteLength,
  async pixels() {
    const p = await engine.read_pixels();
    let lit = 0;
    for (let i = 0; i < p.length; i += 4) if (p[i] + p[i + 1] + p[i + 2] > 30) lit++;
    return { bytes: p.length, litPixels: lit };
  },
  /**
   * `engine.batch` against the same edits one call at a time: builds a `count`-node scene `repeats` times each
   * way (alternating), in fresh engines that listen to `on_local_update` and `on_sync_message` as a
   * collaborating page does. Returns the median milliseconds of each and how many updates each delivered.
   */
  async batchBuild(count, repeats = 3) {
    const build = (e) => {
      for (let i = 0; i < count; i++) {
        const [x, y, z] = gridPosition(i, count);
        e.add_sphere(x, y, z, 0.2);
      }
    };
    const times = { one: [], batched: [] };
    const delivered = { one: 0, batched: 0 };
    for (let r = 0; r < repeats; r++) {
      for (const way of ['one', 'batched']) {
        const e = await create(document.createElement('canvas'));
        let updates = 0;
        e.on_local_update(() => { updates++; });
        e.on_sync_message(() => {});
        const a = performance.now();
        if (way === 'batched') e.batch(() => build(e)); else build(e);
        await Promise.resolve(); // the deliveries run in a microtask: part of the cost
        await new Promise((resolve) => setTimeout(resolve, 0));
        times[way].push(performance.now() - a);
        delivered[way] = updates;
        if (e.node_ids().length !== count) throw new Error(`built ${e.node_ids().length} nodes, wanted ${count}`);
        e.free();
      }
    }
    return { count, oneMs: median(times.one), batchedMs: median(times.batched), updatesOne: delivered.one, updatesBatched: delivered.batched };
  },
  /**
   * Scene load: builds an n-node scene and encodes it, then `repeats` times loads the bytes into a fresh engine
   * with apply_update (timed); the last one also times its first render_frame (which hands the scene to the
   * renderer and uploads the instances). Engines are kept (not freed): on SwiftShader a free() would wait for
   * the GPU backlog. Returns the encoded bytes (base64) so the Yjs page loads exactly the same update.
   */
  async load(count, repeats = 3) {
    const source = await create(document.createElement('canvas'));
    for (let i = 0; i < count; i++) {
      const [x, y, z] = gridPosition(i, count);
      source.add_sphere(x, y, z, 0.2);
    }
    const bytes = source.encode_state();
    const applyMs = [];
    let firstFrameMs = NaN;
    window.keep = [source];
    for (let r = 0; r < repeats; r++) {
      const e = await create(document.createElement('canvas'));
      window.keep.push(e);
      const a = performance.now();
      e.apply_update(bytes);
      applyMs.push(performance.now() - a);
      if (r === repeats - 1) {
        const b = performance.now();
        e.render_frame(0);
        firstFrameMs = performance.now() - b;
        if (e.stats().nodes !== count) throw new Error(`loaded ${e.stats().nodes} nodes, wanted ${count}`);
      }
    }
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return { updateBytes: bytes.length, applyMs: median(applyMs), applyMsAll: applyMs, firstFrameMs, base64: btoa(binary) };
  },
  /**
   * Heap per node, in a fresh page: growth of the wasm linear memory (64 KiB pages; includes allocator slack)
   * across apply_update, and across apply_update + the first render_frame (document + renderer's CPU copies).
   */
  async heap(base64) {
    const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
    const e = await create(document.createElement('canvas'));
    e.render_frame(0);
    const m0 = wasm.memory.buffer.byteLength;
    e.apply_update(bytes);
    const m1 = wasm.memory.buffer.byteLength;
    e.render_frame(0);
    const m2 = wasm.memory.buffer.byteLength;
    const nodes = e.stats().nodes;
    window.keep = e;
    return { nodes, wasmGrowthAfterApply: m1 - m0, wasmGrowthAfterFrame: m2 - m0 };
  },
};
document.body.dataset.ready = 'true';
