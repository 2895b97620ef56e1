// Shared end-to-end harness: serve web/ on a free loopback port and drive Debian's Chromium headless
// through playwright-core (which cannot download browsers here, and need not).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const outDir = join(root, 'tests/out/e2e');
mkdirSync(outDir, { recursive: true });

/** Starts scripts/serve.mjs on a free port; resolves to { url, stop }. */
export function serve() {
  return new Promise((resolveServe, reject) => {
    const child = spawn(process.execPath, [join(root, 'scripts/serve.mjs'), join(root, 'web'), '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.on('error', reject);
    child.stdout.on('data', (chunk) => {
      const match = /at (http:\/\/\S+)/.exec(String(chunk));
      if (match) resolveServe({ url: match[1], stop: () => child.kill() });
    });
    setTimeout(() => reject(new Error('server did not start within 10 s')), 10_000).unref();
  });
}

/** Launches headless Chromium; `webgpu: false` leaves WebGPU without an adapter, as on many Linux machines. */
export async function launch({ webgpu = true } = {}) {
  const args = [
    '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', '--disable-dev-shm-usage', '--js-flags=--expose-gc',
  ];
  if (webgpu) args.push('--enable-unsafe-webgpu');
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args });
}

/** Opens `url` in a new page, collecting console errors and page errors into `errors`. */
export async function open(browser, url, { width = 320, height = 240 } = {}) {
  const page = await browser.newPage({ viewport: { width, height } });
  const errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 60_000 });
  return { page, errors };
}

/** The engine's current view as { width, height, pixels: number[] } via engine.read_pixels(). */
export async function readPixels(page) {
  return page.evaluate(async () => {
    const pixels = await window.engine.read_pixels();
    const { width, height } = window.engine.stats();
    return { width, height, pixels: Array.from(pixels) };
  });
}

/** Counts pixels that differ between two same-sized images. */
export function differingPixels(a, b) {
  let n = 0;
  for (let i = 0; i < a.pixels.length; i += 4) {
    if (a.pixels[i] !== b.pixels[i] || a.pixels[i + 1] !== b.pixels[i + 1] || a.pixels[i + 2] !== b.pixels[i + 2]) n++;
  }
  return n;
}

/** Minimal test runner: runs the named async steps in order, prints results, exits non-zero on failure. */
export async function run(name, steps) {
  let failed = 0;
  for (const [label, fn] of Object.entries(steps)) {
    const started = Date.now();
    try {
      await fn();
      console.log(`ok   ${name}: ${label} (${Date.now() - started} ms)`);
    } catch (error) {
      failed++;
      console.log(`FAIL ${name}: ${label}\n     ${error?.stack ?? error}`);
    }
  }
  if (failed) process.exit(1);
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** Writes an RGBA8 image ({ width, height, pixels }) as a PNG, so test renders can be looked at. */
export function savePng(image, path) {
  const chunk = (type, data) => {
    const length = Buffer.alloc(4); length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(image.width, 0); header.writeUInt32BE(image.height, 4);
  header[8] = 8; header[9] = 6; // 8-bit RGBA
  const stride = image.width * 4;
  const raw = Buffer.alloc((stride + 1) * image.height);
  for (let y = 0; y < image.height; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    Buffer.from(image.pixels.slice(y * stride, (y + 1) * stride)).copy(raw, y * (stride + 1) + 1);
  }
  writeFileSync(path, Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0)),
  ]));
}
