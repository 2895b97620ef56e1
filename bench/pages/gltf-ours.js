// glTF bench page for our engine (WebGPU bundle, offscreen as in frame-ours.js). `window.bench`:
//   importToPixels(url, view) → { ms, lit, drawCalls }: from the model's bytes in memory to its first frame
//     read back: import_gltf (the importer module is loaded by the first call, as a page's first import
//     would), one render_frame, read_pixels.
//   setupInstances(url, n) → { nodes, drawCalls }: one import, then n - 1 duplicates of its mesh node in a grid
//   run(opts): the shared rAF loop over render_frame (every frame drawn: redraw "always").
//   backToBack(calls): the same call back to back, no requestAnimationFrame (loop.js).
import { cameras, fetchModel, instancePosition, litPixels } from './gltf-common.js';
import { backToBack, runFrames } from './loop.js';

const mod = await import('/pkg/app_wasm.js');
await mod.default();
const { Engine } = mod;
const canvas = document.getElementById('view');
// One sample per pixel (`msaa_samples: 1`), as three.js's page draws into a render target without samples.
const engine = await Engine.create(canvas, { present: false, max_frames_in_flight: Infinity, redraw: 'always', msaa_samples: 1 });
engine.resize(256, 256, 1);

window.bench = {
  engine,
  async importToPixels(url, view) {
    const bytes = await fetchModel(url);
    const t0 = performance.now();
    await engine.import_gltf(bytes);
    engine.set_camera(cameras[view]);
    engine.render_frame(0);
    const pixels = await engine.read_pixels();
    const ms = performance.now() - t0;
    return { ms, lit: litPixels(pixels), drawCalls: engine.stats().draw_calls };
  },
  async setupInstances(url, n) {
    const { roots } = await engine.import_gltf(await fetchModel(url));
    // The first mesh node below the model's root(s).
    const stack = [...roots];
    let mesh;
    while (stack.length && !mesh) {
      const id = stack.shift();
      if (engine.get_node(id).kind === 'mesh') mesh = id;
      else stack.push(...engine.children(id));
    }
    engine.set_parent(mesh, undefined);
    for (const root of roots) engine.remove_node(root);
    engine.batch(() => {
      engine.set_position(mesh, ...instancePosition(0, n));
      for (let i = 1; i < n; i++) engine.set_position(engine.duplicate(mesh), ...instancePosition(i, n));
    });
    engine.set_camera(cameras.instances);
    engine.render_frame(0);
    await engine.read_pixels();
    return { nodes: engine.node_ids().length, drawCalls: engine.stats().draw_calls };
  },
  run(opts) {
    return runFrames({ frame: (dt) => engine.render_frame(dt), edit() {}, sync() {} }, opts);
  },
  backToBack(calls) {
    return backToBack((dt) => engine.render_frame(dt), calls);
  },
};
document.body.dataset.ready = 'true';
