// End-to-end: the npm package (packages/engine) as a user gets it. `npm pack` makes the tarball; a fresh
// project (tests/out/package-example, from the template tests/package-example/) installs only that tarball,
// bundles its main.js with plain esbuild (`--loader:.wasm=file`, code splitting) and loads the page in
// headless Chromium twice: with a WebGPU adapter (init() must load the WebGPU-only bundle and never fetch the
// WebGL2 one) and without (init() must fall back to the WebGL2 bundle by itself). Both must draw a lit
// sphere, import a glTF through the bundled importer, and load two models with external files through
// loadGltf (a .gltf with its buffer and texture in subfolders, a GLB with its texture beside it). Then
// `tsc --strict --noEmit`: types-ok.ts (every export of every entry point) must pass, and
// types-bad.ts must fail on exactly its marked lines. The two renders: tests/out/e2e/package-*.png.
// Needs both bundles: `bash scripts/build-web.sh` (it also copies them into packages/engine/dist/).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packGlb } from '../bench/gltf-model.mjs';
import { assert, launch, open, outDir as e2eDir, root, run, savePng, serve, watchdog } from './lib/harness.mjs';

watchdog(8 * 60_000, 'package');

const packageDir = join(root, 'packages/engine');
const template = join(root, 'tests/package-example');
const work = join(root, 'tests/out/package-example');
const outDir = join(work, 'dist');
const tsc = join(root, 'tests/node_modules/typescript/bin/tsc');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
let tarball;
let server;
let wasmOf = {}; // bundle name → the esbuild output file name of its .wasm

