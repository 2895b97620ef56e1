// End-to-end: the real demo page (web/) in headless Chromium, WebGPU on SwiftShader.
// Drives the page as a person would (mouse clicks, drags, wheel, touch, sliders, keyboard) and checks
// what the engine reports and what it draws (pixels read back with read_pixels). Every step saves PNGs
// under tests/out/e2e/demo-*.png.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  assert, decodePng, demoViewport, differingPixels, differingPixelsBeyond, distinctColours, findPickPoint, launch, open,
  outDir, pageShot, run, savePng, serve, settledPixels, waitFrames, watchdog,
} from './lib/harness.mjs';

watchdog(15 * 60_000, 'demo');
const server = await serve();
const browser = await launch();

const node = (page, id) => page.evaluate((id) => window.engine.get_node(id), id);
const selected = (page) => page.evaluate(() => window.engine.selected() ?? null);
const noErrors = (errors) => assert(errors.length === 0, `console errors:\n${errors.join('\n')}`);

try {
  let page, errors, requests, scene, beauty;
  await run('demo', {
    'loads without console errors and renders a non-blank scene': async () => {
      // present=0: this headless Chromium destroys the WebGPU device on a canvas getCurrentTexture().
      ({ page, errors, requests } = await open(browser, `${server.url}?present=0`, demoViewport));
      assert(await page.evaluate(() => document.body.dataset.ready) === 'true', 'page reported an error');
      scene = await page.evaluate(() => window.scene);
      const image = await settledPixels(page);
      savePng(image, join(outDir, 'demo-01-loaded.png'));
      await pageShot(page, 'demo-01-loaded-page.png');
      // 640×480 CSS px at devicePixelRatio 0.5: the drawing buffer follows CSS size × ratio.
      assert(image.width === 320 && image.height === 240, `drawing buffer ${image.width}x${image.height}, expected 320x240`);
      const colours = distinctColours(image);
      assert(colours > 100, `image looks blank: only ${colours} distinct colours`);
      const info = await page.evaluate(() => ({ stats: window.engine.stats(), bundle: window.demo.bundle }));
      assert(info.stats.backend === 'webgpu' && info.bundle === 'webgpu', `backend ${info.stats.backend}, bundle ${info.bundle}`);
      assert(info.stats.nodes === 6, `starter scene has ${info.stats.nodes} nodes, expected 6`);
      assert(requests.some((u) => u.includes('/pkg/app_wasm_bg.wasm')), 'the WebGPU bundle was not loaded');
      assert(!requests.some((u) => u.includes('/pkg-webgl2/')), 'the WebGL2 bundle was loaded although WebGPU works');
      const overlay = await page.locator('#stats').textContent();
      assert(/fps/.test(overlay) && /webgpu/.test(overlay) && /6 nodes/.test(overlay), `overlay: ${overlay}`);
      noErrors(errors);
      beauty = image;
    },

    'a click on a sphere selects it, shows it in the panel and highlights it': async () => {
      const clay = scene.byName.clay;
      const before = await settledPixels(page);
      const point = await findPickPoint(page, clay);
      assert(point, 'the clay sphere is not visible anywhere on the uncovered canvas');
      await page.mouse.click(point.x, point.y);
      await page.waitForFunction((id) => window.engine.selected() === id, clay, { timeout: 10_000 });
      assert(await page.locator('#sel-id').textContent() === clay, 'panel does not show the selected id');
      assert(await page.locator('#sel-kind').textContent() === 'Sphere', 'panel does not say Sphere');
      assert(/selected/.test(await page.locator('#sel-note').textContent()), 'panel does not say selected');
      assert(await page.locator('#delete').isEnabled(), 'delete is disabled with a selection');
      const after = await settledPixels(page);
      savePng(after, join(outDir, 'demo-02-selected.png'));
      await pageShot(page, 'demo-02-selected-page.png');
      const changed = differingPixels(before, after);
      assert(changed > 50, `the selection highlight changed only ${changed} pixels`);

      // Another sphere: the panel follows, with that sphere's radius.
      const plastic = scene.byName.plastic;
      const plasticPoint = await findPickPoint(page, plastic);
      assert(plasticPoint, 'the blue plastic sphere is not visible');
      await page.mouse.click(plasticPoint.x, plasticPoint.y);
      await page.waitForFunction((id) => window.engine.selected() === id, plastic, { timeout: 10_000 });
      assert(Number(await page.locator('#radius').inputValue()) === 0.5, 'radius slider does not show the blue sphere');

      // Empty space deselects.
      const empty = await findPickPoint(page, null);
      assert(empty, 'no empty space on the canvas');
      await page.mouse.click(empty.x, empty.y);
      await page.waitForFunction(() => window.engine.selected() === undefined, null, { timeout: 10_000 });
      assert(/first sphere/.test(await page.locator('#sel-note').textContent()), 'panel does not fall back to the first sphere');
      const deselected = await settledPixels(page);
      assert(differingPixelsBeyond(before, deselected, 2) === 0, 'after deselecting, the image is not the unselected one');
      noErrors(errors);
    },

    'moving the radius slider changes the image; Ctrl+Z and Ctrl+Shift+Z undo and redo it': async () => {
      const clay = scene.byName.clay;
      const before = await settledPixels(page);
      await page.locator('#radius').fill('2');
      await page.waitForFunction((id) => window.engine.get_node(id).radius === 2, clay, { timeout: 10_000 });
      assert(await page.locator('#radius-value').textContent() === '2.00', 'radius output not updated');
      const after = await settledPixels(page);
      savePng(after, join(outDir, 'demo-03-radius-2.png'));
      const changed = differingPixels(before, after);
      assert(changed > 1000, `only ${changed} pixels changed`);

      await page.keyboard.press('Control+z');
      await page.waitForFunction((id) => window.engine.get_node(id).radius === 1, clay, { timeout: 10_000 });
      assert(await page.locator('#radius').inputValue() === '1', 'slider not restored by undo');
      const undone = await settledPixels(page);
      savePng(undone, join(outDir, 'demo-03-radius-undone.png'));
      savePng(before, join(outDir, 'demo-03-radius-before.png'));
      // The same image, up to a few shadow-edge texels (the shadow map is refit to the scene's bounds).
      const notRestored = differingPixelsBeyond(before, undone, 2);
      assert(notRestored <= (before.width * before.height) / 1000,
        `undo did not restore the image: ${notRestored} pixels differ by more than 2`);
      if (notRestored) console.log(`     (after undo ${notRestored} pixels differ by more than 2 levels)`);

      await page.keyboard.press('Control+Shift+Z');
      await page.waitForFunction((id) => window.engine.get_node(id).radius === 2, clay, { timeout: 10_000 });
      await page.keyboard.press('Control+z');
      await page.waitForFunction((id) => window.engine.get_node(id).radius === 1, clay, { timeout: 10_000 });
      await page.keyboard.press('Control+y');
      await page.waitForFunction((id) => window.engine.get_node(id).radius === 2, clay, { timeout: 10_000 });
      await page.locator('#undo').click();
      await page.waitForFunction((id) => window.engine.get_node(id).radius === 1, clay, { timeout: 10_000 });
      noErrors(errors);
    },

    'colour and material controls edit the node (sRGB hex ↔ linear) and the image': async () => {
      const clay = scene.byName.clay;
      const before = await settledPixels(page);
      await page.locator('#color').fill('#808080');
      await page.waitForFunction((id) => Math.abs(window.engine.get_node(id).color[1] - 0.2159) < 0.002, clay, { timeout: 10_000 });
      const { color } = await node(page, clay);
      assert(color.every((c) => Math.abs(c - 0.2159) < 0.002), `#808080 should be linear 0.2159, got ${color}`);
      await page.locator('#metallic').fill('1');
      await page.locator('#roughness').fill('0.1');
      await page.waitForFunction((id) => window.engine.get_node(id).metallic === 1, clay, { timeout: 10_000 });
      const n = await node(page, clay);
      assert(Math.abs(n.roughness - 0.1) < 1e-6, `roughness ${n.roughness}`);
      const after = await settledPixels(page);
      savePng(after, join(outDir, 'demo-04-material.png'));
      savePng(before, join(outDir, 'demo-04-before.png'));
      const changed = differingPixels(before, after);
      assert(changed > 500, `colour and material changed only ${changed} pixels`);
      // One undo step per burst of edits; undo until the original colour is back (bounded).
      const isOriginal = (n) => n.metallic === 0 && Math.abs(n.color[0] - 0.8) < 1e-3;
      for (let i = 0; i < 4 && !isOriginal(await node(page, clay)); i++) await page.keyboard.press('Control+z');
      const restored = await node(page, clay);
      assert(restored.metallic === 0 && Math.abs(restored.color[0] - 0.8) < 1e-3, `undo left ${JSON.stringify(restored)}`);
      assert(await page.locator('#color').inputValue() !== '#808080', 'colour input not refreshed after undo');
      noErrors(errors);
    },

    'the AOV selector changes the image; back to beauty restores it': async () => {
      const base = await settledPixels(page);
      for (const mode of ['albedo', 'normal', 'depth', 'object_id']) {
        await page.selectOption('#aov', mode);
        await waitFrames(page, 2);
        const image = await settledPixels(page);
        savePng(image, join(outDir, `demo-05-aov-${mode}.png`));
        const changed = differingPixels(base, image);
        assert(changed > 2000, `AOV ${mode} differs from beauty in only ${changed} pixels`);
        assert(distinctColours(image) > 1, `AOV ${mode} is a uniform image`);
      }
      await page.selectOption('#aov', 'beauty');
      const back = await settledPixels(page);
      assert(differingPixelsBeyond(base, back, 2) === 0, 'beauty after the AOVs differs from beauty before');
      noErrors(errors);
    },

    'add sphere/box/plane, edit their own sizes, delete, undo the delete': async () => {
      const count = () => page.evaluate(() => window.engine.node_ids().length);
      const n0 = await count();
      await page.locator('#add-box').click();
      assert(await count() === n0 + 1, 'add box did not add a node');
      const box = await selected(page);
      assert(box && (await node(page, box)).kind === 'box', 'the new box is not selected');
      assert(await page.locator('#ext-x').isVisible() && !(await page.locator('#radius').isVisible()), 'box fields not shown');
      await page.locator('#ext-y').fill('2.5');
      await page.waitForFunction((id) => window.engine.get_node(id).extents[1] === 2.5, box, { timeout: 10_000 });
      await page.locator('#pos-y').fill('1.25');
      await page.waitForFunction((id) => window.engine.get_node(id).position[1] === 1.25, box, { timeout: 10_000 });
      // Holding a position slider announces the box as dragged (awareness `dragging`); letting go ends it.
      const dragging = () => page.evaluate(() => window.engine.presence().dragging);
      await page.locator('#pos-x').evaluate((el) => { el.value = '0.5'; el.dispatchEvent(new Event('input', { bubbles: true })); });
      assert(await dragging() === box, `while the slider is held, presence says dragging ${await dragging()}`);
      await page.locator('#pos-x').evaluate((el) => el.dispatchEvent(new Event('change', { bubbles: true })));
      assert(await dragging() === null, `after letting go, presence says dragging ${await dragging()}`);

      await page.locator('#add-plane').click();
      const plane = await selected(page);
      assert(plane && (await node(page, plane)).kind === 'plane', 'the new plane is not selected');
      assert(await page.locator('#plane-size').isVisible(), 'plane size not shown');
      await page.locator('#plane-size').fill('3');
      await page.waitForFunction((id) => window.engine.get_node(id).size === 3, plane, { timeout: 10_000 });

      await page.locator('#add-sphere').click();
      const sphere = await selected(page);
      assert(sphere && (await node(page, sphere)).kind === 'sphere', 'the new sphere is not selected');
      assert(await count() === n0 + 3, 'expected three new nodes');
      const withNew = await settledPixels(page);
      savePng(withNew, join(outDir, 'demo-06-added.png'));
      await pageShot(page, 'demo-06-added-page.png');

      await page.waitForTimeout(600); // edits less than 500 ms apart are one undo step
      await page.locator('#delete').click();
      assert(await count() === n0 + 2, 'delete did not remove the node');
      assert(await selected(page) === null, 'the deleted node is still selected');
      await page.waitForTimeout(600); // the next edit must not merge into the delete's undo step
      await page.keyboard.press('Control+z');
      assert(await count() === n0 + 3, 'undo did not bring the deleted node back');
      // Canvas focus: Delete key removes the selection too.
      await page.evaluate((id) => window.demo.panel.select(id), sphere);
      await page.locator('#view').focus();
      await page.keyboard.press('Delete');
      assert(await count() === n0 + 2, 'the Delete key did not remove the selection');
      noErrors(errors);
    },

    'the screenshot button downloads a PNG of the view': async () => {
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.locator('#screenshot').click()]);
      const path = join(outDir, 'demo-07-screenshot-download.png');
      await download.saveAs(path);
      const png = readFileSync(path);
      assert(png.subarray(1, 4).toString() === 'PNG', 'the download is not a PNG');
      const width = png.readUInt32BE(16);
      const height = png.readUInt32BE(20);
      assert(width === 320 && height === 240, `screenshot is ${width}x${height}, expected the drawing buffer 320x240`);
      assert(/^scene-\d{8}-\d{6}\.png$/.test(download.suggestedFilename()), `file name ${download.suggestedFilename()}`);
      // The file holds the view itself: the same pixels as read_pixels (opaque).
      const view = await settledPixels(page);
      const saved = decodePng(png);
      const off = differingPixelsBeyond(view, saved, 1);
      assert(off === 0, `the downloaded PNG differs from read_pixels in ${off} pixels`);
      noErrors(errors);
    },

    'mouse orbit, right-drag pan and wheel zoom move the camera without selecting': async () => {
      await page.evaluate(() => window.demo.panel.select(undefined));
      const empty = await findPickPoint(page, null);
      let image = await settledPixels(page);
      const step = async (label, gesture) => {
        await gesture();
        const next = await settledPixels(page);
        savePng(next, join(outDir, `demo-08-${label}.png`));
        const changed = differingPixels(image, next);
        assert(changed > 500, `${label} changed only ${changed} pixels`);
        assert(await selected(page) === null, `${label} selected something`);
        image = next;
      };
      await step('orbit', async () => {
        await page.mouse.move(empty.x, empty.y);
        await page.mouse.down();
        for (let i = 1; i <= 8; i++) await page.mouse.move(empty.x + i * 8, empty.y + i * 2);
        await page.mouse.up();
      });
      await step('pan', async () => {
        await page.mouse.move(empty.x, empty.y);
        await page.mouse.down({ button: 'right' });
        for (let i = 1; i <= 8; i++) await page.mouse.move(empty.x - i * 6, empty.y + i * 3);
        await page.mouse.up({ button: 'right' });
      });
      await step('wheel-zoom', async () => {
        await page.mouse.move(empty.x, empty.y);
        await page.mouse.wheel(0, -300);
      });
      await step('frame-all', () => page.locator('#frame-all').click());
      noErrors(errors);
    },

    'touch: one finger orbits, two fingers pan and pinch zooms': async () => {
      const cdp = await page.context().newCDPSession(page);
      const touch = (type, points) => cdp.send('Input.dispatchTouchEvent', {
        type, touchPoints: points.map(([x, y], id) => ({ x, y, id, radiusX: 1, radiusY: 1, force: 1 })),
      });
      const stats = () => page.evaluate(() => window.engine.stats());
      const { width } = await page.evaluate(() => ({ width: innerWidth }));
      const x0 = width * 0.3;
      const y0 = 200;
      let image = await settledPixels(page);
      const expectChange = async (label) => {
        const next = await settledPixels(page);
        savePng(next, join(outDir, `demo-09-touch-${label}.png`));
        const changed = differingPixels(image, next);
        assert(changed > 500, `touch ${label} changed only ${changed} pixels`);
        image = next;
      };
      await touch('touchStart', [[x0, y0]]);
      for (let i = 1; i <= 6; i++) await touch('touchMove', [[x0 + i * 8, y0]]);
      await touch('touchEnd', []);
      await expectChange('orbit');
      await touch('touchStart', [[x0, y0], [x0 + 60, y0]]);
      for (let i = 1; i <= 6; i++) await touch('touchMove', [[x0 + i * 5, y0 + i * 5], [x0 + 60 + i * 5, y0 + i * 5]]);
      await touch('touchEnd', []);
      await expectChange('two-finger-pan');
      await touch('touchStart', [[x0, y0], [x0 + 40, y0]]);
      for (let i = 1; i <= 6; i++) await touch('touchMove', [[x0 - i * 8, y0], [x0 + 40 + i * 8, y0]]);
      await touch('touchEnd', []);
      await expectChange('pinch');
      assert((await stats()).nodes > 0, 'engine lost its nodes');
      await cdp.detach();
      noErrors(errors);
    },

    '?role=viewer: view only, the editing controls disabled, edits refused': async () => {
      const viewer = await open(browser, `${server.url}?present=0&persist=0&role=viewer`, demoViewport);
      const state = await viewer.page.evaluate(() => {
        const before = window.engine.node_ids().length;
        document.getElementById('add-sphere').click();
        let error = null;
        try { window.engine.add_box(0, 0, 0, 1, 1, 1); } catch (e) { error = String(e.message); }
        return {
          readOnly: window.engine.is_read_only(), cls: document.body.classList.contains('read-only'),
          added: window.engine.node_ids().length - before, error,
        };
      });
      assert(state.readOnly && state.cls, `read-only ${state.readOnly}, body class ${state.cls}`);
      assert(state.added === 0, `a viewer added ${state.added} nodes`);
      assert(/read-only/.test(state.error ?? ''), `edit call: ${state.error}`);
      await viewer.page.close();
    },
  });
} finally {
  await browser.close();
  server.stop();
}
