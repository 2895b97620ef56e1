// The smallest page that shows a lit sphere with our engine (WebGPU-only bundle, or the WebGL2 bundle
// with BUNDLE=webgl2 at build time: esbuild aliases `engine-bundle` to web/pkg or web/pkg-webgl2).
import init, { Engine } from 'engine-bundle';
import { once, present, report } from './sphere-common.js';

await init();
const canvas = document.getElementById('view');
const engine = await Engine.create(canvas, { present });
engine.resize(256, 256, 1);
engine.add_sphere(0, 0, 0, 1);
engine.frame_all();
let last = performance.now();
let first = true;
requestAnimationFrame(function tick(now) {
  engine.render_frame(Math.max(0, (now - last) / 1000));
  last = now;
  if (first) {
    first = false;
    report(performance.now(), () => engine.read_pixels());
  }
  if (!once) requestAnimationFrame(tick);
});
