// Soak page driven by tests/soak.test.mjs. Everything random comes from one seeded generator, so a
// failing run is reproduced by passing its seed again (SOAK_SEED).
//
// Two engines, A and B, on tiny offscreen canvases, sync with each other through the two transports a
// page can use: A's y-protocols messages (on_sync_message -> B.sync_receive) and B's raw updates
// (on_local_update -> A.apply_update). Messages wait in per-direction queues and are delivered late,
// sometimes out of order, and sometimes dropped and then repaired by a fresh sync handshake, as on a
// flaky connection.
import init, { Engine } from '/web/pkg/app_wasm.js';

const wasm = await init();

// Every GPU device the engines request, until it is lost (destroyed). The entry holds the device until
// then: a device the GC collects first would never report its loss, so an engine that drops a device
// without destroying it (as one freed mid-recovery did) shows as an entry that never turns lost.
const devices = [];
const requestDevice = GPUAdapter.prototype.requestDevice;
GPUAdapter.prototype.requestDevice = async function requestDeviceTracked(...args) {
  const device = await requestDevice.apply(this, args);
  const entry = { lost: false, n: devices.length, at: Math.round(performance.now()), device };
  device.lost.then((info) => {
    entry.lost = info.reason;
    entry.device = null;
  });
  devices.push(entry);
  return device;
};

/** mulberry32: small, fast, seedable. */
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A macrotask without setTimeout's 4 ms clamp: lets the browser run GPU callbacks (submitted work done,
// device lost, buffer mapping) and the engines' outbox microtasks between frames.
const channel = new MessageChannel();
const waiting = [];
channel.port1.onmessage = () => waiting.shift()?.();
const nextTask = () => new Promise((resolve) => { waiting.push(resolve); channel.port2.postMessage(0); });

/** The counters that are document edits. */
const EDIT_KEYS = ['add_sphere', 'add_box', 'add_plane', 'remove', 'undo', 'redo', 'set_position', 'set_color', 'set_material', 'set_size'];
const AOVS = ['beauty', 'albedo', 'normal', 'depth', 'object_id'];
const MIN_NODES = 4;
const MAX_NODES = 24;
/** The size both engines are set to before their pictures are compared. */
const FINAL_SIZE = 64;

let rng = generator(1);
const pickOne = (list) => list[Math.floor(rng() * list.length)];
const between = (lo, hi) => lo + rng() * (hi - lo);
const round3 = (v) => Math.round(v * 1000) / 1000;

function canvas(size) {
  const c = document.createElement('canvas');
  c.width = size;
  c.height = size;
  document.body.append(c);
  return c;
}

/** Per-engine bookkeeping the soak needs: its css size (for pick) and the recoveries it expects. */
class Peer {
  constructor(name, engine, size) {
    this.name = name;
    this.engine = engine;
    this.css = [size, size];
    this.lossesRequested = 0; // debug_lose_device calls made while no recovery was pending
    this.lossesSeen = 0; // stats().device_losses as last read
    this.lostAtFrame = -1;
    this.recoveryFrames = []; // frames each recovery took
  }
}

const state = {
  seed: 1,
  a: null,
  b: null,
  toA: [], // B's raw updates waiting for A
  toB: [], // A's protocol messages waiting for B
  frame: 0,
  counts: {},
  errors: [], // unexpected errors (each a string)
  reads: [], // read_pixels promises still to settle
};

function count(key, n = 1) {
  state.counts[key] = (state.counts[key] ?? 0) + n;
}

function unexpected(where, error) {
  if (state.errors.length < 50) state.errors.push(`frame ${state.frame} ${where}: ${error?.message ?? error}`);
  count('unexpected_errors');
}

/** Runs `f`, recording anything it throws as an unexpected error. */
function attempt(where, f) {
  try {
    return f();
  } catch (error) {
    unexpected(where, error);
    return undefined;
  }
}

/** One full y-protocols handshake opened by `from` towards `to`, exchanged until nobody has more to say. */
function handshake(from, to) {
  let messages = [...from.sync_open()];
  let receiver = to;
  let other = from;
  for (let round = 0; messages.length > 0 && round < 8; round++) {
    const replies = [];
    for (const m of messages) replies.push(...receiver.sync_receive(m));
    messages = replies;
    [receiver, other] = [other, receiver];
  }
  if (messages.length > 0) throw new Error('sync handshake did not settle in 8 rounds');
}

