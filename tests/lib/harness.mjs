// Shared end-to-end harness: serve web/ on a free loopback port and drive Debian's Chromium headless
// through playwright-core (which cannot download browsers here, and need not).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const outDir = join(root, 'tests/out/e2e');
mkdirSync(outDir, { recursive: true });

/**
 * Starts scripts/serve.mjs on a free port, serving web/ (or $E2E_WEB_ROOT, or `dir`); resolves to { url, stop }.
 * Tests with their own pages pass `root` and open `/tests/pages/NAME.html`, which import `/web/pkg/...`.
 */
export function serve(dir) {
  const webRoot = dir ?? process.env.E2E_WEB_ROOT ?? join(root, 'web');
  return new Promise((resolveServe, reject) => {
    const child = spawn(process.execPath, [join(root, 'scripts/serve.mjs'), webRoot, '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.on('error', reject);
    process.on('exit', () => child.kill()); // also when a watchdog ends the run early
    child.stdout.on('data', (chunk) => {
      const match = /at (http:\/\/\S+)/.exec(String(chunk));
      if (match) resolveServe({ url: match[1], stop: () => child.kill() });
    });
    setTimeout(() => reject(new Error('server did not start within 10 s')), 10_000).unref();
  });
}

/**
 * Launches headless Chromium; `webgpu: false` leaves WebGPU without an adapter, as on many Linux machines.
 * `args` are extra command-line switches (e.g. `--disable-3d-apis` for a browser with no WebGL either).
 */
export async function launch({ webgpu = true, args: extra = [] } = {}) {
  const args = [
    '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', '--disable-dev-shm-usage', '--js-flags=--expose-gc', ...extra,
  ];
  if (webgpu) args.push('--enable-unsafe-webgpu');
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args });
}

/**
 * The demo's test viewport: 640×480 CSS pixels (room for the panel beside the scene) at
 * devicePixelRatio 0.5, so the drawing buffer is 320×240 — SwiftShader rasterises on the CPU, and this
 * also exercises the CSS × devicePixelRatio sizing.
 */
export const demoViewport = { width: 640, height: 480, deviceScaleFactor: 0.5 };

/**
 * Opens `url` in a new page, collecting console errors and page errors into `errors` (and every
 * console message into `messages`, every requested URL into `requests`).
 */
export async function open(browser, url, { width = 320, height = 240, deviceScaleFactor = 1, readyTimeout = 90_000 } = {}) {
  const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor, acceptDownloads: true });
  const errors = [];
  const messages = [];
  const requests = [];
  page.on('console', (msg) => {
    messages.push(`${msg.type()}: ${msg.text()}`);
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('request', (req) => requests.push(req.url()));
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: readyTimeout });
  return { page, errors, messages, requests };
}

/** Waits until the demo's animation loop has drawn `n` more frames (bounded by `timeout` ms). */
export async function waitFrames(page, n = 3, timeout = 60_000) {
  const start = await page.evaluate(() => window.demo.frames);
  await page.waitForFunction((target) => window.demo.frames >= target, start + n, { timeout, polling: 50 });
}

/**
 * Reads the view until two reads a few frames apart are identical (the camera may still be easing),
 * at most `tries` times; returns the last image.
 */
export async function settledPixels(page, { tries = 10, frames = 2 } = {}) {
  let previous = await readPixels(page);
  for (let i = 0; i < tries; i++) {
    await waitFrames(page, frames);
    const next = await readPixels(page);
    if (next.width === previous.width && next.height === previous.height && differingPixels(previous, next) === 0) return next;
    previous = next;
  }
  return previous;
}

/** Counts pixels whose R, G or B differ by more than `tolerance` between two same-sized images. */
export function differingPixelsBeyond(a, b, tolerance) {
  let n = 0;
  for (let i = 0; i < a.pixels.length; i += 4) {
    if (Math.abs(a.pixels[i] - b.pixels[i]) > tolerance || Math.abs(a.pixels[i + 1] - b.pixels[i + 1]) > tolerance ||
      Math.abs(a.pixels[i + 2] - b.pixels[i + 2]) > tolerance) n++;
  }
  return n;
}

/** How many distinct RGB colours an image has (capped at `cap`): a blank or uniform image has 1. */
export function distinctColours(image, cap = 1000) {
  const seen = new Set();
  for (let i = 0; i < image.pixels.length && seen.size < cap; i += 4) {
    seen.add((image.pixels[i] << 16) | (image.pixels[i + 1] << 8) | image.pixels[i + 2]);
  }
  return seen.size;
}

