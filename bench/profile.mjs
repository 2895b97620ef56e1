// Where `render_frame` spends its time: `node bench/profile.mjs [on_change|always] [webgpu|webgl2] [nodes]`.
// Sets up the frame-cost page's still scene of `nodes` spheres (default 1,000; `window.bench.setup`), then
// 1. times 2,000 back-to-back `render_frame` calls (50 per task) under Chrome's sampling profiler and prints the
//    functions with the most self time (build with names for readable wasm frames:
//    `CARGO_PROFILE_RELEASE_STRIP=false bash scripts/build-web.sh`, then rebuild normally), and
// 2. times 200 calls made from requestAnimationFrame callbacks, as the benchmark does, for comparison: on this
//    machine the same call costs several times more there, where Chromium composites on the same 2 cores.
// `node bench/profile.mjs edit webgpu [nodes]` instead profiles the back-to-back edit loop (loop.js
// `editBackToBack`: 200 pairs of 25 unchanged and 25 edited frames, every frame drawn) and prints, besides
// the top self times, the time per call inside `set_position` and `render_frame` (inclusive).
// Writes bench/results/profile.cpuprofile (git-ignored; open it in Chrome DevTools' Performance panel).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from '../tests/lib/harness.mjs';
import { startServer } from './server.mjs';
import { median } from './pages/loop.js';

const [redraw = 'on_change', backend = 'webgpu', nodes = '1000'] = process.argv.slice(2); // redraw: on_change | always | edit
const server = await startServer(0);
const browser = await launch({ webgpu: backend === 'webgpu' });
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}frame-ours.html?backend=${backend}`);
  await page.waitForFunction(() => window.bench);
  // The frame-cost page's own scene, engine options and timing loops (bench/pages/frame-ours.js, loop.js).
  await page.evaluate(([n, kind]) => window.bench.setup(n, kind), [Number(nodes), redraw === 'on_change' ? 'on_change' : null]);

  const editing = redraw === 'edit';
  if (editing) await page.evaluate(() => window.bench.editBackToBack({ blocks: 4, per: 25 })); // warm-up
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 20 });
  await cdp.send('Profiler.start');
  const loop = editing
    ? await page.evaluate(() => window.bench.editBackToBack({ blocks: 200, per: 25 }))
    : await page.evaluate(() => window.bench.backToBack(2000));
  const { profile } = await cdp.send('Profiler.stop');
  const raf = await page.evaluate(() => window.bench.run({ frames: 200, warmup: 0 }));

  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const keyOf = (id) => {
    const { functionName, url } = byId.get(id).callFrame;
    return `${functionName || '(anonymous)'} ${url.split('/').pop()}`.trim();
  };
  const self = new Map();
  const inclusive = new Map(); // each sample counted once per function on its stack
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    self.set(keyOf(id), (self.get(keyOf(id)) ?? 0) + us);
    const onStack = new Set();
    for (let at = id; at !== undefined; at = parentOf.get(at)) onStack.add(keyOf(at));
    for (const key of onStack) inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    total += us;
  });
  console.log(`${backend}, redraw ${editing ? 'always' : redraw}, ${nodes} spheres; stats: ${JSON.stringify(raf.stats)}`);
  if (editing) {
    const calls = loop.edited.length * loop.per;
    console.log(`edit back to back: median ${median(loop.plain).toFixed(4)} ms per unchanged frame, ${median(loop.edited).toFixed(4)} per edited one (edit included), extra ${median(loop.extra).toFixed(4)}`);
    // set_position runs once per edited frame; render_frame once per frame, unchanged ones included.
    for (const [name, count] of [['set_position', calls], ['render_frame', 2 * calls]]) {
      const us = inclusive.get(`${name} app_wasm.js`) ?? 0;
      console.log(`inside ${name} (app_wasm.js glue, inclusive, while profiling): ${(us / count).toFixed(1)} µs per call (${count} calls)`);
    }
  } else {
    console.log(`back-to-back: median ${loop.medianMs.toFixed(3)} ms per render_frame over ${loop.calls} calls`);
  }
  console.log(`from requestAnimationFrame: median ${median(raf.times).toFixed(3)} ms over ${raf.times.length} calls`);
  console.log(`self time while profiling (back-to-back ${editing ? 'edit loop' : 'calls'}):`);
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