/** Delivers queued messages in one direction: all, in order, or (sometimes) shuffled. */
function deliver(queue, apply, where) {
  if (queue.length === 0) return;
  const batch = queue.splice(0, queue.length);
  if (rng() < 0.1) {
    for (let i = batch.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [batch[i], batch[j]] = [batch[j], batch[i]];
    }
    count('shuffled_batches');
  }
  for (const m of batch) attempt(where, () => apply(m));
  count('messages_delivered', batch.length);
}

function deliverAll() {
  deliver(state.toB, (m) => state.b.engine.sync_receive(m), 'B.sync_receive');
  deliver(state.toA, (u) => state.a.engine.apply_update(u), 'A.apply_update');
}

/** A flaky link: messages in flight are lost, then both sides resync with a handshake each way. */
function dropAndResync() {
  count('messages_dropped', state.toA.length + state.toB.length);
  state.toA.length = 0;
  state.toB.length = 0;
  attempt('handshake A->B', () => handshake(state.a.engine, state.b.engine));
  attempt('handshake B->A', () => handshake(state.b.engine, state.a.engine));
  count('resyncs');
}

function randomPosition() {
  return [round3(between(-4, 4)), round3(between(-1, 2)), round3(between(-4, 4))];
}

/** One random document edit on `peer`, on ids it knows now (so none may throw). */
function randomEdit(peer) {
  const e = peer.engine;
  const ids = e.node_ids();
  const r = rng();
  const [x, y, z] = randomPosition();
  if (ids.length < MIN_NODES || (ids.length < MAX_NODES && r < 0.12)) {
    const kind = pickOne(['sphere', 'box', 'plane']);
    if (kind === 'sphere') e.add_sphere(x, y, z, round3(between(0.2, 1.2)));
    else if (kind === 'box') e.add_box(x, y, z, round3(between(0.2, 1.5)), round3(between(0.2, 1.5)), round3(between(0.2, 1.5)));
    else e.add_plane(x, y, z, round3(between(0.5, 3)));
    count(`add_${kind}`);
    return;
  }
  if (r < 0.18) {
    e.remove_node(pickOne(ids));
    count('remove');
    return;
  }
  if (r < 0.21) {
    e.undo();
    count('undo');
    return;
  }
  if (r < 0.23) {
    e.redo();
    count('redo');
    return;
  }
  const id = pickOne(ids);
  const what = rng();
  if (what < 0.4) {
    e.set_position(id, x, y, z);
    count('set_position');
  } else if (what < 0.6) {
    e.set_color(id, round3(rng()), round3(rng()), round3(rng()));
    count('set_color');
  } else if (what < 0.75) {
    e.set_material(id, round3(rng()), round3(rng()));
    count('set_material');
  } else {
    const node = e.get_node(id);
    const s = () => round3(between(0.2, 1.5));
    if (node.kind === 'sphere') e.set_sphere_radius(id, s());
    else if (node.kind === 'box') e.set_box_extents(id, s(), s(), s());
    else e.set_plane_size(id, round3(between(0.5, 3)));
    count('set_size');
  }
}

/** View changes local to `peer`: AOV, size, selection, pan/zoom, framing. */
function randomView(peer) {
  const e = peer.engine;
  if (rng() < 0.01) {
    e.set_aov_mode(pickOne(AOVS));
    count('aov');
  }
  if (rng() < 0.004) {
    const w = Math.round(between(24, 80));
    const h = Math.round(between(24, 80));
    const dpr = pickOne([0.5, 1, 1, 1.5]);
    e.resize(w, h, dpr);
    peer.css = [w, h];
    count('resize');
  }
  if (rng() < 0.02) {
    const hit = e.pick(between(0, peer.css[0]), between(0, peer.css[1]));
    e.select(hit);
    count(hit === undefined ? 'pick_miss' : 'pick_hit');
  } else if (rng() < 0.01) {
    const ids = e.node_ids();
    e.select(ids.length && rng() < 0.8 ? pickOne(ids) : undefined);
    count('select');
  }
  if (rng() < 0.01) {
    e.on_mouse_drag(between(-20, 20), between(-20, 20), pickOne([1, 2]));
    count('pan');
  }
  if (rng() < 0.01) {
    e.on_wheel(between(-200, 200));
    count('zoom');
  }
  if (rng() < 0.004) {
    e.frame_all();
    count('frame_all');
  }
  if (rng() < 0.0006) {
    // Reads race with frames, edits and losses; a read while the device is lost is refused by design.
    const started = state.frame;
    state.reads.push(e.read_pixels().then(
      (pixels) => { count('reads_ok'); return pixels.length; },
      (error) => {
        if (/lost|recreated/i.test(error?.message ?? '')) count('reads_refused_lost');
        else unexpected(`${peer.name}.read_pixels (started frame ${started})`, error);
      },
    ));
  }
}

