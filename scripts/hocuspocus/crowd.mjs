// A crowd of lightweight Hocuspocus clients for the collaboration scale test and benchmark
// (tests/lib/scale.mjs): N editors, each dragging its own node at HZ and moving its pointer, and M viewers
// (a viewer token: read-only, awareness only) whose cameras move once a second. One process, so the
// harness can measure its CPU apart from the server's and the browser's.
//
//   node crowd.mjs '{"urls":["ws://127.0.0.1:1235"],"doc":"room","editors":10,"viewers":200,
//                    "token":"…","viewerToken":"…","hz":30,"activeMs":10000}'
//
// Protocol with the parent, one JSON object per stdout line:
//   {"event":"connected"}        every client authenticated and every editor's node acknowledged
//   (the parent writes "start\n" to stdin)
//   {"event":"done", ...report}  after activeMs of dragging: send times and traffic counters
//   (the parent writes "close\n"; every client disconnects and the process exits)
//
// "Lightweight": a client speaks the wire protocol by hand (Hocuspocus framing from web/collab/hocuspocus.js,
// y-protocols sync and awareness messages) and does not apply what it receives, only counts it; so one
// process can play hundreds of peers and the server still does all of its real work (apply, store,
// broadcast to every connection). An editor holds a Y.Doc with only its own node: its updates name
// nothing else, so they merge into the room without the editor having loaded it.
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import * as Y from 'yjs';
import { WebSocket } from 'ws';
import { frame, unframe } from '../../web/collab/hocuspocus.js';

const config = JSON.parse(process.argv[2]);
const { urls, doc, editors, viewers, token, viewerToken, hz = 30, activeMs = 10_000, viewerHz = 1 } = config;
const now = () => performance.timeOrigin + performance.now(); // epoch ms, the clock the page uses too
const emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

const encoder = new TextEncoder();
function varUint(value) {
  const out = [];
  let n = value;
  while (n > 0x7f) { out.push(0x80 | (n & 0x7f)); n = Math.floor(n / 128); }
  out.push(n);
  return out;
}
const bytes = (...parts) => Uint8Array.from(parts.flatMap((p) => [...p]));
const varBytes = (b) => bytes(varUint(b.length), b);
/** Hocuspocus auth: messageAuth (2), token (0), the token string. */
const authMessage = (t) => bytes([2, 0], varBytes(encoder.encode(t)));
/** y-protocols sync step 1 (0, 0) and update (0, 2). */
const syncStep1 = (stateVector) => bytes([0, 0], varBytes(stateVector));
const syncUpdate = (update) => bytes([0, 2], varBytes(update));
/** One y-protocols awareness entry (messageAwareness 1): count 1, client id, clock, JSON state. */
const awarenessMessage = (clientId, clock, state) =>
  bytes([1], varBytes(bytes(varUint(1), varUint(clientId), varUint(clock), varBytes(encoder.encode(JSON.stringify(state))))));

const traffic = () => ({ clients: 0, msgsIn: 0, bytesIn: 0, msgsOut: 0, bytesOut: 0, refused: 0 });
const counters = { editor: traffic(), viewer: traffic() };
const COLORS = ['#e91e63', '#2196f3', '#4caf50', '#ff9800', '#9c27b0', '#00bcd4', '#795548', '#607d8b'];

/** One connection: authenticates, then `onReady()`; counts every frame both ways under `role`. */
function connect(index, role) {
  const count = counters[role];
  count.clients++;
  const ws = new WebSocket(urls[index % urls.length]);
  ws.binaryType = 'arraybuffer';
  const client = {
    ws,
    authenticated: false,
    acknowledged: 0,
    send(message) {
      const framed = frame(doc, message);
      count.msgsOut++;
      count.bytesOut += framed.length;
      ws.send(framed);
    },
  };
  ws.on('open', () => client.send(authMessage(role === 'viewer' ? viewerToken : token)));
  ws.on('message', (data) => {
    const message = new Uint8Array(data);
    count.msgsIn++;
    count.bytesIn += message.length;
    const { type, body } = unframe(message);
    if (type === 2 && body[1] === 2) client.authenticated = true; // auth: authenticated
    if (type === 8) { // SyncStatus: 1 applied, 0 refused
      if (body[1]) client.acknowledged++;
      else count.refused++;
    }
  });
  ws.on('error', (error) => { emit({ event: 'error', role, index, message: error.message }); });
  return client;
}

