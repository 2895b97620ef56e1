// Where the large glTF import's time goes: `node bench/gltf-profile.mjs [runs]` (default 3).
// Each run opens the glTF bench page (bench/pages/gltf-ours.js) in a fresh browser, as the benchmark's
// "import to pixels" row does, and times the benchmark's large generated model in parts:
//   import    the first import_gltf (it also loads the importer module, and runs cold code)
//   frame     the first render_frame after it
//   readback  read_pixels of that frame (on this machine: SwiftShader drawing it in the GPU process)
//   again     one more frame and its read-back (what a frame of the model costs once uploaded)
//   import2   a second import_gltf of the same bytes (warm code; its assets are already stored)
// and prints the median of each. TRIANGLES and TEXTURES change the model (default 500,000 and 16).
// PROFILE=1 samples the first run's import, frame and read-back with Chrome's profiler and prints the
// functions with the most self time (the page's main thread only; build with names:
// `CARGO_PROFILE_RELEASE_STRIP=false bash scripts/build-web.sh`, then rebuild normally); PROFILE_OUT=FILE
// also writes that profile (open it in Chrome DevTools' Performance panel). WARM=1 first imports,
// draws and hides the small BoxTextured model, to show what a page's first import pays once.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from '../tests/lib/harness.mjs';
import { startServer } from './server.mjs';
import { largeModel } from './gltf-model.mjs';
import { median } from './pages/loop.js';

const here = dirname(fileURLToPath(import.meta.url));
const runs = Number(process.argv[2] ?? 3);
const profiled = process.env.PROFILE;
const large = largeModel({
  triangles: Number(process.env.TRIANGLES ?? 500_000),
  textures: Number(process.env.TEXTURES ?? 16),
});
mkdirSync(join(here, 'dist'), { recursive: true });
writeFileSync(join(here, 'dist', 'large.glb'), large.glb);

/** Prints the functions with the most self time in a CPU profile. */
function report(profile) {
  if (process.env.PROFILE_OUT) writeFileSync(process.env.PROFILE_OUT, JSON.stringify(profile));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const { functionName, url } = byId.get(id).callFrame;
    const key = `${functionName || '(anonymous)'} ${url.split('/').pop()}`.trim();
    const us = profile.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + us);
    total += us;
  });
  for (const [key, us] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    console.log(`${(us / 1000).toFixed(1).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${key.slice(0, 160)}`);
  }
}

/** Runs `step` in the page, under the profiler when there is one. */
async function part(page, cdp, step) {
  if (cdp) await cdp.send('Profiler.start');
  const out = await page.evaluate(step);
  if (cdp) report((await cdp.send('Profiler.stop')).profile);
  return out;
}

const server = await startServer(0);
const parts = {};
try {
  for (let run = 0; run < runs; run++) {
    const browser = await launch({ webgpu: true });
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}gltf-ours.html`);
      await page.waitForFunction(() => window.bench);
      let cdp;
      if (profiled && run === 0) {
        cdp = await page.context().newCDPSession(page);
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      }
      await page.evaluate(async () => {
        const { fetchModel } = await import('./gltf-common.js');
        window.largeBytes = await fetchModel('dist/large.glb');
      });
      if (process.env.WARM) {
        const ms = await page.evaluate(async () => {
          const { fetchModel } = await import('./gltf-common.js');
          const { engine } = window.bench;
          const t0 = performance.now();
          const { roots } = await engine.import_gltf(await fetchModel('gltf/BoxTextured.gltf'));
          engine.render_frame(0);
          await engine.read_pixels();
          for (const root of roots) engine.set_visible(root, false);
          return performance.now() - t0;
        });
        if (run === 0) console.log(`warm-up (BoxTextured imported, drawn, hidden): ${ms.toFixed(1)} ms`);
      }
      // In one evaluate, as the benchmark's row: the GPU process may take up uploads while the page waits.
      const ms = await part(page, cdp, async () => {
        const { cameras } = await import('./gltf-common.js');
        const { engine } = window.bench;
        const t0 = performance.now();
        await engine.import_gltf(window.largeBytes);
        const t1 = performance.now();
        engine.set_camera(cameras.large);
        engine.render_frame(0);
        const t2 = performance.now();
        await engine.read_pixels();
        return { import: t1 - t0, frame: t2 - t1, readback: performance.now() - t2 };
      });
      Object.assign(ms, await page.evaluate(async () => {
        const { engine } = window.bench;
        const t0 = performance.now();
        engine.render_frame(0);
        await engine.read_pixels();
        const t1 = performance.now();
        await engine.import_gltf(window.largeBytes);
        return { again: t1 - t0, import2: performance.now() - t1 };
      }));
      ms.total = ms.import + ms.frame + ms.readback;
      console.log(`run ${run + 1}: ${Object.entries(ms).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')} ms`);
      for (const [k, v] of Object.entries(ms)) (parts[k] ??= []).push(v);
    } finally {
      await browser.close();
    }
  }
  console.log(`median of ${runs}: ${Object.entries(parts).map(([k, v]) => `${k} ${median(v).toFixed(1)}`).join(', ')} ms`);
} finally {
  server.stop();
}
