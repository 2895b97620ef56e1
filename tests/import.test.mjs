// End-to-end: importing glTF models in the demo page, the way users do it, on WebGPU and on WebGL2.
//   1. The importer module (web/pkg-gltf) is not downloaded until the first import; import_gltf then
//      loads it from beside the engine bundle, and the model draws (textured) and adds its nodes.
//   2. "Import model…": a .gltf chosen in the file picker is imported, framed and selected; so is a .gltf
//      whose buffer and texture sit in subfolders, chosen with its files (bare names); a file the
//      engine refuses shows its error in the panel and adds nothing.
//   3. After a reload the model comes back from IndexedDB and draws textured, the same picture as before.
//   4. All of it again with the WebGL2 bundle (no WebGPU adapter), which loads the importer from its own folder.
// PNGs under tests/out/e2e/import-*.png.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  assert, demoViewport, differingPixelsBeyond, distinctColours, launch, open, outDir, root, run, savePng, serve,
  settledPixels, until, watchdog,
} from './lib/harness.mjs';

watchdog(10 * 60_000, 'import');
const server = await serve();
const boxTextured = readFileSync(join(root, 'tests/gltf/BoxTextured.gltf'));

/** Imports `bytes` (base64 across the boundary) in the page with engine.import_gltf. */
function importInPage(page, bytes) {
  return page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const before = window.engine.node_ids().length;
    try {
      const result = await window.engine.import_gltf(bytes);
      window.engine.frame_all();
      return { ok: true, result, added: window.engine.node_ids().length - before };
    } catch (error) {
      return { ok: false, message: String(error.message), added: window.engine.node_ids().length - before };
    }
  }, Buffer.from(bytes).toString('base64'));
}

/** `query`: the demo's URL parameters (WebGPU uses `?present=0`: this headless Chromium destroys the
 * WebGPU device on a canvas getCurrentTexture(); see demo.test.mjs). */
