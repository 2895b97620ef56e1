// Tiny static server for the benchmarks (no dependencies), on 127.0.0.1.
// Maps URL prefixes to folders so one origin serves the bench pages, their esbuild output, both engine
// bundles and the demo page. Sends COOP/COEP so pages are cross-origin isolated (performance.now() then has
// 5 µs resolution instead of 0.1 ms) and `Cache-Control: no-store` so every first-frame load is a cold fetch.
// Usage: `node bench/server.mjs [port]` (0 = any free port); prints "serving at http://127.0.0.1:PORT/".
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const bench = dirname(fileURLToPath(import.meta.url));
const root = resolve(bench, '..');
const mounts = [
  ['/pkg/', join(root, 'web/pkg')],
  ['/pkg-webgl2/', join(root, 'web/pkg-webgl2')],
  ['/demo/', join(root, 'web')],
  ['/dist/', join(bench, 'dist')],
  ['/', join(bench, 'pages')],
];
const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export function startServer(port = 0) {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const pathname = decodeURIComponent(url.pathname);
      const [prefix, dir] = mounts.find(([p]) => pathname.startsWith(p));
      let path = normalize(join(dir, pathname.slice(prefix.length)));
      if (!path.startsWith(dir)) { res.writeHead(403).end('forbidden'); return; }
      if ((await stat(path).catch(() => null))?.isDirectory()) path = join(path, 'index.html');
      const body = await readFile(path);
      res.writeHead(200, {
        'Content-Type': types[extname(path)] ?? 'application/octet-stream',
        'Cache-Control': 'no-store',
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolveStart) => {
    server.listen(port, '127.0.0.1', () => {
      resolveStart({ url: `http://127.0.0.1:${server.address().port}/`, stop: () => server.close() });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await startServer(Number(process.argv[2] ?? 8100));
  console.log(`serving at ${url}`);
}
