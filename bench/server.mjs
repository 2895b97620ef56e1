// Static server for the benchmarks, on 127.0.0.1: scripts/serve.mjs with the bench's mounts and headers.
// Maps URL prefixes to folders so one origin serves the bench pages, their esbuild output, both engine
// bundles, the glTF importer module, the glTF models (tests/gltf/; the generated large one in dist/) and the
// demo page. Sends COOP/COEP so pages are cross-origin isolated (performance.now() then has
// 5 µs resolution instead of 0.1 ms) and `Cache-Control: no-store` so every first-frame load is a cold fetch.
// Usage: `node bench/server.mjs [port]` (0 = any free port); prints "serving at http://127.0.0.1:PORT/".
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CROSS_ORIGIN_ISOLATION, isMainModule, serve } from '../scripts/serve.mjs';

const bench = dirname(fileURLToPath(import.meta.url));
const root = resolve(bench, '..');
const mounts = [
  ['/pkg/', join(root, 'web/pkg')],
  ['/pkg-webgl2/', join(root, 'web/pkg-webgl2')],
  ['/pkg-gltf/', join(root, 'web/pkg-gltf')],
  ['/gltf/', join(root, 'tests/gltf')],
  ['/demo/', join(root, 'web')],
  ['/dist/', join(bench, 'dist')],
  ['/', join(bench, 'pages')],
];

/** Starts the bench server on `port` (0 = any free port); resolves to `{ url, stop() }` (and serve's rest). */
export function startServer(port = 0) {
  return serve(mounts, { port, headers: { 'Cache-Control': 'no-store', ...CROSS_ORIGIN_ISOLATION } });
}

if (isMainModule(import.meta.url)) {
  const { url } = await startServer(Number(process.argv[2] ?? 8100));
  console.log(`serving at ${url}`);
}
