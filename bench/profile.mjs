// Where `render_frame` spends its time: `node bench/profile.mjs [on_change|always] [webgpu|webgl2] [nodes]`.
// Builds a still scene of `nodes` spheres (default 1,000) in the frame-cost page, then
// 1. times 2,000 back-to-back `render_frame` calls (50 per task) under Chrome's sampling profiler and prints the
//    functions with the most self time (build with names for readable wasm frames:
//    `CARGO_PROFILE_RELEASE_STRIP=false bash scripts/build-web.sh`, then rebuild normally), and
// 2. times 200 calls made from requestAnimationFrame callbacks, as the benchmark does, for comparison: on this
//    machine the same call costs several times more there, where Chromium composites on the same 2 cores.
// Writes bench/results/profile.cpuprofile (git-ignored; open it in Chrome DevTools' Performance panel).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from '../tests/lib/harness.mjs';
import { startServer } from './server.mjs';

const [redraw = 'on_change', backend = 'webgpu', nodes = '1000'] = process.argv.slice(2);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const server = await startServer(0);
const browser = await launch({ webgpu: backend === 'webgpu' });
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}frame-ours.html?backend=${backend}`);
  await page.waitForFunction(() => window.bench);
  await page.evaluate(async ([redraw, backend, n]) => {
    const mod = await import(backend === 'webgl2' ? '/pkg-webgl2/app_wasm.js' : '/pkg/app_wasm.js');
    const canvas = document.createElement('canvas');
    document.body.appendChild(canvas);
    const engine = await mod.Engine.create(canvas, { backend, present: false, max_frames_in_flight: Infinity, redraw });
    engine.resize(256, 256, 1);
    for (let i = 0; i < n; i++) engine.add_sphere(i % 10, Math.floor(i / 100), Math.floor(i / 10) % 10, 0.2);
    engine.frame_all();
    for (let k = 0; k < 5; k++) engine.render_frame(5);
    window.profiled = engine;
  }, [redraw, backend, Number(nodes)]);

  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 20 });
  await cdp.send('Profiler.start');
  const loop = await page.evaluate(async () => {
    const times = [];
    for (let task = 0; task < 40; task++) {
      for (let i = 0; i < 50; i++) {
        const a = performance.now();
        window.profiled.render_frame(1 / 60);
        times.push(performance.now() - a);
      }
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    return times;
  });
  const { profile } = await cdp.send('Profiler.stop');
  const raf = await page.evaluate(() => new Promise((resolve) => {
    const times = [];
    const tick = () => {
      const a = performance.now();
      window.profiled.render_frame(1 / 60);
      times.push(performance.now() - a);
      if (times.length < 200) requestAnimationFrame(tick); else resolve(times);
    };
    requestAnimationFrame(tick);
  }));
  const stats = await page.evaluate(() => window.profiled.stats());

  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const { functionName, url } = byId.get(id).callFrame;
    const key = `${functionName || '(anonymous)'} ${url.split('/').pop()}`.trim();
    const us = profile.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + us);
    total += us;
  });
  console.log(`${backend}, redraw ${redraw}, ${nodes} spheres; stats: ${JSON.stringify(stats)}`);
  console.log(`back-to-back: median ${median(loop).toFixed(3)} ms per render_frame over ${loop.length} calls`);
  console.log(`from requestAnimationFrame: median ${median(raf).toFixed(3)} ms over ${raf.length} calls`);
  console.log('self time while profiling (back-to-back calls):');
  for (const [key, us] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`${(us / 1000).toFixed(1).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${key}`);
  }
  const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'profile.cpuprofile');
  writeFileSync(out, JSON.stringify(profile));
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  server.stop();
}