/** Runs tsc --strict --noEmit on one file of the example; resolves to { status, output }. */
function typeCheck(file) {
  const result = spawnSync(process.execPath, [
    tsc, '--strict', '--noEmit', '--skipLibCheck', 'false', '--target', 'es2022', '--module', 'esnext',
    '--moduleResolution', 'bundler', '--lib', 'es2022,dom,dom.iterable', '--pretty', 'false', file,
  ], { cwd: work, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Loads the example page in a browser launched with or without WebGPU; returns { result, requests, errors }. */
async function loadExample(webgpu) {
  const browser = await launch({ webgpu });
  try {
    const { page, errors, requests } = await open(browser, server.url, { width: 320, height: 240 });
    const result = await page.evaluate(() => window.result);
    const base64 = await page.evaluate(() => {
      const pixels = window.pixels ?? new Uint8Array(0);
      let binary = '';
      for (let i = 0; i < pixels.length; i += 0x8000) binary += String.fromCharCode.apply(null, pixels.subarray(i, i + 0x8000));
      return btoa(binary);
    });
    const pixels = new Uint8Array(Buffer.from(base64, 'base64'));
    if (result.width && pixels.length === result.width * result.height * 4) {
      savePng({ width: result.width, height: result.height, pixels }, join(e2eDir, `package-${webgpu ? 'webgpu' : 'no-webgpu'}.png`));
    }
    const adapter = await page.evaluate(async () => !!(await navigator.gpu?.requestAdapter()));
    return { result, requests, errors, adapter };
  } finally {
    await browser.close();
  }
}

/**
 * The models the example page loads with loadGltf, made from the Khronos BoxTextured sample: a .gltf
 * whose buffer and texture are files in subfolders, and a GLB (geometry in its BIN chunk) whose texture
 * is a file beside it.
 */
function writeModels(dir) {
  const gltf = JSON.parse(readFileSync(join(root, 'tests/gltf/BoxTextured.gltf'), 'utf8'));
  const fromDataUri = (uri) => Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64');
  const bin = fromDataUri(gltf.buffers[0].uri);
  const png = fromDataUri(gltf.images[0].uri);
  mkdirSync(join(dir, 'data'), { recursive: true });
  mkdirSync(join(dir, 'textures'), { recursive: true });
  writeFileSync(join(dir, 'data/box.bin'), bin);
  writeFileSync(join(dir, 'textures/logo.png'), png);
  writeFileSync(join(dir, 'logo.png'), png);
  writeFileSync(join(dir, 'external.gltf'), JSON.stringify({
    ...gltf, buffers: [{ ...gltf.buffers[0], uri: 'data/box.bin' }], images: [{ uri: 'textures/logo.png' }],
  }));
  writeFileSync(join(dir, 'external-image.glb'),
    packGlb({ ...gltf, buffers: [{ byteLength: bin.length }], images: [{ uri: 'logo.png' }] }, bin));
}

/** The checks both backends share: the page ran, drew a lit sphere on its background, and cleaned up. */
function checkRendered({ result, errors }, backend) {
  assert(!result.error, `the example page failed:\n${result.error}`);
  assert(errors.length === 0, `console errors:\n${errors.join('\n')}`);
  assert(result.bundle === backend, `init() loaded the ${result.bundle} bundle, expected ${backend}`);
  assert(result.backend === backend, `stats().backend is ${result.backend}, expected ${backend}`);
  assert(result.width === 320 && result.height === 240, `drawing buffer ${result.width}x${result.height}`);
  assert(result.bytes === 320 * 240 * 4, `read_pixels gave ${result.bytes} bytes`);
  const [r, g, b] = result.center;
  const [br, bg, bb] = result.corner;
  const difference = Math.abs(r - br) + Math.abs(g - bg) + Math.abs(b - bb);
  assert(difference > 60, `the centre pixel ${result.center} is too close to the background ${result.corner}: no sphere`);
  assert(r > g && r > b, `the centre pixel ${result.center} is not the sphere's red-orange`);
  assert(result.shades > 20, `the sphere's middle has ${result.shades} colours: not shaded (lit) like a sphere`);
  assert(result.node.kind === 'sphere' && result.node.radius === 1, `get_node: ${JSON.stringify(result.node)}`);
  assert(result.isEngine, 'the engine is not an instance of the exported Engine');
  assert(/init\(\)/.test(result.beforeInit), `Engine.create before init(): ${result.beforeInit}`);
  assert(result.zoomedOut, 'a wheel event through @yscene/engine/controls did not zoom the camera out');
  assert(result.sceneFileBytes > 10 && result.room === 'demo', 'the @yscene/engine/collab exports did not work');
  assert(result.liveBeforeFree === 1 && result.liveAfterFree === 0, `live engines ${result.liveBeforeFree} → ${result.liveAfterFree}`);
  assert(result.gltfKind === 'mesh', `import_gltf through the bundled importer module gave a ${result.gltfKind} root`);
  const { loaded } = result;
  const files = ['external.gltf', 'data/box.bin', 'textures/logo.png']
    .reduce((sum, f) => sum + statSync(join(outDir, 'models', f)).size, 0);
  assert(loaded && loaded.gltfNodes === 2 && loaded.glbNodes === 2, `loadGltf with external files: ${JSON.stringify(loaded)}`);
  assert(loaded.progress?.loaded === files && [0, files].includes(loaded.progress.total),
    `loadGltf's last progress ${JSON.stringify(loaded.progress)}, for ${files} bytes in three files`);
}

const wasmRequests = (requests) => requests.filter((u) => /\.wasm(\?|$)/.test(u)).map((u) => new URL(u).pathname.slice(1));

try {
  await run('package', {
    'npm pack gives a tarball with the entry points, their types and both bundles': async () => {
      const missing = ['dist/pkg/app_wasm_bg.wasm', 'dist/pkg-webgl2/app_wasm_bg.wasm', 'dist/controls.js', 'dist/collab/guard.js']
        .filter((path) => !existsSync(join(packageDir, path)));
      assert(missing.length === 0, `packages/engine/${missing.join(', ')} missing: run \`bash scripts/build-web.sh\` (both bundles) first`);
      rmSync(work, { recursive: true, force: true });
      mkdirSync(work, { recursive: true });
      const packed = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', work], {
        cwd: packageDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
      }))[0];
      tarball = join(work, packed.filename);
      const files = packed.files.map((f) => f.path);
      for (const entry of Object.values(manifest.exports)) {
        for (const path of typeof entry === 'string' ? [entry] : Object.values(entry)) {
          assert(files.includes(path.replace(/^\.\//, '')), `the tarball lacks ${path} (named in "exports")`);
        }
      }
      for (const bundle of ['pkg', 'pkg-webgl2']) {
        for (const file of ['app_wasm.js', 'app_wasm_bg.wasm', 'app_wasm.d.ts']) {
          assert(files.includes(`dist/${bundle}/${file}`), `the tarball lacks dist/${bundle}/${file}`);
        }
      }
      for (const file of ['broadcast', 'file', 'guard', 'hocuspocus', 'hub', 'indexeddb', 'presence', 'websocket']) {
        assert(files.includes(`dist/collab/${file}.js`), `the tarball lacks dist/collab/${file}.js`);
      }
      // One source: the shared modules in the tarball are the demo's files, byte for byte.
      assert(readFileSync(join(packageDir, 'dist/controls.js'), 'utf8') === readFileSync(join(root, 'web/controls.js'), 'utf8'),
        'packages/engine/dist/controls.js differs from web/controls.js: run scripts/build-web.sh again');
      const stray = files.filter((f) => /check-dist|\.tgz$|node_modules/.test(f));
      assert(stray.length === 0, `the tarball carries ${stray.join(', ')}`);
      console.log(`     ${packed.filename}: ${files.length} files, ${(packed.size / 1e6).toFixed(2)} MB packed, ${(packed.unpackedSize / 1e6).toFixed(2)} MB unpacked`);
    },

    'the hand-written Engine declares exactly the methods each bundle exports': async () => {
      /** Method names (statics too) of `class Engine` in a .d.ts, wasm-bindgen's or ours. */
      const methods = (path) => {
        const text = readFileSync(path, 'utf8');
        const body = text.slice(text.search(/export (declare )?class Engine \{/));
        const end = body.search(/\n\}/);
        return new Set([...body.slice(0, end).matchAll(/^\s+(?:static\s+)?([a-z_][a-z0-9_]*)\(/gm)].map((m) => m[1]));
      };
      const ours = methods(join(packageDir, 'engine.d.ts'));
      for (const bundle of ['pkg', 'pkg-webgl2']) {
        const generated = methods(join(packageDir, `dist/${bundle}/app_wasm.d.ts`));
        const undeclared = [...generated].filter((m) => !ours.has(m));
        const extra = [...ours].filter((m) => !generated.has(m));
        assert(generated.size > 40, `only ${generated.size} methods found in dist/${bundle}/app_wasm.d.ts`);
        assert(undeclared.length === 0, `packages/engine/engine.d.ts lacks ${undeclared.join(', ')} (exported by dist/${bundle})`);
        assert(extra.length === 0, `packages/engine/engine.d.ts declares ${extra.join(', ')}, which dist/${bundle} does not export`);
      }
      console.log(`     ${ours.size} methods, the same in both bundles`);
    },

    'a fresh project installs the tarball offline and bundles it with esbuild': async () => {
      for (const file of readdirSync(template)) cpSync(join(template, file), join(work, file));
      writeFileSync(join(work, 'package.json'), `${JSON.stringify({ name: 'package-example', private: true, type: 'module' }, null, 2)}\n`);
      execFileSync(npm, ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], {
        cwd: work, stdio: ['ignore', 'inherit', 'inherit'],
      });
      const installed = JSON.parse(readFileSync(join(work, 'node_modules/@yscene/engine/package.json'), 'utf8'));
      assert(installed.name === manifest.name && installed.version === manifest.version, `installed ${installed.name}@${installed.version}`);
      const esbuild = await import(join(root, 'tests/node_modules/esbuild/lib/main.js'));
      const built = await esbuild.build({
        absWorkingDir: work, entryPoints: ['main.js'], bundle: true, format: 'esm', splitting: true,
        outdir: outDir, loader: { '.wasm': 'file' }, metafile: true, logLevel: 'warning',
      });
      cpSync(join(work, 'index.html'), join(outDir, 'index.html'));
      writeModels(join(outDir, 'models'));
      // Which output .wasm is which bundle's: esbuild names them app_wasm_bg-HASH.wasm.
      for (const [output, info] of Object.entries(built.metafile.outputs)) {
        const input = Object.keys(info.inputs)[0] ?? '';
        if (!output.endsWith('.wasm')) continue;
        const bundle = input.includes('/dist/pkg-webgl2/') ? 'webgl2' : input.includes('/dist/pkg/') ? 'webgpu'
          : input.includes('/dist/pkg-gltf/') ? 'gltf' : null;
        assert(bundle, `unexpected wasm output ${output} from ${input}`);
        wasmOf[bundle] = output.split('/').pop();
      }
      assert(wasmOf.webgpu && wasmOf.webgl2 && wasmOf.gltf, `esbuild emitted ${JSON.stringify(wasmOf)}: both bundles' and the glTF importer's .wasm expected`);
      for (const [bundle, file] of Object.entries(wasmOf)) {
        const from = join(packageDir, `dist/${{ webgpu: 'pkg', webgl2: 'pkg-webgl2', gltf: 'pkg-gltf' }[bundle]}/app_wasm_bg.wasm`);
        assert(statSync(join(outDir, file)).size === statSync(from).size, `${file} is not the ${bundle} bundle's wasm`);
      }
      const chunks = readdirSync(outDir).filter((f) => f.endsWith('.js'));
      assert(chunks.length >= 3, `esbuild --splitting made ${chunks.length} JS files: each bundle should be its own chunk`);
      server = await serve(outDir);
    },

    'with a WebGPU adapter init() loads only the WebGPU bundle and the sphere is drawn': async () => {
      const loaded = await loadExample(true);
      assert(loaded.adapter, 'this Chromium gives no WebGPU adapter even with --enable-unsafe-webgpu; the test would prove nothing');
      checkRendered(loaded, 'webgpu');
      const fetched = wasmRequests(loaded.requests);
      assert(fetched.includes(wasmOf.webgpu), `the WebGPU bundle's wasm was not fetched (fetched: ${fetched})`);
      assert(!fetched.includes(wasmOf.webgl2), 'the WebGL2 bundle was fetched although WebGPU has an adapter');
      console.log(`     webgpu: centre ${loaded.result.center}, corner ${loaded.result.corner}, ${loaded.result.shades} shades`);
    },

    'without a WebGPU adapter init() falls back to the WebGL2 bundle by itself': async () => {
      const loaded = await loadExample(false);
      assert(!loaded.adapter, 'this Chromium unexpectedly has a WebGPU adapter; the fallback would not be tested');
      checkRendered(loaded, 'webgl2');
      const fetched = wasmRequests(loaded.requests);
      assert(fetched.includes(wasmOf.webgl2), `the WebGL2 bundle's wasm was not fetched (fetched: ${fetched})`);
      assert(!fetched.includes(wasmOf.webgpu), 'the WebGPU-only bundle was fetched too');
      console.log(`     webgl2: centre ${loaded.result.center}, corner ${loaded.result.corner}, ${loaded.result.shades} shades`);
    },

    'tsc --strict accepts types-ok.ts (every export of every entry point)': async () => {
      const { status, output } = typeCheck('types-ok.ts');
      assert(status === 0, `tsc rejected types-ok.ts:\n${output}`);
    },

    'tsc --strict rejects types-bad.ts on exactly its marked lines': async () => {
      const { status, output } = typeCheck('types-bad.ts');
      assert(status !== 0, 'tsc accepted types-bad.ts');
      const lines = readFileSync(join(work, 'types-bad.ts'), 'utf8').split('\n');
      const marked = new Set(lines.flatMap((line, i) => (/;\s*\/\/ error:/.test(line) ? [i + 1] : [])));
      const reported = new Set([...output.matchAll(/^types-bad\.ts\((\d+),\d+\): error/gm)].map((m) => Number(m[1])));
      const missed = [...marked].filter((n) => !reported.has(n));
      const unexpected = [...reported].filter((n) => !marked.has(n));
      assert(reported.size > 0, `tsc failed without reporting errors in types-bad.ts:\n${output}`);
      assert(missed.length === 0, `tsc accepted these wrong lines of types-bad.ts: ${missed.map((n) => `\n  ${n}: ${lines[n - 1].trim()}`).join('')}`);
      assert(unexpected.length === 0, `tsc reported errors on unmarked lines ${unexpected.join(', ')}:\n${output}`);
      console.log(`     ${marked.size} wrong uses, each rejected`);
    },
  });
} finally {
  server?.stop();
}