async function importSteps(label, browser, query = '') {
  let page, requests, errors, before;
  return {
    [`${label}: the importer module loads on the first import, and the model draws`]: async () => {
      ({ page, requests, errors } = await open(browser, server.url + query, demoViewport));
      assert(!requests.some((u) => u.includes('/pkg-gltf/')), 'the importer module was fetched before any import');
      before = await settledPixels(page);
      const { ok, result, added, message } = await importInPage(page, boxTextured);
      assert(ok, `import_gltf rejected: ${message}`);
      assert(added === 3 && result.roots.length === 1, `added ${added} nodes, roots ${JSON.stringify(result?.roots)}`);
      assert(requests.some((u) => u.includes('/pkg-gltf/app_wasm_bg.wasm')), 'the importer module was not fetched');
      const after = await settledPixels(page);
      savePng(after, join(outDir, `import-${label}-model.png`));
      assert(differingPixelsBeyond(before, after, 12) > 2000, 'the picture did not change');
      assert(errors.length === 0, `console errors:\n${errors.join('\n')}`);
    },
    [`${label}: a second import reuses the loaded module and stores no asset twice`]: async () => {
      const count = requests.filter((u) => u.includes('/pkg-gltf/app_wasm_bg.wasm')).length;
      const size = await page.evaluate(() => window.engine.encode_state().length);
      const { ok, added } = await importInPage(page, boxTextured);
      assert(ok && added === 3, `second import: ok ${ok}, added ${added}`);
      assert(requests.filter((u) => u.includes('/pkg-gltf/app_wasm_bg.wasm')).length === count, 'fetched again');
      const grown = (await page.evaluate(() => window.engine.encode_state().length)) - size;
      assert(grown < 2000, `the document grew by ${grown} bytes: assets were stored again`);
      assert(await page.evaluate(() => window.engine.undo()), 'undo');
    },
    [`${label}: Import model… imports, frames and selects; a refused file shows why`]: async () => {
      const file = join(outDir, 'BoxTextured.gltf');
      writeFileSync(file, boxTextured);
      await page.setInputFiles('#import-input', file);
      await until(() => page.evaluate(() => document.getElementById('import-status').textContent.startsWith('Imported')),
        60_000, 'the import status');
      const kind = await page.evaluate(() => document.getElementById('sel-kind').textContent);
      assert(kind === 'Group', `selection shows ${kind}`);
      const image = await settledPixels(page);
      savePng(image, join(outDir, `import-${label}-picker.png`));
      assert(distinctColours(image) > 100, 'the page looks blank');
      // A .gltf with its buffer and texture in subfolders, chosen with its files: the picker gives bare
      // file names, and the engine finds "data/box.bin" and "textures/logo.png" by them.
      const gltf = JSON.parse(boxTextured.toString('utf8'));
      const fromDataUri = (uri) => Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64');
      writeFileSync(join(outDir, 'box.bin'), fromDataUri(gltf.buffers[0].uri));
      writeFileSync(join(outDir, 'logo.png'), fromDataUri(gltf.images[0].uri));
      gltf.buffers[0].uri = 'data/box.bin';
      gltf.images[0].uri = 'textures/logo.png';
      writeFileSync(join(outDir, 'external.gltf'), JSON.stringify(gltf));
      const nodesBefore = await page.evaluate(() => window.engine.node_ids().length);
      const boxRoot = await page.evaluate(() => window.engine.selected());
      await page.setInputFiles('#import-input', ['external.gltf', 'box.bin', 'logo.png'].map((f) => join(outDir, f)));
      await until(() => page.evaluate((n) => window.engine.node_ids().length === n + 3
        && document.getElementById('import-status').textContent.startsWith('Imported'), nodesBefore),
      60_000, 'the model with external files');
      assert(await page.evaluate(() => window.engine.undo()), 'undo the external-file import');
      await page.evaluate((id) => window.engine.select(id), boxRoot); // the next step moves the first model
      const bad = join(outDir, 'broken.glb');
      writeFileSync(bad, Buffer.from('glTF\x02\0\0\0\xff\xff\xff\x7f', 'binary'));
      const count = await page.evaluate(() => window.engine.node_ids().length);
      await page.setInputFiles('#import-input', bad);
      await until(() => page.evaluate(() => document.getElementById('import-status').classList.contains('error')),
        60_000, 'the error status');
      const status = await page.evaluate(() => document.getElementById('import-status').textContent);
      assert(/GLB/.test(status), `status: ${status}`);
      assert(await page.evaluate(() => window.engine.node_ids().length) === count, 'a refused file added nodes');
    },
    [`${label}: the imported model comes back from IndexedDB after a reload, textured`]: async () => {
      // The imported model (the picker selected its root), lifted above the starter scene and filling the view.
      const camera = { position: [2.2, 3.6, 2.8], target: [0, 2.5, 0], fov_y_deg: 45 };
      await page.evaluate((c) => {
        const root = window.engine.selected();
        window.engine.set_position(root, 0, 2.5, 0);
        window.engine.set_scale(root, 1.6, 1.6, 1.6);
        window.engine.set_camera(c);
      }, camera);
      const ids = await page.evaluate(() => window.engine.node_ids());
      const before = await settledPixels(page);
      assert(distinctColours(before) > 300, `the textured model does not fill the view (${distinctColours(before)} colours)`);
      savePng(before, join(outDir, `import-${label}-before-reload.png`));
      await page.reload();
      await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 90_000 });
      const after = await page.evaluate(() => window.engine.node_ids());
      assert(JSON.stringify(after) === JSON.stringify(ids), `nodes after reload: ${after.length}, before: ${ids.length}`);
      const kinds = await page.evaluate(() => window.engine.node_ids().map((id) => window.engine.get_node(id).kind));
      assert(kinds.includes('mesh'), `no mesh node after the reload: ${kinds}`);
      // The same view as before the reload: its textures decode again from the stored image asset.
      await page.evaluate((c) => window.engine.set_camera(c), camera);
      let image;
      await until(async () => {
        image = await settledPixels(page);
        return differingPixelsBeyond(before, image, 24) < 200;
      }, 60_000, 'the reloaded picture');
      savePng(image, join(outDir, `import-${label}-reloaded.png`));
      await page.close();
    },
  };
}

try {
  const webgpu = await launch();
  const webgl2 = await launch({ webgpu: false });
  try {
    await run('import', {
      ...(await importSteps('webgpu', webgpu, '?present=0')),
      ...(await importSteps('webgl2', webgl2)),
    });
  } finally {
    await webgpu.close();
    await webgl2.close();
  }
} finally {
  server.stop();
}