/** Rejects after `ms` with a message naming `label`, so no step can hang a test run. */
export function withTimeout(promise, ms, label) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${label}: no result within ${ms} ms`)), ms); }),
  ]);
}

/** Saves a screenshot of the whole page at CSS size (the panel and overlay as a person sees them). */
export async function pageShot(page, name) {
  return page.screenshot({ path: join(outDir, name), scale: 'css' });
}

/**
 * The engine's current view as { width, height, pixels: Uint8Array (RGBA8) } via engine.read_pixels().
 * The pixels cross as base64: a plain array of 300k numbers takes seconds through the protocol.
 */
export async function readPixels(page) {
  const { width, height, base64 } = await page.evaluate(async () => {
    const pixels = await window.engine.read_pixels();
    const { width, height } = window.engine.stats();
    let binary = '';
    for (let i = 0; i < pixels.length; i += 0x8000) binary += String.fromCharCode.apply(null, pixels.subarray(i, i + 0x8000));
    return { width, height, base64: btoa(binary) };
  });
  const pixels = new Uint8Array(Buffer.from(base64, 'base64'));
  assert(pixels.length === width * height * 4, `read_pixels returned ${pixels.length} bytes for ${width}x${height}`);
  return { width, height, pixels };
}

/** Counts pixels that differ between two same-sized images. */
export function differingPixels(a, b) {
  let n = 0;
  for (let i = 0; i < a.pixels.length; i += 4) {
    if (a.pixels[i] !== b.pixels[i] || a.pixels[i + 1] !== b.pixels[i + 1] || a.pixels[i + 2] !== b.pixels[i + 2]) n++;
  }
  return n;
}

/**
 * Minimal test runner: runs the named async steps in order (each bounded by `stepTimeout` ms), prints
 * results and a closing `N passed, N failed` line, and sets a non-zero exit code on failure.
 * Later steps still run after a failure; they usually depend on earlier ones, so read the first FAIL first.
 */
export async function run(name, steps, { stepTimeout = 240_000 } = {}) {
  let failed = 0;
  let passed = 0;
  for (const [label, fn] of Object.entries(steps)) {
    const started = Date.now();
    try {
      await withTimeout(Promise.resolve().then(fn), stepTimeout, label);
      passed++;
      console.log(`ok   ${name}: ${label} (${Date.now() - started} ms)`);
    } catch (error) {
      failed++;
      console.log(`FAIL ${name}: ${label} (${Date.now() - started} ms)\n     ${error?.stack ?? error}`);
    }
  }
  console.log(`${name}: ${passed} passed, ${failed} failed`);
  if (failed) process.exitCode = 1;
  return { passed, failed };
}

/** A free loopback port (nothing listens on it once this resolves). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => { const { port } = probe.address(); probe.close(() => resolve(port)); });
    probe.on('error', reject);
  });
}

/** Polls `fn` (async) every `intervalMs` until it returns a truthy value (returned), at most `ms`. */
export async function until(fn, ms, label, intervalMs = 25) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`${label}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Ends the process after `ms` whatever happens (a hung browser must not hang CI). */
export function watchdog(ms, label) {
  setTimeout(() => {
    console.log(`FAIL ${label}: the whole test file took longer than ${ms} ms; stopping`);
    process.exit(2);
  }, ms).unref();
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

/**
 * Decodes a PNG (8-bit greyscale, RGB or RGBA, not interlaced — what Chromium and savePng write) into
 * { width, height, pixels } RGBA8, so page screenshots and downloads can be checked pixel by pixel.
 */
export function decodePng(buffer) {
  const data = Buffer.from(buffer);
  assert(data.subarray(1, 4).toString() === 'PNG', 'not a PNG');
  let offset = 8;
  let width = 0, height = 0, bitDepth = 0, colourType = 0, interlace = 0;
  const idat = [];
  while (offset < data.length) {
    const length = data.readUInt32BE(offset);
    const type = data.subarray(offset + 4, offset + 8).toString('ascii');
    const body = data.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0); height = body.readUInt32BE(4);
      bitDepth = body[8]; colourType = body[9]; interlace = body[12];
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  const channels = { 0: 1, 2: 3, 6: 4 }[colourType];
  assert(bitDepth === 8 && channels && interlace === 0, `unsupported PNG: depth ${bitDepth}, colour type ${colourType}, interlace ${interlace}`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = Uint8Array.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? line[i - channels] : 0;
      const b = prev[i];
      const c = i >= channels ? prev[i - channels] : 0;
      let add = 0;
      if (filter === 1) add = a;
      else if (filter === 2) add = b;
      else if (filter === 3) add = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        add = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      line[i] = (line[i] + add) & 255;
    }
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const s = x * channels;
      if (channels === 1) out.set([line[s], line[s], line[s], 255], o);
      else out.set([line[s], line[s + 1], line[s + 2], channels === 4 ? line[s + 3] : 255], o);
    }
    prev = line;
  }
  return { width, height, pixels: Array.from(out) };
}

/**
 * A page point (CSS px) over the demo canvas where `engine.pick()` returns `wanted` (an id, or null for
 * empty space) and no panel covers the canvas: the hit nearest the centre of all hits, on a 6 px grid.
 * Resolves to { x, y, hits } or null.
 */
export async function findPickPoint(page, wanted) {
  return page.evaluate((wanted) => {
    const canvas = document.getElementById('view');
    const rect = canvas.getBoundingClientRect();
    const hits = [];
    for (let y = 6; y < rect.height - 6; y += 6) {
      for (let x = 6; x < rect.width - 6; x += 6) {
        if (document.elementFromPoint(rect.left + x, rect.top + y) !== canvas) continue;
        const id = window.engine.pick(x, y);
        if (wanted === null ? id === undefined : id === wanted) hits.push([x, y]);
      }
    }
    if (hits.length === 0) return null;
    const cx = hits.reduce((s, h) => s + h[0], 0) / hits.length;
    const cy = hits.reduce((s, h) => s + h[1], 0) / hits.length;
    hits.sort((a, b) => Math.hypot(a[0] - cx, a[1] - cy) - Math.hypot(b[0] - cx, b[1] - cy));
    return { x: rect.left + hits[0][0], y: rect.top + hits[0][1], hits: hits.length };
  }, wanted);
}
