// End-to-end: engine lifecycle in the real page, WebGPU on SwiftShader.
//   1. GPU device loss: `debug_lose_device()` destroys the device; the next frames must rebuild every GPU
//      resource from the document and draw the same image (PNGs lifecycle-*.png).
//   2. Leaks: 200 engines created and freed, and 200 dropped without free() and collected by the GC
//      (FinalizationRegistry), each in two batches, must leave `Engine.live_count()` at 0 and the wasm
//      memory flat after the first batch. The figures are printed. LIFECYCLE_CYCLES=N changes the 200.
//      SwiftShader compiles every pipeline on the CPU: Engine.create takes about 0.3-1.3 s here, so this
//      step takes minutes.
import { join } from 'node:path';
import {
  assert, demoViewport, differingPixelsBeyond, launch, open, outDir, run, savePng, serve, settledPixels, waitFrames,
  watchdog, withTimeout,
} from './lib/harness.mjs';

watchdog(45 * 60_000, 'lifecycle');
const CYCLES = Number(process.env.LIFECYCLE_CYCLES ?? 200);
const server = await serve();
const browser = await launch();

const MiB = (bytes) => `${(bytes / 1048576).toFixed(2)} MiB`;

/**
 * Runs one batch in the page: `count` engines, each on its own small canvas, offscreen, with a node and
 * one frame; `free()`d when `free`, else dropped and then collected (gc() + event-loop turns until
 * live_count() is 0, bounded). Resolves to { ms, live, memory, gcRounds }.
 */
function batch(page, count, free) {
  return withTimeout(page.evaluate(async ({ count, free }) => {
    const { Engine, wasm } = window.demo;
    const started = performance.now();
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    // In its own function, so no suspended frame of this one keeps the last engine reachable.
    const one = async () => {
      const canvas = document.createElement('canvas');
      canvas.width = 32;
      canvas.height = 24;
      const engine = await Engine.create(canvas, { present: false });
      engine.resize(32, 24, 1);
      engine.add_sphere(0, 0, 0, 1);
      engine.render_frame(0);
      if (free) engine.free();
    };
    for (let i = 0; i < count; i++) {
      // A create that never settles is reported with the number of engines alive at that moment.
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`engine ${i} did not finish within 60 s (${Engine.live_count()} alive)`)), 60_000);
      });
      try { await Promise.race([one(), timeout]); } finally { clearTimeout(timer); }
      // Dropped engines: a collection every 10 keeps the number of live GPU devices bounded, as a page's
      // own GC would; without it SwiftShader sometimes stalled creating a device with dozens alive (once
      // in a few runs: the batch never finished). Every engine is still dropped without free().
      if (!free && i % 10 === 9) window.gc();
      if (performance.now() - started > 150_000) throw new Error(`batch too slow: ${i} engines in 150 s`);
    }
    const peak = Engine.live_count();
    let gcRounds = 0;
    // FinalizationRegistry callbacks run some event-loop turns after a collection.
    while (Engine.live_count() > 0 && gcRounds < 100) {
      window.gc();
      await sleep(100);
      gcRounds++;
    }
    return { ms: performance.now() - started, peak, live: Engine.live_count(), memory: wasm.memory.buffer.byteLength, gcRounds };
  }, { count, free }), 180_000, `batch of ${count} ${free ? 'freed' : 'dropped'} engines`);
}

/**
 * The leak check on `page` (whose demo engine is stopped first): freed and dropped engines in two batches
 * each; `live_count()` back to 0 after each, the wasm memory flat after the first of each kind.
 */
