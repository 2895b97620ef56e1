// End-to-end: the real demo page (web/) in headless Chromium, WebGPU on SwiftShader.
import { join } from 'node:path';
import { assert, differingPixels, launch, open, outDir, readPixels, run, savePng, serve } from './lib/harness.mjs';

const server = await serve();
const browser = await launch();
try {
  let page, errors;
  await run('demo', {
    'loads without console errors and renders a lit sphere': async () => {
      // present=0: this headless Chromium destroys the WebGPU device on a canvas getCurrentTexture().
      ({ page, errors } = await open(browser, `${server.url}?present=0`));
      assert(await page.evaluate(() => document.body.dataset.ready) === 'true', 'page reported an error');
      await page.waitForTimeout(300);
      const image = await readPixels(page);
      assert(image.width === 320 && image.height === 240, `drawing buffer ${image.width}x${image.height}`);
      const centre = ((image.height / 2) * image.width + image.width / 2) * 4;
      const [r, g, b] = image.pixels.slice(centre, centre + 3);
      const [br, bg, bb] = image.pixels.slice(0, 3);
      // The default material is light grey: lit, the centre is bright and neutral.
      assert(r > 180 && Math.abs(r - g) < 16 && Math.abs(r - b) < 16, `centre pixel is not the lit sphere: ${[r, g, b]}`);
      assert(r !== br || g !== bg || b !== bb, 'centre equals background');
      savePng(image, join(outDir, 'demo-loaded.png'));
      assert(errors.length === 0, `console errors: ${errors.join('\n')}`);
    },
    'moving the radius slider changes the image': async () => {
      const before = await readPixels(page);
      await page.locator('#radius').fill('2');
      await page.waitForTimeout(300);
      const after = await readPixels(page);
      const changed = differingPixels(before, after);
      assert(changed > 1000, `only ${changed} pixels changed`);
      savePng(after, join(outDir, 'demo-radius-2.png'));
      const stats = await page.evaluate(() => window.engine.stats());
      assert(stats.backend === 'webgpu' && stats.nodes === 1, `stats ${JSON.stringify(stats)}`);
      assert(errors.length === 0, `console errors: ${errors.join('\n')}`);
    },
  });
} finally {
  await browser.close();
  server.stop();
}
