// Bundles the bench pages with esbuild (bench/dist/) and measures download sizes.
// `buildAll()` → { sizes }: for each lit-sphere page, the files a browser must fetch (HTML, minified JS bundle,
// wasm) with raw, gzip -9 and brotli (quality 11) byte counts.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const bench = dirname(fileURLToPath(import.meta.url));
const root = resolve(bench, '..');
const dist = join(bench, 'dist');
const pages = join(bench, 'pages');

const common = { bundle: true, format: 'esm', target: 'es2022', minify: true, logLevel: 'warning', legalComments: 'none' };

export const apps = {
  'ours-webgpu': { entry: 'sphere-ours.js', pkg: 'web/pkg' },
  'ours-webgl2': { entry: 'sphere-ours.js', pkg: 'web/pkg-webgl2' },
  'three-webgpu': { entry: 'sphere-three-webgpu.js' },
  'three-webgl': { entry: 'sphere-three-webgl.js' },
};

// Smoke mode only checks that sizes are produced: brotli quality 11 on the 2.6 MB WebGL2 wasm takes ~20 s here.
const brotliQuality = process.env.BENCH_SMOKE === '1' ? 5 : 11;

export function sizeOf(path) {
  const data = readFileSync(path);
  return {
    raw: data.length,
    gzip9: gzipSync(data, { level: 9 }).length,
    brotli: brotliCompressSync(data, {
      params: { [constants.BROTLI_PARAM_QUALITY]: brotliQuality, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
    }).length,
  };
}

export async function buildAll() {
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });
  await build({
    ...common,
    entryPoints: [join(pages, 'frame-three.js'), join(pages, 'gltf-three.js'), join(pages, 'yjs-load.js')],
    outdir: dist,
    nodePaths: [join(bench, 'node_modules')],
  });
  const sizes = {};
  for (const [app, { entry, pkg }] of Object.entries(apps)) {
    const out = join(dist, app);
    mkdirSync(out, { recursive: true });
    await build({
      ...common,
      entryPoints: [join(pages, entry)],
      outfile: join(out, 'sphere.js'),
      alias: pkg ? { 'engine-bundle': join(root, pkg, 'app_wasm.js') } : {},
      nodePaths: [join(bench, 'node_modules')],
    });
    const files = { 'sphere.html': join(pages, 'sphere.html'), 'sphere.js': join(out, 'sphere.js') };
    if (pkg) {
      copyFileSync(join(root, pkg, 'app_wasm_bg.wasm'), join(out, 'app_wasm_bg.wasm'));
      files['app_wasm_bg.wasm'] = join(out, 'app_wasm_bg.wasm');
    }
    const perFile = Object.fromEntries(Object.entries(files).map(([name, path]) => [name, sizeOf(path)]));
    const total = { raw: 0, gzip9: 0, brotli: 0 };
    for (const s of Object.values(perFile)) for (const k of Object.keys(total)) total[k] += s[k];
    sizes[app] = { files: perFile, total };
  }
  return { sizes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await buildAll(), null, 2));
}