async function leakCheck(page, errors) {
  await page.evaluate(() => window.demo.stop());
  const start = await page.evaluate(() => ({ live: window.demo.Engine.live_count(), memory: window.demo.wasm.memory.buffer.byteLength }));
  assert(start.live === 0, `after freeing the page's engine live_count() is ${start.live}`);
  console.log(`     wasm memory at start: ${MiB(start.memory)}`);
  // Each kind in two batches of CYCLES/2: the first may grow the heap to its working size, the second must not.
  const size = Math.ceil(CYCLES / 2);
  const plan = [['freed', true], ['freed', true], ['dropped', false], ['dropped', false]];
  const results = [];
  let memory = start.memory;
  for (const [label, free] of plan) {
    const r = await batch(page, size, free);
    results.push({ label, ...r, growth: r.memory - memory });
    console.log(`     ${size} ${label.padEnd(7)} ${(r.ms / 1000).toFixed(1).padStart(6)} s  peak live ${String(r.peak).padStart(3)}  ` +
      `live after ${r.live} (${r.gcRounds} gc rounds)  wasm memory ${MiB(r.memory)}  growth ${MiB(r.memory - memory)}`);
    memory = r.memory;
    assert(r.live === 0, `${label} batch left live_count() at ${r.live}`);
  }
  const [f1, f2, d1, d2] = results;
  const slack = 128 * 1024; // two wasm pages
  assert(f2.growth <= slack, `create/free keeps growing: +${MiB(f2.growth)} in the second batch (first +${MiB(f1.growth)})`);
  assert(d2.growth <= slack, `dropped engines keep growing: +${MiB(d2.growth)} in the second batch (first +${MiB(d1.growth)})`);
  const unexpected = errors.filter((e) => !/lost|destroy/i.test(e));
  assert(unexpected.length === 0, `console errors:\n${unexpected.join('\n')}`);
}

try {
  let page, errors;
  await run('lifecycle', {
    'device loss recovers with the same image (WebGPU)': async () => {
      ({ page, errors } = await open(browser, `${server.url}?present=0`, demoViewport));
      assert(await page.evaluate(() => document.body.dataset.ready) === 'true', 'page reported an error');
      const before = await settledPixels(page);
      savePng(before, join(outDir, 'lifecycle-01-before-loss.png'));
      assert((await page.evaluate(() => window.engine.stats().device_losses)) === 0, 'a device was lost before the test');
      await page.evaluate(() => window.engine.debug_lose_device());
      await waitFrames(page, 10);
      await page.waitForFunction(() => window.engine.stats().device_losses >= 1, null, { timeout: 60_000, polling: 200 });
      const after = await settledPixels(page);
      savePng(after, join(outDir, 'lifecycle-02-after-loss.png'));
      const stats = await page.evaluate(() => window.engine.stats());
      assert(stats.device_losses === 1, `device_losses ${stats.device_losses}, expected 1`);
      assert(stats.nodes === 6, `nodes after recovery ${stats.nodes}`);
      const off = differingPixelsBeyond(before, after, 3);
      assert(off <= (before.width * before.height) / 200, `${off} of ${before.width * before.height} pixels differ after recovery`);
      // The page keeps working: an edit after the loss shows up.
      await page.locator('#radius').fill('1.5');
      const edited = await settledPixels(page);
      savePng(edited, join(outDir, 'lifecycle-03-edit-after-loss.png'));
      assert(differingPixelsBeyond(after, edited, 3) > 500, 'an edit after recovery does not show');
      const unexpected = errors.filter((e) => !/lost|destroy/i.test(e));
      if (errors.length) console.log(`     console errors during the loss: ${errors.join(' | ')}`);
      assert(unexpected.length === 0, `console errors:\n${unexpected.join('\n')}`);
    },

    [`${CYCLES} create/free cycles and ${CYCLES} dropped engines: live_count() back to 0, wasm memory flat`]: async () => {
      try {
        await leakCheck(page, errors);
      } catch (error) {
        // A batch whose page stops answering (not even its own 60 s timers fire) is SwiftShader hanging
        // the renderer, as batch() describes (seen again in a CI run on 2026-12-07, a dropped batch; the
        // same test passed alone right after): the whole check runs once more in a fresh browser. Any
        // other failure, and a second stall, fail the step.
        if (!/no result within/.test(String(error?.message))) throw error;
        console.log(`     ${error.message}: the page stopped answering (a SwiftShader stall); once more in a fresh browser`);
        const fresh = await launch();
        try {
          const again = await open(fresh, `${server.url}?present=0`, demoViewport);
          await leakCheck(again.page, again.errors);
        } finally {
          await withTimeout(fresh.close(), 20_000, 'closing the fresh browser').catch(() => {});
        }
      }
    },
  }, { stepTimeout: 42 * 60_000 });
} finally {
  await browser.close();
  server.stop();
}