/** Reads `stats()`; notes finished recoveries and checks the scene survived them. */
function checkRecovery(peer) {
  const stats = peer.engine.stats();
  if (stats.device_losses !== peer.lossesSeen) {
    peer.lossesSeen = stats.device_losses;
    peer.recoveryFrames.push(state.frame - peer.lostAtFrame);
    const nodes = peer.engine.node_ids().length;
    if (stats.nodes !== nodes) unexpected(`${peer.name} recovery`, `stats().nodes ${stats.nodes} but ${nodes} ids`);
    count('recoveries');
  }
  return stats;
}

function maybeLoseDevice(peer) {
  if (rng() >= 0.0006) return;
  const pending = peer.lossesRequested !== peer.lossesSeen;
  if (pending && rng() < 0.7) return;
  // Sometimes a second loss while the first is still being recovered from: it must not count twice.
  peer.engine.debug_lose_device();
  if (!pending) {
    peer.lossesRequested++;
    peer.lostAtFrame = state.frame;
  }
  count(pending ? 'losses_during_recovery' : 'losses');
}

/**
 * Renders one frame on `peer`; while back-pressure skips it (the GPU still has two frames to finish),
 * waits a millisecond and retries, bounded at 60 s (the first frame in a new AOV or after a loss compiles
 * pipelines on the CPU). Waiting with a timer rather than spinning leaves the CPU to SwiftShader.
 */
