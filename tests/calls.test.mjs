// End-to-end: the page keeps the engine's "one wasm call per frame" rule. With ?debug=calls the page
// wraps every Engine.prototype method in a counter and records the calls made inside each rAF callback;
// while a person edits, selects and moves the camera, every frame must still make exactly one call
// (render_frame) and everything else must happen outside frames. PNG: calls-overlay.png. Also checks
// that a window resize reaches the engine once (CSS size × devicePixelRatio) and does not loop.
import { join } from 'node:path';
import {
  assert, demoViewport, findPickPoint, launch, open, outDir, pageShot, run, serve, waitFrames, watchdog,
} from './lib/harness.mjs';

watchdog(8 * 60_000, 'calls');
const server = await serve();
const browser = await launch();

try {
  let page, errors;
  await run('calls', {
    '?debug=calls: one engine call in every frame while the page is used': async () => {
      ({ page, errors } = await open(browser, `${server.url}?present=0&debug=calls`, demoViewport));
      assert(await page.evaluate(() => document.body.dataset.ready) === 'true', 'page reported an error');
      await waitFrames(page, 20, 120_000);

      // Use the page meanwhile: each of these makes engine calls, all of which must land outside frames.
      await page.locator('#radius').fill('1.4');
      const clay = await page.evaluate(() => window.scene.byName.clay);
      const point = await findPickPoint(page, clay);
      assert(point, 'clay sphere not visible');
      await page.mouse.click(point.x, point.y);
      await page.mouse.move(point.x, point.y);
      await page.mouse.down();
      await page.mouse.move(point.x + 30, point.y + 10, { steps: 5 });
      await page.mouse.up();
      await page.mouse.wheel(0, 200);
      await page.selectOption('#aov', 'normal');
      await page.selectOption('#aov', 'beauty');
      await page.keyboard.press('Control+z');
      await page.waitForFunction(() => window.callStats.frames >= 60, null, { timeout: 120_000, polling: 100 });
      await page.waitForTimeout(1200); // let the overlay timer tick twice

      const stats = await page.evaluate(() => structuredClone(window.callStats));
      console.log(`     ${JSON.stringify(stats)}`);
      assert(stats.frames >= 60, `only ${stats.frames} frames`);
      assert(stats.maxCallsInOneFrame === 1, `a frame made ${stats.maxCallsInOneFrame} engine calls`);
      assert(stats.callsInFrames === stats.frames, `${stats.callsInFrames} calls in ${stats.frames} frames`);
      assert(stats.byMethod.render_frame === stats.frames, `render_frame ran ${stats.byMethod.render_frame} times in ${stats.frames} frames`);
      // The counter really counts: the interactions and the overlay's stats() reads were seen, outside frames.
      for (const method of ['set_sphere_radius', 'pick', 'select', 'on_mouse_drag', 'on_wheel', 'set_aov_mode', 'undo', 'stats']) {
        assert(stats.byMethod[method] > 0, `no ${method} call was counted`);
      }
      assert(stats.callsOutsideFrames > 10, `only ${stats.callsOutsideFrames} calls outside frames`);
      const overlay = await page.locator('#stats').textContent();
      assert(/calls\/frame 1\.00 \(max 1\)/.test(overlay), `overlay does not show the call counts: ${overlay}`);
      await pageShot(page, 'calls-overlay.png');
      assert(errors.length === 0, `console errors:\n${errors.join('\n')}`);
    },

    'window resizes follow CSS size × devicePixelRatio, without a resize feedback loop': async () => {
      const resizes = () => page.evaluate(() => window.callStats.byMethod.resize ?? 0);
      const before = await resizes();
      await page.setViewportSize({ width: 800, height: 520 }); // devicePixelRatio stays 0.5
      await page.waitForFunction(() => window.engine.stats().width === 400, null, { timeout: 20_000, polling: 100 });
      const stats = await page.evaluate(() => window.engine.stats());
      assert(stats.width === 400 && stats.height === 260, `drawing buffer ${stats.width}x${stats.height}, expected 400x260`);
      await waitFrames(page, 20);
      const after = await resizes();
      // One ResizeObserver notification per CSS change; setting the drawing buffer must not trigger more.
      assert(after - before >= 1 && after - before <= 2, `${after - before} resize calls for one window resize`);
      await waitFrames(page, 20);
      assert(await resizes() === after, 'resize keeps being called while nothing changes (feedback loop)');
      assert(errors.length === 0, `console errors:\n${errors.join('\n')}`);
    },
  });
} finally {
  await browser.close();
  server.stop();
}
