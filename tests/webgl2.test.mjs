// End-to-end: the demo page where WebGPU has no adapter (Chromium without --enable-unsafe-webgpu, as on
// many Linux desktops): the loader must pick the WebGL2 bundle and the page must work the same, presenting
// to the real canvas. And where neither WebGPU nor WebGL2 exists, the page must explain itself kindly.
// PNGs under tests/out/e2e/webgl2-*.png and nobackend-*.png.
import { join } from 'node:path';
import {
  assert, decodePng, demoViewport, differingPixels, differingPixelsBeyond, distinctColours, findPickPoint, launch, open, outDir,
  pageShot, run, savePng, serve, settledPixels, waitFrames, watchdog,
} from './lib/harness.mjs';

watchdog(10 * 60_000, 'webgl2');
const server = await serve();
const noErrors = (errors) => assert(errors.length === 0, `console errors:\n${errors.join('\n')}`);

try {
  const browser = await launch({ webgpu: false });
  let page, errors, requests, messages, scene;
  try {
    await run('webgl2', {
      'without a WebGPU adapter the page loads the WebGL2 bundle and renders': async () => {
        // No ?present=0: WebGL2 presents fine in headless Chromium, so this also checks the real canvas.
        ({ page, errors, requests, messages } = await open(browser, server.url, demoViewport));
        assert(await page.evaluate(() => document.body.dataset.ready) === 'true', 'page reported an error');
        const info = await page.evaluate(async () => ({
          stats: window.engine.stats(), bundle: window.demo.bundle,
          gpu: !!navigator.gpu, adapter: !!(await navigator.gpu?.requestAdapter()),
        }));
        assert(!info.adapter, 'this browser unexpectedly has a WebGPU adapter; the test would prove nothing');
        assert(info.stats.backend === 'webgl2', `backend ${info.stats.backend}`);
        assert(info.bundle === 'webgl2', `bundle ${info.bundle}`);
        assert(requests.some((u) => u.includes('/pkg-webgl2/app_wasm_bg.wasm')), 'the WebGL2 bundle was not fetched');
        assert(!requests.some((u) => u.includes('/pkg/app_wasm')), 'the WebGPU-only bundle was fetched too');
        scene = await page.evaluate(() => window.scene);
        const image = await settledPixels(page);
        savePng(image, join(outDir, 'webgl2-01-loaded.png'));
        assert(image.width === 320 && image.height === 240, `drawing buffer ${image.width}x${image.height}`);
        const colours = distinctColours(image);
        assert(colours > 100, `image looks blank: only ${colours} distinct colours`);
        assert(info.stats.nodes === 6, `nodes ${info.stats.nodes}`);
        // What a person sees: the presented canvas in a page screenshot is the scene, not a blank.
        const shot = decodePng(await page.screenshot({ path: join(outDir, 'webgl2-01-page.png') }));
        const shown = distinctColours(shot);
        assert(shown > 100, `the presented canvas looks blank in a page screenshot (${shown} colours)`);
        noErrors(errors);
      },

      'click selection, the radius slider and the AOV selector work on WebGL2 too': async () => {
        const clay = scene.byName.clay;
        const before = await settledPixels(page);
        const point = await findPickPoint(page, clay);
        assert(point, 'clay sphere not found by pick');
        await page.mouse.click(point.x, point.y);
        await page.waitForFunction((id) => window.engine.selected() === id, clay, { timeout: 10_000 });
        const selected = await settledPixels(page);
        savePng(selected, join(outDir, 'webgl2-02-selected.png'));
        assert(differingPixels(before, selected) > 50, 'the selection highlight is not visible');

        await page.locator('#radius').fill('1.6');
        await page.waitForFunction((id) => Math.abs(window.engine.get_node(id).radius - 1.6) < 1e-6, clay, { timeout: 10_000 });
        const bigger = await settledPixels(page);
        savePng(bigger, join(outDir, 'webgl2-03-radius.png'));
        assert(differingPixels(selected, bigger) > 500, 'radius change not visible');

        await page.selectOption('#aov', 'normal');
        const normals = await settledPixels(page);
        savePng(normals, join(outDir, 'webgl2-04-aov-normal.png'));
        assert(differingPixels(bigger, normals) > 2000, 'normal AOV not visible');
        await page.selectOption('#aov', 'beauty');
        noErrors(errors);
      },

      '?backend=webgpu without an adapter loads the WebGPU bundle and says WebGPU is missing': async () => {
        const forced = await open(browser, `${server.url}?backend=webgpu`, demoViewport);
        try {
          assert(await forced.page.evaluate(() => document.body.dataset.ready) === 'error', 'the page did not report the failure');
          assert(forced.requests.some((u) => u.includes('/pkg/app_wasm_bg.wasm')), 'the WebGPU bundle was not fetched');
          assert(!forced.requests.some((u) => u.includes('/pkg-webgl2/')), 'the WebGL2 bundle was fetched for a forced WebGPU');
          const text = await forced.page.locator('#error').textContent();
          assert(/no WebGPU adapter/.test(text), `message: ${text}`);
        } finally {
          await forced.page.close();
        }
      },

      'device loss on WebGL2 recovers with the same image': async () => {
        await page.evaluate(() => window.demo.panel.select(undefined));
        const before = await settledPixels(page);
        await page.evaluate(() => window.engine.debug_lose_device());
        await waitFrames(page, 10);
        await page.waitForFunction(() => window.engine.stats().device_losses >= 1, null, { timeout: 60_000, polling: 200 });
        const after = await settledPixels(page);
        savePng(before, join(outDir, 'webgl2-05-before-loss.png'));
        savePng(after, join(outDir, 'webgl2-05-after-loss.png'));
        const stats = await page.evaluate(() => window.engine.stats());
        assert(stats.device_losses === 1, `device_losses ${stats.device_losses}`);
        const off = differingPixelsBeyond(before, after, 3);
        assert(off <= before.pixels.length / 4 / 200, `${off} pixels differ after recovery`);
        const unexpected = errors.filter((e) => !/lost|destroy/i.test(e));
        assert(unexpected.length === 0, `console errors:\n${unexpected.join('\n')}`);
        if (errors.length) console.log(`     (console errors during the loss, allowed: ${errors.join(' | ')})`);
      },
    });
  } finally {
    if (messages?.length) console.log(`     webgl2 page console: ${messages.length} messages; first: ${messages.slice(0, 3).join(' | ')}`);
    await browser.close();
  }

  // One backend per bundle (API.md): the WebGL2 bundle carries no WebGPU backend, so even where WebGPU
  // works it draws with WebGL2, and a request for WebGPU is refused by name, not silently downgraded.
  const withWebGpu = await launch({ webgpu: true });
  try {
    await run('webgl2-bundle', {
      'the WebGL2 bundle draws with WebGL2 where WebGPU works, and refuses "webgpu" naming its bundle': async () => {
        const p = await withWebGpu.newPage();
        await p.goto(`${server.url}no-page-here`); // any page of the origin: the test imports the bundle itself
        const out = await p.evaluate(async () => {
          const adapter = !!(await navigator.gpu?.requestAdapter());
          const m = await import('/pkg-webgl2/app_wasm.js');
          await m.default();
          const canvas = () => Object.assign(document.createElement('canvas'), { width: 64, height: 48 });
          const engine = await m.Engine.create(canvas(), { present: false });
          engine.add_sphere(0, 0, 0, 1);
          engine.frame_all();
          engine.render_frame(0);
          const pixels = await engine.read_pixels();
          let lit = 0;
          for (let i = 0; i < pixels.length; i += 4) if (pixels[i] + pixels[i + 1] + pixels[i + 2] > 60) lit++;
          const backend = engine.stats().backend;
          engine.free();
          let refused;
          try {
            (await m.Engine.create(canvas(), { backend: 'webgpu' })).free();
          } catch (error) {
            refused = String(error?.message ?? error);
          }
          return { adapter, backend, lit, refused };
        });
        assert(out.adapter, 'this browser has no WebGPU adapter; the test would prove nothing');
        assert(out.backend === 'webgl2', `the WebGL2 bundle drew with ${out.backend}`);
        assert(out.lit > 100, `only ${out.lit} lit pixels: no sphere drawn`);
        assert(out.refused !== undefined, 'backend "webgpu" was accepted by the WebGL2 bundle');
        assert(/WebGPU was requested/.test(out.refused) && /pkg-webgl2/.test(out.refused) && /pkg\/app_wasm\.js/.test(out.refused),
          `message: ${out.refused}`);
      },
    });
  } finally {
    await withWebGpu.close();
  }

  // Neither WebGPU (no adapter) nor WebGL (3D APIs disabled): Engine.create rejects.
  const bare = await launch({ webgpu: false, args: ['--disable-3d-apis', '--disable-webgl', '--disable-webgl2'] });
  try {
    await run('nobackend', {
      'without WebGPU and WebGL2 the page shows a friendly explanation': async () => {
        const { page: p, errors: errs } = await open(bare, server.url, demoViewport);
        await pageShot(p, 'nobackend-01-message.png');
        assert(await p.evaluate(() => document.body.dataset.ready) === 'error', 'page did not report the failure');
        assert(await p.locator('#error').isVisible(), 'no message shown');
        const text = await p.locator('#error').innerText();
        assert(/cannot show this 3D scene/.test(text) && /WebGPU/.test(text) && /WebGL2/.test(text), `message: ${text}`);
        assert(!(await p.locator('#panel').isVisible()), 'the editor panel is still shown without an engine');
        const pageErrors = errs.filter((e) => /Uncaught|TypeError|ReferenceError/.test(e));
        assert(pageErrors.length === 0, `uncaught errors: ${pageErrors.join('\n')}`);
      },
    });
  } finally {
    await bare.close();
  }
} finally {
  server.stop();
}