async function frameOn(peer) {
  const before = peer.engine.stats().frames_skipped;
  const started = performance.now();
  for (let tries = 0; ; tries++) {
    peer.engine.render_frame(1 / 60);
    const stats = checkRecovery(peer);
    if (stats.frames_skipped === before + tries) return;
    count('skipped');
    if (performance.now() - started > 60_000) throw new Error(`${peer.name}: frames skipped by back-pressure for 60 s`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

async function setup(seed, editRate) {
  state.seed = seed;
  state.editRate = editRate;
  rng = generator(seed);
  const a = await Engine.create(canvas(FINAL_SIZE), { present: false });
  const b = await Engine.create(canvas(FINAL_SIZE), { present: false });
  a.resize(FINAL_SIZE, FINAL_SIZE, 1);
  b.resize(FINAL_SIZE, FINAL_SIZE, 1);
  state.a = new Peer('A', a, FINAL_SIZE);
  state.b = new Peer('B', b, FINAL_SIZE);
  a.on_sync_message((m) => state.toB.push(m));
  b.on_local_update((u) => state.toA.push(u));
  handshake(a, b);
  handshake(b, a);
  // A starting scene, made on A and synced to B like any edit.
  for (let i = 0; i < 2 * MIN_NODES; i++) randomEdit(i % 2 ? state.b : state.a);
  return { backend: a.stats().backend, live: Engine.live_count() };
}

/** Runs `frames` soak frames; resolves to what happened in them. */
async function run(frames, edits = true) {
  const started = performance.now();
  const errorsBefore = state.counts.unexpected_errors ?? 0;
  for (let i = 0; i < frames; i++) {
    state.frame++;
    for (const peer of [state.a, state.b]) {
      if (edits && rng() < state.editRate) {
        attempt(`${peer.name} edit`, () => randomEdit(peer));
        // Sometimes a burst, as a slider drag makes.
        while (rng() < 0.5) attempt(`${peer.name} edit`, () => randomEdit(peer));
      }
      attempt(`${peer.name} view`, () => randomView(peer));
      attempt(`${peer.name} lose`, () => maybeLoseDevice(peer));
    }
    if (rng() < 0.02) {
      // The same orbit on both: framing keeps each camera's direction, so equal directions give equal
      // views at the end.
      const dx = between(-30, 30);
      const dy = between(-30, 30);
      attempt('orbit', () => { state.a.engine.on_mouse_drag(dx, dy, 0); state.b.engine.on_mouse_drag(dx, dy, 0); });
      count('orbit');
    }
    if (rng() < 0.5) deliver(state.toB, (m) => state.b.engine.sync_receive(m), 'B.sync_receive');
    if (rng() < 0.5) deliver(state.toA, (u) => state.a.engine.apply_update(u), 'A.apply_update');
    if (rng() < 0.0003) dropAndResync();
    for (const peer of [state.a, state.b]) {
      try {
        await frameOn(peer);
      } catch (error) {
        unexpected(`${peer.name}.render_frame`, error);
      }
    }
    // Lets the outboxes deliver (microtasks) and GPU callbacks run.
    await nextTask();
  }
  return {
    frames,
    ms: performance.now() - started,
    unexpected: (state.counts.unexpected_errors ?? 0) - errorsBefore,
    memory: wasm.memory.buffer.byteLength,
    nodes: state.a.engine.node_ids().length,
    edits: EDIT_KEYS.reduce((sum, k) => sum + (state.counts[k] ?? 0), 0),
    docBytes: state.a.engine.encode_state().length,
  };
}

/** Renders until a pending recovery finished on both engines (bounded). */
async function settleRecoveries() {
  for (let i = 0; i < 5000; i++) {
    if (state.a.lossesRequested === state.a.lossesSeen && state.b.lossesRequested === state.b.lossesSeen) return i;
    await frameOn(state.a);
    await frameOn(state.b);
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`recoveries did not finish: A ${state.a.lossesSeen}/${state.a.lossesRequested}, B ${state.b.lossesSeen}/${state.b.lossesRequested}`);
}

/** Delivers everything still queued (outboxes deliver from microtasks, so loop until quiet). */
async function flush() {
  for (let round = 0; round < 100; round++) {
    await nextTask();
    if (state.toA.length === 0 && state.toB.length === 0) return round;
    deliverAll();
  }
  throw new Error('message queues did not drain');
}

/** Both documents as plain data: every node by id (node_ids + get_node). */
function nodesOf(engine) {
  return engine.node_ids().map((id) => engine.get_node(id));
}

/** Sets both engines to the same size, AOV, selection and camera, and draws until the camera rests. */
async function sameView(mode) {
  for (const peer of [state.a, state.b]) {
    const e = peer.engine;
    e.resize(FINAL_SIZE, FINAL_SIZE, 1);
    peer.css = [FINAL_SIZE, FINAL_SIZE];
    e.set_aov_mode(mode);
    e.select(undefined);
    e.frame_all();
  }
  // dt = 10 s: the damping factor rounds to exactly 1, so both cameras snap onto their (equal) goals.
  await frameOn(state.a);
  await frameOn(state.b);
  for (const peer of [state.a, state.b]) peer.engine.render_frame(10);
}

/** Bytes as base64 (they cross to Node as a string: an array of numbers is slow through the protocol). */
function base64(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

async function pixelsOf(engine) {
  return base64(await engine.read_pixels());
}

/** End of the soak: drain, settle, and return both documents, encodings and per-AOV pictures. */
async function finish() {
  const settleFrames = await settleRecoveries();
  const flushRounds = await flush();
  await Promise.all(state.reads);
  const a = state.a.engine;
  const b = state.b.engine;
  const pictures = {};
  for (const mode of AOVS) {
    await sameView(mode);
    pictures[mode] = { a: await pixelsOf(a), b: await pixelsOf(b) };
  }
  const statsA = a.stats();
  const statsB = b.stats();
  return {
    seed: state.seed,
    frames: state.frame,
    settleFrames,
    flushRounds,
    counts: state.counts,
    errors: state.errors,
    nodesA: nodesOf(a),
    nodesB: nodesOf(b),
    encodedA: base64(a.encode_state()),
    encodedB: base64(b.encode_state()),
    stats: { a: statsA, b: statsB },
    losses: {
      a: { requested: state.a.lossesRequested, recovered: statsA.device_losses, frames: state.a.recoveryFrames },
      b: { requested: state.b.lossesRequested, recovered: statsB.device_losses, frames: state.b.recoveryFrames },
    },
    size: FINAL_SIZE,
    pictures,
  };
}

/**
 * A loss at a quiet moment: the recovered engine must draw exactly the picture it drew before (the scene
 * rebuilt from the document, the view carried over). Resolves to { before, after, frames }.
 */
async function lossKeepsPicture(name) {
  const peer = name === 'A' ? state.a : state.b;
  await sameView('beauty');
  const before = await pixelsOf(peer.engine);
  peer.engine.debug_lose_device();
  peer.lossesRequested++;
  peer.lostAtFrame = state.frame;
  const frames = await settleRecoveries();
  peer.engine.render_frame(0);
  const after = await pixelsOf(peer.engine);
  return { before, after, frames, losses: peer.engine.stats().device_losses };
}

function freeBoth() {
  state.a.engine.free();
  state.b.engine.free();
  state.a = state.b = null;
  return Engine.live_count();
}

/**
 * One create/drop cycle: `count` engines, each with a scene, callbacks and frames; two in three are
 * dropped while recovering from a device loss (before or after the new device arrived). Every device
 * requested must end destroyed. Freed with free() when `free`, else dropped and collected
 * (gc() and event-loop turns until live_count() is 0, bounded). Resolves to the figures.
 */
async function createDropCycle(count, free) {
  const started = performance.now();
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const sink = []; // callbacks write here; they must not capture their engine (see callbackCycles)
  const devicesBefore = devices.length;
  // Its own function, so no suspended frame keeps the last engine reachable.
  const one = async (i) => {
    const e = await Engine.create(canvas(32), { present: false });
    const device = devices.at(-1);
    e.resize(32, 32, 1);
    e.on_local_update((u) => sink.push(u.length));
    e.on_sync_message((m) => sink.push(m.length));
    for (let n = 0; n < 6; n++) {
      const [x, y, z] = randomPosition();
      e.add_sphere(x, y, z, 0.5);
    }
    e.set_aov_mode(pickOne(AOVS));
    e.frame_all();
    for (let f = 0; f < 3; f++) {
      e.render_frame(1 / 60);
      await nextTask();
    }
    if (i % 3 !== 0) {
      // A loss, noticed (the browser reports it a task or more later), and the recovery started...
      e.debug_lose_device();
      // The engine's lost callback runs before this page's (registered first on the same promise).
      for (let t = 0; t < 500 && !device.lost; t++) await sleep(10);
      const requested = devices.length;
      e.render_frame(1 / 60);
      if (i % 3 === 2) {
        // ...then the engine goes before the new device arrives, or...
      } else {
        // ...after it arrived and before a frame installed it.
        for (let t = 0; t < 500 && devices.length === requested; t++) await sleep(10);
        await sleep(50);
      }
    }
    if (free) e.free();
  };
  for (let i = 0; i < count; i++) await one(i);
  for (const c of document.querySelectorAll('canvas')) c.remove();
  const peak = Engine.live_count();
  let gcRounds = 0;
  while (Engine.live_count() > 0 && gcRounds < 100) {
    window.gc();
    await sleep(100);
    gcRounds++;
  }
  // Recoveries started by dropped engines finish in the background: wait (bounded) until every device
  // requested so far is destroyed, since no engine is left to use one.
  let waits = 0;
  while (devices.some((d) => !d.lost) && waits < 100) {
    window.gc();
    await sleep(100);
    waits++;
  }
  return {
    ms: performance.now() - started, peak, live: Engine.live_count(), gcRounds, memory: wasm.memory.buffer.byteLength,
    updates: sink.length, devices: devices.length - devicesBefore, devicesNotDestroyed: devices.filter((d) => !d.lost).length,
    notDestroyed: JSON.stringify(devices.filter((d) => !d.lost).map(({ n, at }) => ({ n, at }))),
  };
}

/**
 * Engines whose callbacks reach engines. wasm-bindgen keeps a callback alive from the wasm side (its
 * externref table is a GC root), so a callback that captures its own engine, or a peer whose callback
 * captures this one, keeps the engine reachable and the FinalizationRegistry never fires: such engines
 * need free(), or on_local_update(null) / on_sync_message(null) before they are dropped. Resolves to
 * how many engines each case leaves alive.
 */
async function callbackCycles() {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const collect = async (base) => {
    for (let i = 0; i < 50 && Engine.live_count() > base; i++) {
      window.gc();
      await sleep(100);
    }
    return Engine.live_count() - base;
  };
  const make = () => Engine.create(canvas(16), { present: false });
  const out = {};
  let base = Engine.live_count();
  await (async () => {
    const a = await make();
    const b = await make();
    a.on_local_update((u) => b.apply_update(u));
    b.on_sync_message((m) => a.sync_receive(m));
    a.add_sphere(0, 0, 0, 1);
  })();
  out.wiredPair = await collect(base);
  base = Engine.live_count();
  await (async () => {
    const a = await make();
    const b = await make();
    a.on_local_update((u) => b.apply_update(u));
    b.on_sync_message((m) => a.sync_receive(m));
    a.add_sphere(0, 0, 0, 1);
    a.on_local_update(null);
    b.on_sync_message(null);
  })();
  out.wiredPairCleared = await collect(base);
  base = Engine.live_count();
  await (async () => {
    const a = await make();
    a.on_local_update(() => a.stats());
  })();
  out.selfCapture = await collect(base);
  for (const c of document.querySelectorAll('canvas')) c.remove();
  return out;
}

window.soak = {
  callbackCycles,
  Engine, wasm, setup, run, finish, lossKeepsPicture, freeBoth, createDropCycle,
  memory: () => wasm.memory.buffer.byteLength,
  devices: () => devices.map(({ n, at, lost }) => ({ n, at, lost })),
  errors: () => state.errors,
};
document.body.dataset.ready = 'true';
