// Collaboration servers for end-to-end tests and the scale benchmark: a Hocuspocus process
// (scripts/hocuspocus/server.mjs, installed there on first use) and redis-server for scale-out. Each runs
// as a child process that dies with this one and reports its pid, so callers can read its CPU and memory.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assert, freePort, root } from './harness.mjs';

/** Where the Hocuspocus server, its client libraries and the crowd (scripts/hocuspocus/crowd.mjs) live. */
export const hocuspocusDir = join(root, 'scripts/hocuspocus');
/** The editor and viewer tokens the servers started here accept (scripts/hocuspocus/server.mjs). */
export const TOKEN = 'let-me-in';
export const VIEWER_TOKEN = 'just-looking';

/** Installs scripts/hocuspocus/node_modules (the pinned lockfile) when missing. */
export function installHocuspocus() {
  if (existsSync(join(hocuspocusDir, 'node_modules/@hocuspocus/server'))) return;
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: hocuspocusDir, stdio: 'inherit' });
  assert(npm.status === 0, 'npm ci in scripts/hocuspocus failed');
}

/**
 * Starts `command args` and resolves to `{ pid, stop }` once its output matches `ready`; the process dies
 * with this one. Rejects if it exits first or is not ready within 15 s.
 */
export function startProcess(command, args, env, ready, label) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: hocuspocusDir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    process.on('exit', () => child.kill());
    let log = '';
    const onData = (d) => {
      log = (log + d).slice(-4000);
      if (ready.test(log)) resolve({ pid: child.pid, stop: () => child.kill() });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => { log = (log + d).slice(-4000); });
    child.on('exit', (code, signal) => { if (signal !== 'SIGTERM') reject(new Error(`${label} exited (${code ?? signal}):\n${log}`)); });
    child.on('error', reject);
    setTimeout(() => reject(new Error(`${label} did not start within 15 s:\n${log}`)), 15_000).unref();
  });
}

/** A Hocuspocus server on `port` accepting TOKEN (editor) and VIEWER_TOKEN (read-only); `extra` env adds e.g. REDIS_PORT. */
export function startHocuspocus(port, extra = {}) {
  return startProcess(process.execPath, ['server.mjs'], { HOST: '127.0.0.1', PORT: String(port), TOKEN, VIEWER_TOKEN, ...extra }, /listening on/, `hocuspocus :${port}`);
}

/** A throwaway redis-server on a free loopback port (no persistence); resolves to `{ port, pid, stop }`. */
export async function startRedis() {
  const redisServer = spawnSync('sh', ['-c', 'command -v redis-server']).stdout.toString().trim();
  assert(redisServer, 'redis-server is not installed (scripts/setup.sh test installs the Debian package)');
  const port = await freePort();
  const server = await startProcess(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {}, /Ready to accept connections/, 'redis');
  return { ...server, port };
}

let ticksPerSecond = null;
const clockTicks = () => (ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim()) || 100);

/** CPU time (user + system, ms) and resident memory (current and peak, bytes) of process `pid`, from /proc. */
export function processUsage(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of proc(5))
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) * 1024;
  return { cpuMs: ticks * (1000 / clockTicks()), rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
}

/** Machine-wide CPU time so far (ms summed over every core: busy and total), from /proc/stat. */
export function machineUsage() {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const ticks = fields.map(Number);
  const idle = ticks[3] + (ticks[4] ?? 0); // idle, iowait
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0); // user … steal (guest time is inside user)
  const ms = 1000 / clockTicks();
  return { busyMs: (total - idle) * ms, totalMs: total * ms };
}