/** The node an editor drags: a sphere of its own, on a ring, y-protocols presence in its color. */
function editor(index) {
  const client = connect(index, 'editor');
  const ydoc = new Y.Doc();
  const id = `scale-e${index}`;
  const color = COLORS[index % COLORS.length];
  const ring = 2 + (index % 5);
  const angle0 = (index / Math.max(1, editors)) * 2 * Math.PI;
  let step = 0;
  let clock = 0;
  const sends = [];
  const position = () => {
    const a = angle0 + step * 0.05;
    return [ring * Math.cos(a), 0.5, ring * Math.sin(a)];
  };
  const transform = (p) => [...p, 0, 0, 0, 1, 0.3, 0.3, 0.3];
  ydoc.on('update', (update) => {
    if (client.authenticated) client.send(syncUpdate(update));
  });
  const presence = (p) => ({
    user: { name: `editor ${index}`, color },
    camera: { position: [0, 6, 12], target: [0, 0, 0], fov_y_deg: 45 },
    pointer: [p[0], p[1] + 0.3, p[2]],
    dragging: id,
  });
  return {
    client,
    sends,
    id,
    /** After authentication: step 1, the node, the first presence. */
    join() {
      client.send(syncStep1(Y.encodeStateVector(ydoc)));
      ydoc.transact(() => {
        const node = new Y.Map();
        ydoc.getMap('nodes').set(id, node);
        node.set('kind', 'sphere');
        node.set('radius', 1);
        node.set('transform', transform(position()));
        node.set('placement', [null, `e${String(index).padStart(4, '0')}`]);
      });
      client.send(awarenessMessage(ydoc.clientID, ++clock, presence(position())));
    },
    /** One drag step: the node moves (send time recorded under its x) and the pointer follows. */
    tick() {
      step++;
      const p = position();
      sends.push([p[0], now()]);
      ydoc.getMap('nodes').get(id).set('transform', transform(p));
      client.send(awarenessMessage(ydoc.clientID, ++clock, presence(p)));
    },
  };
}

/** A viewer: read-only token, step 1 with an empty state vector, a camera that moves `viewerHz` times a second. */
function viewer(index) {
  const client = connect(index + editors, 'viewer');
  const clientId = 1_000_000 + index;
  let clock = 0;
  const presence = (turn) => ({
    user: { name: `viewer ${index}`, color: COLORS[index % COLORS.length] },
    camera: { position: [10 * Math.cos(turn), 5, 10 * Math.sin(turn)], target: [0, 0, 0], fov_y_deg: 50 },
  });
  let turn = (index * 0.37) % (2 * Math.PI);
  return {
    client,
    join() {
      client.send(syncStep1(Uint8Array.of(0)));
      client.send(awarenessMessage(clientId, ++clock, presence(turn)));
    },
    tick() {
      turn += 0.1;
      client.send(awarenessMessage(clientId, ++clock, presence(turn)));
    },
  };
}

const waitFor = async (condition, label, ms = 60_000) => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`crowd: ${label} within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const editorList = Array.from({ length: editors }, (_, i) => editor(i));
const viewerList = Array.from({ length: viewers }, (_, i) => viewer(i));
const everyone = [...editorList, ...viewerList];
await waitFor(() => everyone.every((c) => c.client.authenticated), 'every client authenticated');
for (const c of everyone) c.join();
await waitFor(() => editorList.every((e) => e.client.acknowledged > 0), "every editor's node acknowledged");
emit({ event: 'connected' });

const lines = createInterface({ input: process.stdin });
const nextLine = (ms = Infinity) => new Promise((resolve) => {
  lines.once('line', resolve);
  if (Number.isFinite(ms)) setTimeout(resolve, ms).unref();
});
await nextLine();
for (const role of Object.values(counters)) Object.assign(role, { msgsIn: 0, bytesIn: 0, msgsOut: 0, bytesOut: 0 });
const cpuStart = process.cpuUsage();
const started = now();
const timers = [];
// Each client on its own phase within the period, as real people are not in step.
const pace = (list, rate) => {
  for (const c of list) {
    const period = 1000 / rate;
    timers.push(setTimeout(() => timers.push(setInterval(() => c.tick(), period)), Math.random() * period));
  }
};
pace(editorList, hz);
pace(viewerList, viewerHz);
await new Promise((r) => setTimeout(r, activeMs));
for (const t of timers) { clearTimeout(t); clearInterval(t); }
const elapsedMs = now() - started;
const cpu = process.cpuUsage(cpuStart);
// A moment for the last drags to arrive before the page's records are read.
await new Promise((r) => setTimeout(r, 500));
emit({
  event: 'done',
  elapsedMs,
  crowdCpuMs: (cpu.user + cpu.system) / 1000,
  sends: Object.fromEntries(editorList.map((e) => [e.id, e.sends])),
  last: Object.fromEntries(editorList.map((e) => [e.id, e.sends.at(-1)?.[0] ?? null])),
  traffic: counters,
});
// Everyone stays (the page reads the room as it is) until the parent says "close", or for 30 s.
await nextLine(30_000);
for (const c of everyone) c.client.ws.close();
setTimeout(() => process.exit(0), 200).unref();
