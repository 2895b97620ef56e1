// Minimal static file server on 127.0.0.1 (no dependencies), as a CLI and as a function.
//   CLI: `node scripts/serve.mjs [root=web] [port=8000]` ($PORT wins over the argument; 0 = any free port).
//        Serves one folder with `Cache-Control: no-cache` and cross-origin isolation headers, and prints
//        "serving ROOT at http://127.0.0.1:PORT/" once listening (tests/lib/harness.mjs reads that URL).
//   API: `serve(root, { port, headers })` (bench/server.mjs mounts several folders on one origin).
// Why: .wasm must be sent as application/wasm (so instantiateStreaming works), and pages must be cross-origin
// isolated (COOP/COEP) so performance.now() has fine resolution for frame timings.
import { createServer } from 'node:http';
import { realpathSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** COOP + COEP: makes the page cross-origin isolated (performance.now() at 5 µs instead of 0.1 ms). */
export const CROSS_ORIGIN_ISOLATION = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
});

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.ts': 'text/plain; charset=utf-8',
};

/** Whether `path` is `dir` or inside it (a plain prefix test would also accept the sibling `dir-other/`). */
function isInside(path, dir) {
  const rel = relative(dir, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * Serves files on 127.0.0.1:`port` (0 = any free port). `root` is one folder, or a list of
 * `[urlPrefix, folder]` mounts where the first prefix that matches wins (put `'/'` last). A folder answers
 * with its index.html; a path outside the mount is 403, anything unreadable 404. `headers` go with every
 * file, besides its Content-Type. Resolves to `{ url, port, server, stop() }` once listening; rejects if
 * the port cannot be had.
 */
export function serve(root, { port = 0, headers = {} } = {}) {
  const mounts = (typeof root === 'string' ? [['/', root]] : root).map(([prefix, dir]) => [prefix, resolve(dir)]);
  const server = createServer(async (req, res) => {
    try {
      const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      const mount = mounts.find(([prefix]) => pathname.startsWith(prefix));
      if (!mount) { res.writeHead(404).end('not found'); return; }
      const [prefix, dir] = mount;
      let path = normalize(join(dir, pathname.slice(prefix.length)));
      if (!isInside(path, dir)) { res.writeHead(403).end('forbidden'); return; }
      if ((await stat(path).catch(() => null))?.isDirectory()) path = join(path, 'index.html');
      const body = await readFile(path);
      res.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream', ...headers });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolveStart, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address();
      resolveStart({ url: `http://127.0.0.1:${bound}/`, port: bound, server, stop: () => server.close() });
    });
  });
}

/** Whether the module at `moduleUrl` (its import.meta.url) is the script node was started with. */
export function isMainModule(moduleUrl) {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === fileURLToPath(moduleUrl);
  } catch {
    return false;
  }
}

if (isMainModule(import.meta.url)) {
  const root = resolve(process.argv[2] ?? 'web');
  const port = Number(process.env.PORT ?? process.argv[3] ?? 8000);
  const { url } = await serve(root, { port, headers: { 'Cache-Control': 'no-cache', ...CROSS_ORIGIN_ISOLATION } });
  console.log(`serving ${root} at ${url}`);
}
