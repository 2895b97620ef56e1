// One room at scale, measured: N editors dragging their nodes at 30 Hz and M viewers (the crowd,
// scripts/hocuspocus/crowd.mjs, a process of its own) through Hocuspocus (one process, or two sharing
// Redis), and one engine page (tests/pages/scale.html) that renders the room. Used in smoke size by
// tests/scale.test.mjs and in full size by bench/run.mjs ("collaboration at scale").
//
// Measured, over the active phase (after an idle phase with everyone connected and nobody moving):
//   - edit→render latency per peer edit: from the crowd's send to the end of the page's frame that drew
//     it (both sides read performance.timeOrigin + performance.now(), one machine's clock); an edit
//     overtaken by the same editor's next one before a frame drew it counts as superseded, not as a sample;
//   - messages and bytes per second per client (editors and viewers apart), both ways;
//   - server CPU (% of one core) and resident memory, the crowd's CPU;
//   - the engine's time per frame (render_frame plus the sync_receive calls since the previous frame),
//     active against idle.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { open, freePort } from './harness.mjs';
import { TOKEN, VIEWER_TOKEN, hocuspocusDir, installHocuspocus, machineUsage, processUsage, startHocuspocus, startRedis } from './servers.mjs';

const quantile = (xs, q) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const round = (x, d = 2) => (x == null || !Number.isFinite(x) ? x : Number(x.toFixed(d)));

/** Starts the crowd; resolves to `{ next(event) → Promise<message>, start(), stop() }`. */
function startCrowd(config) {
  const child = spawn(process.execPath, [join(hocuspocusDir, 'crowd.mjs'), JSON.stringify(config)], {
    cwd: hocuspocusDir, stdio: ['pipe', 'pipe', 'pipe'],
  });
  process.on('exit', () => child.kill());
  const waiting = new Map();
  const arrived = new Map();
  let stderr = '';
  const errors = [];
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  createInterface({ input: child.stdout }).on('line', (line) => {
    let message;
    try { message = JSON.parse(line); } catch { return; }
    if (message.event === 'error') { errors.push(`${message.role} ${message.index}: ${message.message}`); return; }
    const resolve = waiting.get(message.event);
    if (resolve) resolve(message);
    else arrived.set(message.event, message);
  });
  const exited = new Promise((_, reject) => child.on('exit', (code) => reject(new Error(`the crowd exited (${code}) early:\n${stderr}`))));
  exited.catch(() => {});
  return {
    pid: child.pid,
    errors,
    next(event, ms) {
      const message = arrived.get(event) ? Promise.resolve(arrived.get(event)) : new Promise((resolve) => waiting.set(event, resolve));
      const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error(`the crowd sent no "${event}" within ${ms / 1000} s:\n${stderr}`)), ms).unref());
      return Promise.race([message, exited, timeout]);
    },
    start() { child.stdin.write('start\n'); },
    close() { child.stdin.write('close\n'); },
    stop() { child.kill(); },
  };
}

/**
 * Sets every thread of the machine's Chromium GPU processes to CPU priority `nice` (19: lowest; 0: normal)
 * and returns how many it set. With 19, SwiftShader rasterising the page's frames yields the cores to the
 * page, the server and the crowd, as a GPU of its own would: the diagnostic room that tells the software
 * rasteriser's share of the latency from everyone else's. Affects every Chromium on the machine; the
 * benchmark runs one at a time.
 */
function setRasteriserPriority(nice) {
  let threads = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmdline;
    try { cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { continue; }
    if (!cmdline.includes('--type=gpu-process')) continue;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try { setPriority(Number(tid), nice); threads++; } catch { /* the thread ended, or no right to raise it back */ }
    }
  }
  return threads;
}

/**
 * Runs one room and returns its figures. `browser` is a launched Chromium, `webUrl` the harness server's
 * URL (serving the repository root). `guard: false` creates the engine with `update_guard: "off"`. `rasteriserNice: 19` lowers Chromium's GPU processes for the active phase (see setRasteriserPriority). `hooks.active(page)` / `hooks.done(page)` run as the active phase
 * starts and ends (a profiler attaches there).
 */
export async function runRoom(browser, webUrl, { editors, viewers, redis = false, guard = true, rasteriserNice = 0, idleMs = 3000, activeMs = 10_000, hz = 30, hooks = {} }) {
  installHocuspocus();
  const stops = [];
  let page;
  try {
    const servers = [];
    let redisServer = null;
    if (redis) {
      redisServer = await startRedis();
      stops.push(redisServer.stop);
    }
    for (let i = 0; i < (redis ? 2 : 1); i++) {
      const port = await freePort();
      const server = await startHocuspocus(port, redis ? { REDIS_PORT: String(redisServer.port) } : {});
      stops.push(server.stop);
      servers.push({ ...server, url: `ws://127.0.0.1:${port}` });
    }
    const doc = `scale-${editors}-${viewers}-${redis ? 'redis' : 'one'}-${process.pid}-${Date.now()}`;
    const opened = await open(browser, `${webUrl.replace(/\/$/, '')}/tests/pages/scale.html?url=${servers[0].url}&doc=${doc}&token=${TOKEN}${guard ? '' : '&guard=off'}`);
    page = opened.page;
    await page.waitForFunction(() => window.connection.status === 'connected', null, { timeout: 30_000 });

    const crowd = startCrowd({
      urls: servers.map((s) => s.url), doc, editors, viewers, token: TOKEN, viewerToken: VIEWER_TOKEN, hz, activeMs,
    });
    stops.push(crowd.stop);
    await crowd.next('connected', 120_000);
    const ids = Array.from({ length: editors }, (_, i) => `scale-e${i}`);
    await page.waitForFunction((ids) => ids.every((id) => window.engine.node_ids().includes(id)), ids, { timeout: 60_000, polling: 100 });
    // Presence of everyone, as far as it arrives (a bounded peer table may hold fewer).
    const peersSeen = await page.waitForFunction((n) => window.engine.peers().length >= n && window.engine.peers().length, editors + viewers, { timeout: 30_000, polling: 200 })
      .then((h) => h.jsonValue())
      .catch(() => page.evaluate(() => window.engine.peers().length));

    await page.evaluate(() => { window.scale.phase = 'idle'; });
    await new Promise((r) => setTimeout(r, idleMs));
    const serverBefore = servers.map((s) => processUsage(s.pid));
    const machineBefore = machineUsage();
    await page.evaluate(() => { window.scale.phase = 'active'; window.scale.since = performance.now(); });
    await hooks.active?.(page);
    if (rasteriserNice) stops.push(() => setRasteriserPriority(0));
    const rasteriserThreads = rasteriserNice ? setRasteriserPriority(rasteriserNice) : 0;
    crowd.start();
    const done = await crowd.next('done', activeMs + 60_000);
    await hooks.done?.(page);
    const serverAfter = servers.map((s) => processUsage(s.pid));
    const machineAfter = machineUsage();
    const shown = await page.evaluate((ids) => Object.fromEntries(ids.map((id) => [id, window.engine.get_node(id).position[0]])), ids);
    // Each editor's awareness says which node it drags (`dragging`); the page's peers() should say so too.
    const draggingSeen = await page.evaluate(() => window.engine.peers().filter((p) => p.dragging?.startsWith('scale-e')).length);
    crowd.close();
    const record = await page.evaluate(() => {
      window.scale.phase = 'done';
      return { frames: window.scale.frames, drawn: window.scale.drawn, receive: window.scale.receive, presenceReports: window.scale.presenceReports, activeS: (performance.now() - window.scale.since) / 1000 };
    });

    // Latency: each drawn record names an edit by its node and x; the crowd knows when it sent that x.
    const sentAt = new Map();
    let sent = 0;
    for (const [id, list] of Object.entries(done.sends)) {
      sent += list.length;
      for (const [x, t] of list) sentAt.set(`${id}@${x}`, t);
    }
    const latencies = [];
    for (const [id, x, t] of record.drawn) {
      const t0 = sentAt.get(`${id}@${x}`);
      if (t0 !== undefined) latencies.push(t - t0);
    }
    const seconds = done.elapsedMs / 1000;
    const perClient = (role) => {
      const c = done.traffic[role];
      if (!c.clients) return null;
      const rate = (v) => round(v / c.clients / seconds, 1);
      return { clients: c.clients, msgsInPerS: rate(c.msgsIn), bytesInPerS: rate(c.bytesIn), msgsOutPerS: rate(c.msgsOut), bytesOutPerS: rate(c.bytesOut), refused: c.refused };
    };
    const frameMs = (list) => list.map(([render, messages]) => render + messages);
    const idleFrames = frameMs(record.frames.idle);
    const activeFrames = frameMs(record.frames.active);
    const idleMedian = quantile(idleFrames, 0.5);
    const activeMedian = quantile(activeFrames, 0.5);
    const lastShown = ids.filter((id) => shown[id] === done.last[id]).length;
    return {
      editors,
      viewers,
      servers: servers.length,
      redis,
      guard,
      rasteriserNice,
      rasteriserThreads,
      hz,
      activeS: round(seconds, 1),
      peersSeen,
      draggingSeen,
      edits: { sent, drawn: latencies.length, superseded: sent - latencies.length, lastShown },
      latencyMs: {
        p50: round(quantile(latencies, 0.5)), p95: round(quantile(latencies, 0.95)), p99: round(quantile(latencies, 0.99)), max: round(quantile(latencies, 1)),
      },
      traffic: { editor: perClient('editor'), viewer: perClient('viewer') },
      server: servers.map((s, i) => ({
        cpuPercent: round(((serverAfter[i].cpuMs - serverBefore[i].cpuMs) / done.elapsedMs) * 100, 1),
        rssMiB: round(serverAfter[i].rssBytes / 2 ** 20, 1),
        peakRssMiB: round(serverAfter[i].peakRssBytes / 2 ** 20, 1),
      })),
      crowdCpuPercent: round((done.crowdCpuMs / done.elapsedMs) * 100, 1),
      // Every core's busy time over the run (browser, server, crowd, anything else): 100 = all cores busy.
      machineBusyPercent: round(((machineAfter.busyMs - machineBefore.busyMs) / (machineAfter.totalMs - machineBefore.totalMs)) * 100, 1),
      frame: {
        idleMedianMs: round(idleMedian, 3),
        activeMedianMs: round(activeMedian, 3),
        activeP95Ms: round(quantile(activeFrames, 0.95), 3),
        // The two parts of an active frame: drawing, and applying what arrived since the last frame.
        activeRenderMedianMs: round(quantile(record.frames.active.map(([render]) => render), 0.5), 3),
        activeMessagesMedianMs: round(quantile(record.frames.active.map(([, messages]) => messages), 0.5), 3),
        // The page's on_change / on_presence listeners (they run inside render_frame; not counted above).
        activeListenersMedianMs: round(quantile(record.frames.active.map(([, , listeners]) => listeners), 0.5), 3),
        ratio: idleMedian ? round(activeMedian / idleMedian, 2) : null,
        // Means, render_frame plus messages: what a second of the engine costs, per frame (with messages
        // coalesced to fewer than one per frame, the median frame applies none).
        idleMeanMs: round(mean(idleFrames), 3),
        activeMeanMs: round(mean(activeFrames), 3),
        meanRatio: round(mean(activeFrames) / mean(idleFrames), 2),
        // render_frame alone (the one call per frame; messages are events between frames; the page's
        // listeners left out), active / idle: medians, and means (every frame counted, so the frames
        // that apply a coalesced message weigh in even when they are fewer than half).
        renderRatio: round(quantile(record.frames.active.map(([render]) => render), 0.5) / quantile(record.frames.idle.map(([render]) => render), 0.5), 2),
        renderMeanRatio: round(mean(record.frames.active.map(([render]) => render)) / mean(record.frames.idle.map(([render]) => render)), 2),
        activeListenersMeanMs: round(mean(record.frames.active.map(([, , listeners]) => listeners)), 3),
        activeFps: round(record.frames.active.length / record.activeS, 1),
        activeFrames: record.frames.active.length,
        // on_presence calls in the active phase: at most one per frame, however many awareness messages.
        presenceReports: record.presenceReports,
      },
      // What the engine spent applying each kind of message (mean µs per message) during the active phase.
      receive: Object.fromEntries(Object.entries(record.receive).filter(([, r]) => r.count).map(([kind, r]) => [kind, { perS: round(r.count / record.activeS, 1), meanUs: round((r.ms / r.count) * 1000, 1) }])),
      crowdErrors: crowd.errors,
      pageErrors: opened.errors,
    };
  } finally {
    await page?.close().catch(() => {});
    for (const stop of stops.reverse()) stop();
  }
}
