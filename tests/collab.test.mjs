// End-to-end collaboration: a real @y/websocket-server (scripts/relay/, LevelDB persistence) on a free
// loopback port, two demo pages in one room (?room=&relay=), a Node Yjs client (yjs + y-websocket) and a
// hostile raw WebSocket peer. Prints the edit-to-render latency between pages and the bytes per drag edit.
// Presence: both pages list each other (?name=&color=), B's selection is drawn in B's color in A, the Node
// client's awareness state shows up in the pages, leaving drops a user, and none of it enters the document.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { assert, launch, open, root, run, serve, settledPixels, differingPixels, watchdog, freePort, until } from './lib/harness.mjs';

watchdog(12 * 60_000, 'collab');
const relayDir = join(root, 'scripts/relay');
if (!existsSync(join(relayDir, 'node_modules/@y/websocket-server/src/server.js'))) {
  const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: relayDir, stdio: 'inherit' });
  assert(npm.status === 0, 'npm install in scripts/relay failed');
}
const { Y, WebsocketProvider, WebSocket } = await import(pathToFileURL(join(relayDir, 'client.mjs')).href);


/** Starts the relay; resolves to { stop() } once it listens. */
function startRelay(port, dir) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(relayDir, 'node_modules/@y/websocket-server/src/server.js')], {
      env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), YPERSISTENCE: dir }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise((r) => child.on('exit', r));
    process.on('exit', () => child.kill());
    // The relay logs every garbage message the hostile step sends; its log is shown only if it dies.
    let log = '';
    child.stderr.on('data', (d) => { log = (log + d).slice(-4000); });
    child.on('exit', (code, signal) => { if (signal !== 'SIGTERM') console.log(`relay exited (${code ?? signal}):\n${log}`); });
    child.stdout.on('data', (d) => {
      if (/running at/.test(String(d))) resolve({ child, stop: async () => { child.kill(); await exited; } });
    });
    child.on('error', reject);
    setTimeout(() => reject(new Error('relay did not start within 15 s')), 15_000).unref();
  });
}


/** The scene of a page as plain data: ids and each node (Y.Doc-independent). */
const sceneOf = (page) => page.evaluate(() => window.engine.node_ids().map((id) => window.engine.get_node(id)));
/** A page's encoded state read back through Yjs in Node: the document as JSON. */
async function yjsView(page) {
  const bytes = await page.evaluate(() => Array.from(window.engine.encode_state()));
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Uint8Array.from(bytes));
  return JSON.stringify(doc.getMap('nodes').toJSON(), Object.keys(doc.getMap('nodes').toJSON()).sort());
}
async function converged(a, b) {
  const [sa, sb] = await Promise.all([sceneOf(a), sceneOf(b)]);
  return JSON.stringify(sa) === JSON.stringify(sb) && (await yjsView(a)) === (await yjsView(b));
}

const port = await freePort();
const dbDir = mkdtempSync(join(tmpdir(), 'collab-db-'));
let relay = await startRelay(port, dbDir);
const server = await serve();
const browser = await launch();
const room = `e2e-${process.pid}`;
const url = `${server.url}?present=0&room=${room}&relay=ws://127.0.0.1:${port}`;
// Ann is pink, Bob blue: B's selection in A must turn the selected node bluer.
const urlA = `${url}&name=Ann&color=%23e91e63`;
const urlB = `${url}&name=Bob&color=%230040ff`;
const relayUrl = `ws://127.0.0.1:${port}`;

try {
  let A, B, shared, nodeClient;
  const connected = (p) => p.page.waitForFunction(() => window.collab?.status === 'connected', null, { timeout: 20_000 });
  await run('collab', {
    'two pages join one room and show the status badge': async () => {
      [A, B] = await Promise.all([open(browser, urlA), open(browser, urlB)]);
      await Promise.all([connected(A), connected(B)]);
      const badge = await B.page.locator('#collab-status').textContent();
      assert(badge.includes(room) && badge.includes('connected'), `badge says ${badge}`);
    },

    'an edit in A appears in B: document and pixels': async () => {
      const before = await settledPixels(B.page);
      shared = await A.page.evaluate(() => {
        const id = window.engine.add_sphere(0, 0, 0, 1.2);
        window.engine.set_color(id, 0.9, 0.1, 0.1);
        return id;
      });
      // The add and the colour are two updates (two WebSocket frames): wait for both, not just the node.
      await B.page.waitForFunction((id) => window.engine.node_ids().includes(id) && window.engine.get_node(id).color[0] > 0.89,
        shared, { timeout: 10_000, polling: 10 });
      const node = await B.page.evaluate((id) => window.engine.get_node(id), shared);
      assert(node.radius > 1.19 && node.color[0] > 0.89, `B sees ${JSON.stringify(node)}`);
      const after = await settledPixels(B.page);
      const changed = differingPixels(before, after);
      assert(changed > 200, `B's picture changed in only ${changed} pixels`);
    },

    'presence: users listed both ways, B\'s selection in B\'s color in A, leaving drops B, document untouched': async () => {
      const docA = await A.page.evaluate(() => Array.from(window.engine.encode_state()));
      const docB = await B.page.evaluate(() => Array.from(window.engine.encode_state()));
      const [ann, bob] = await Promise.all([A, B].map((p) => p.page.evaluate(() => window.engine.presence())));
      assert(ann.name === 'Ann' && ann.color === '#e91e63' && bob.name === 'Bob' && bob.color === '#0040ff',
        `own presence from the URL: ${JSON.stringify([ann, bob])}`);
      const sees = (p, client, name) => p.page.waitForFunction(([c, n]) => window.engine.peers().some((u) => u.client === c && u.name === n),
        [client, name], { timeout: 10_000 });
      await Promise.all([sees(A, bob.client, 'Bob'), sees(B, ann.client, 'Ann')]);
      // The user lists: you first, then the others, each with a color dot.
      const list = (p) => p.page.$$eval('#collab-users li', (items) => items.map((li) => ({
        client: li.dataset.client, you: li.dataset.you === 'true', text: li.textContent, dot: li.firstChild.style.background,
      })));
      await A.page.waitForFunction(() => document.querySelectorAll('#collab-users li').length === 2, null, { timeout: 5_000 });
      const listA = await list(A);
      assert(listA[0].you && listA[0].text === 'Ann (you)' && listA[1].client === String(bob.client) && listA[1].text === 'Bob',
        `A's list: ${JSON.stringify(listA)}`);
      assert(/rgb\(0, 64, 255\)/.test(listA[1].dot), `Bob's dot is Bob's color: ${listA[1].dot}`);
      const listB = await list(B);
      assert(listB[0].text === 'Bob (you)' && listB[1].text === 'Ann', `B's list: ${JSON.stringify(listB)}`);

      // B selects the shared sphere: in A its pixels turn towards Bob's blue (A has no local selection).
      assert(await A.page.evaluate(() => window.engine.selected()) === undefined, 'A selects nothing');
      const before = await settledPixels(A.page);
      await B.page.evaluate((id) => window.engine.select(id), shared);
      await A.page.waitForFunction(([c, id]) => window.engine.peers().find((u) => u.client === c)?.selected === id,
        [bob.client, shared], { timeout: 10_000 });
      const after = await settledPixels(A.page);
      let bluer = 0;
      let redder = 0;
      for (let i = 0; i < before.pixels.length; i += 4) {
        const dr = after.pixels[i] - before.pixels[i];
        const db = after.pixels[i + 2] - before.pixels[i + 2];
        if (db > 8 && db > dr) bluer++;
        else if (dr > 8) redder++;
      }
      assert(bluer > 100 && redder * 10 < bluer, `the sphere took Bob's color in A: ${bluer} bluer, ${redder} redder pixels`);
      console.log(`     B's selection drawn in A: ${bluer} pixels turned towards Bob's blue`);
      // B deselects: A's picture goes back.
      await B.page.evaluate(() => window.engine.select(undefined));
      await A.page.waitForFunction((c) => window.engine.peers().find((u) => u.client === c)?.selected === null,
        bob.client, { timeout: 10_000 });
      const restored = await settledPixels(A.page);
      assert(differingPixels(before, restored) < 20, `A's picture returned: ${differingPixels(before, restored)} pixels differ`);

      // B goes offline on purpose: A drops B at once (B's leave message), and B forgets the room.
      const t0 = Date.now();
      await B.page.evaluate(() => window.collab.disconnect());
      await A.page.waitForFunction((c) => !document.querySelector(`#collab-users li[data-client="${c}"]`), String(bob.client),
        { timeout: 5_000 });
      console.log(`     B left on purpose: gone from A's list in ${Date.now() - t0} ms`);
      assert((await B.page.evaluate(() => window.engine.peers().length)) === 0, 'offline B lists no one else');
      await B.page.evaluate(() => window.collab.connect());
      await connected(B);
      await Promise.all([sees(A, bob.client, 'Bob'), sees(B, ann.client, 'Ann')]);

      // None of it entered the documents.
      assert(JSON.stringify(await A.page.evaluate(() => Array.from(window.engine.encode_state()))) === JSON.stringify(docA),
        "presence changed A's document");
      assert(JSON.stringify(await B.page.evaluate(() => Array.from(window.engine.encode_state()))) === JSON.stringify(docB),
        "presence changed B's document");
    },

    'concurrent edits converge to identical documents': async () => {
      await Promise.all([
        A.page.evaluate((id) => { window.engine.set_position(id, 1, 0, 0); window.engine.add_box(-2, 0, 0, 1, 1, 1); }, shared),
        B.page.evaluate((id) => { window.engine.set_position(id, -1, 0, 0); window.engine.set_material(id, 0.5, 0.5); window.engine.add_plane(0, -1, 0, 6); }, shared),
      ]);
      await until(() => converged(A.page, B.page), 10_000, 'convergence');
      const nodes = await sceneOf(A.page);
      assert(nodes.length === 3, `expected sphere, box and plane, got ${nodes.length}`);
    },

    "undo in A does not undo B's edit": async () => {
      await new Promise((r) => setTimeout(r, 600)); // a new undo step
      const mine = await A.page.evaluate(() => window.engine.add_sphere(2, 1, 0, 0.4));
      await B.page.waitForFunction((id) => window.engine.node_ids().includes(id), mine, { timeout: 10_000 });
      await B.page.evaluate((id) => window.engine.set_color(id, 0.1, 0.8, 0.1), shared);
      await A.page.waitForFunction((id) => window.engine.get_node(id).color[1] > 0.79, shared, { timeout: 10_000 });
      assert(await A.page.evaluate(() => window.engine.undo()), 'A had something to undo');
      await until(() => converged(A.page, B.page), 10_000, 'convergence after undo');
      const [ids, node] = await B.page.evaluate((id) => [window.engine.node_ids(), window.engine.get_node(id)], shared);
      assert(!ids.includes(mine), "A's undo removed its own sphere everywhere");
      assert(node.color[1] > 0.79, `B's color survived A's undo: ${JSON.stringify(node.color)}`);
    },

    'a Node client with yjs + y-websocket edits the room and B renders it': async () => {
      const doc = new Y.Doc();
      const provider = new WebsocketProvider(relayUrl, room, doc, { WebSocketPolyfill: WebSocket });
      try {
        await until(() => provider.synced, 10_000, 'node client sync');
        assert(doc.getMap('nodes').has(shared), 'the Node client sees the pages\' scene');
        const before = await settledPixels(B.page);
        doc.transact(() => {
          const node = new Y.Map();
          doc.getMap('nodes').set('node-client-1', node);
          node.set('kind', 'box');
          node.set('extents', [1.5, 1.5, 1.5]);
          node.set('transform', [0, 1.5, 1.5, 0, 0, 0, 1, 1, 1, 1]);
          node.set('material', [0.1, 0.2, 0.9, 0, 0.5, 0, 0, 0]);
        });
        await B.page.waitForFunction(() => window.engine.node_ids().includes('node-client-1'), null, { timeout: 10_000 });
        const node = await B.page.evaluate(() => window.engine.get_node('node-client-1'));
        assert(node.kind === 'box' && node.color[2] > 0.89, `B reads ${JSON.stringify(node)}`);
        const after = await settledPixels(B.page);
        assert(differingPixels(before, after) > 100, 'B drew the Node client\'s box');
        await until(() => converged(A.page, B.page), 10_000, 'A has it too');
        // Presence both ways with y-protocols awareness: the Node client's state in the pages' peers()
        // and lists, and the pages' states in the Node client's awareness.
        provider.awareness.setLocalStateField('user', { name: 'Node client', color: '#ff9800' });
        provider.awareness.setLocalStateField('selected', 'node-client-1');
        await A.page.waitForFunction((c) => window.engine.peers().some((u) => u.client === c && u.name === 'Node client' &&
          u.color === '#ff9800' && u.selected === 'node-client-1'), doc.clientID, { timeout: 10_000 });
        await B.page.waitForFunction((c) => document.querySelector(`#collab-users li[data-client="${c}"]`)?.textContent === 'Node client',
          String(doc.clientID), { timeout: 10_000 });
        const names = [...provider.awareness.getStates().values()].map((s) => s.user?.name).sort();
        assert(names.includes('Ann') && names.includes('Bob'), `the Node client sees ${JSON.stringify(names)}`);
        // Pointers (3D presence) both ways: the Node client's in A's peers(); B's mouse over its canvas, as
        // the world point under it, in the Node client's awareness and A's peers(), gone when it leaves.
        provider.awareness.setLocalStateField('pointer', [1, 0.5, -1]);
        await A.page.waitForFunction((c) => JSON.stringify(window.engine.peers().find((u) => u.client === c)?.pointer) === '[1,0.5,-1]',
          doc.clientID, { timeout: 10_000 });
        const bClient = await B.page.evaluate(() => window.engine.presence().client);
        const centre = await B.page.evaluate(() => {
          const r = document.getElementById('view').getBoundingClientRect();
          return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
        });
        await B.page.mouse.move(centre.x, centre.y);
        await B.page.mouse.move(centre.x + 3, centre.y + 2);
        const pointerOfB = () => provider.awareness.getStates().get(bClient)?.pointer;
        await until(() => Array.isArray(pointerOfB()) && pointerOfB().length === 3 && pointerOfB().every(Number.isFinite),
          10_000, 'the Node client sees B\'s pointer');
        await A.page.waitForFunction((c) => window.engine.peers().find((u) => u.client === c)?.pointer?.length === 3, bClient, { timeout: 10_000 });
        await B.page.mouse.move(1, 1); // off the canvas: pointerleave
        await until(() => pointerOfB() === undefined, 10_000, 'B\'s pointer left');
        await A.page.waitForFunction((c) => window.engine.peers().find((u) => u.client === c)?.pointer === null, bClient, { timeout: 10_000 });
        nodeClient = doc.clientID;
      } finally {
        // The provider's awareness runs an interval that would keep Node alive after the test.
        provider.destroy();
        provider.awareness.destroy();
        doc.destroy();
      }
    },

    "the Node client's presence goes when it disconnects": async () => {
      await A.page.waitForFunction((c) => !window.engine.peers().some((u) => u.client === c), nodeClient, { timeout: 10_000 });
    },

    'offline: B disconnects, both edit, B reconnects, both converge': async () => {
      await B.page.evaluate(() => window.collab.disconnect());
      await B.page.waitForFunction(() => window.collab.status === 'offline', null, { timeout: 5_000 });
      const a = await A.page.evaluate((id) => { window.engine.set_position(id, 0, 2, 0); return window.engine.add_sphere(-2, 2, 0, 0.3); }, shared);
      const b = await B.page.evaluate((id) => { window.engine.set_sphere_radius(id, 0.7); return window.engine.add_box(2, 2, 0, 0.5, 0.5, 0.5); }, shared);
      await new Promise((r) => setTimeout(r, 300));
      assert(!(await A.page.evaluate((b) => window.engine.node_ids().includes(b), b)), 'A cannot see B while B is offline');
      await B.page.evaluate(() => window.collab.connect());
      await connected(B);
      await until(() => converged(A.page, B.page), 10_000, 'convergence after reconnect');
      const node = await A.page.evaluate((id) => window.engine.get_node(id), shared);
      const ids = await A.page.evaluate(() => window.engine.node_ids());
      assert(ids.includes(a) && ids.includes(b), 'both offline additions survive');
      assert(Math.abs(node.radius - 0.7) < 1e-6 && node.position[1] === 2, `both offline edits of one node survive: ${JSON.stringify(node)}`);
    },

    'a dropped socket reconnects by itself (backoff)': async () => {
      const connects = await B.page.evaluate(() => { const n = window.collab.stats.connects; window.collab.debugDropSocket(); return n; });
      await B.page.waitForFunction((n) => window.collab.stats.connects > n && window.collab.status === 'connected', connects, { timeout: 15_000 });
    },

    'garbage, oversized and hostile peers do not harm the others': async () => {
      const stateA = await yjsView(A.page);
      const raw = new WebSocket(`${relayUrl}/${room}`);
      await new Promise((resolve, reject) => { raw.on('open', resolve); raw.on('error', reject); });
      const frames = [
        Buffer.from([9, 9, 9]), Buffer.from([0, 2, 200, 1]), Buffer.from([0, 0, 6, 0x80, 0x80, 0x80, 0x80, 0x08, 0]),
        Buffer.from([1, 5, 0xff, 0xff, 0xff, 0x7f, 1]), Buffer.from([0, 1, 4, 5, 200, 7, 7]),
      ];
      for (let i = 0; i < 50; i++) frames.push(Buffer.from(Array.from({ length: 1 + (i * 7) % 40 }, (_, j) => (i * 31 + j * 17) & 255)));
      const huge = Buffer.alloc(33 << 20, 0x41);
      huge[0] = 0; huge[1] = 2;
      for (const frame of frames) raw.send(frame);
      raw.send(huge);
      raw.send('not binary');
      await new Promise((r) => setTimeout(r, 1500));
      raw.terminate();
      assert((await yjsView(A.page)) === stateA, "garbage changed A's document");
      assert(await converged(A.page, B.page), 'A and B still agree');
      // A well-formed Yjs update with hostile contents: a string radius, NaN, a huge array, an unknown kind.
      const doc = new Y.Doc();
      const provider = new WebsocketProvider(relayUrl, room, doc, { WebSocketPolyfill: WebSocket });
      try {
        await until(() => provider.synced, 10_000, 'hostile client sync');
        doc.transact(() => {
          const bad = new Y.Map();
          doc.getMap('nodes').set('hostile-1', bad);
          bad.set('kind', 'sphere'); bad.set('radius', 'big'); bad.set('transform', [NaN, 1e308, -Infinity]);
          bad.set('material', new Array(10_000).fill(7));
          const odd = new Y.Map();
          doc.getMap('nodes').set('hostile-2', odd);
          odd.set('kind', 'teapot');
        });
        await B.page.waitForFunction(() => window.engine.node_ids().includes('hostile-1'), null, { timeout: 10_000 });
      } finally {
        // The provider's awareness runs an interval that would keep Node alive after the test.
        provider.destroy();
        provider.awareness.destroy();
        doc.destroy();
      }
      // Updates that make yrs itself panic (tests/fuzz/yrs-panics), as another tab would post them on the
      // room's BroadcastChannel: the page's update guard rejects each in its own wasm instance; the
      // engine is untouched. (A trap here would kill A's engine: nothing else on the page could catch it.)
      const crashers = readdirSync(join(root, 'tests/fuzz/yrs-panics')).filter((f) => f.endsWith('.bin')).sort()
        .map((f) => ({ v2: f.startsWith('v2'), bytes: Array.from(readFileSync(join(root, 'tests/fuzz/yrs-panics', f))) }));
      const beforeCrashers = await yjsView(A.page);
      const outcome = await A.page.evaluate(async (crashers) => {
        const { guard, tabs } = window.demo;
        const channel = new BroadcastChannel(tabs.name);
        const rejectedBefore = guard.stats.rejected;
        const fileErrors = [];
        for (const { v2, bytes } of crashers) {
          const update = Uint8Array.from(bytes);
          if (v2) {
            try { guard.applyUpdateV2(update); } catch (error) { fileErrors.push(String(error.message)); }
          } else {
            const head = [0, 2];
            let n = update.length;
            while (n > 0x7f) { head.push(0x80 | (n & 0x7f)); n = Math.floor(n / 128); }
            head.push(n);
            channel.postMessage(Uint8Array.from([...head, ...update]));
          }
          await new Promise((r) => setTimeout(r, 300)); // the spare instance takes over, a new one is prepared
        }
        channel.close();
        return { rejected: guard.stats.rejected - rejectedBefore, fileErrors, alive: window.engine.node_ids().length > 0 };
      }, crashers);
      assert(outcome.alive, 'A\'s engine still answers');
      assert(outcome.rejected === crashers.length, `the guard rejected ${outcome.rejected} of ${crashers.length} crashers`);
      assert(outcome.fileErrors.every((m) => m.includes('update guard rejected')), `v2 errors: ${outcome.fileErrors}`);
      assert((await yjsView(A.page)) === beforeCrashers, 'the crashers changed nothing in A');
      // Both pages keep rendering and syncing.
      const id = await A.page.evaluate(() => window.engine.add_sphere(0, 3, 0, 0.2));
      await B.page.waitForFunction((id) => window.engine.node_ids().includes(id), id, { timeout: 10_000 });
      const frames0 = await B.page.evaluate(() => window.demo.frames);
      await B.page.waitForFunction((n) => window.demo.frames > n + 3, frames0, { timeout: 20_000 });
      assert(await B.page.evaluate(() => document.body.dataset.ready) === 'true', 'B still running');
    },

    'hostile awareness: thousands of client ids, a huge state and impossible cameras are bounded and harm nobody': async () => {
      // y-protocols awareness by hand (the relay forwards it as any client's): messageAwareness, then the
      // update: entry count, then per entry client id, clock, JSON state (lib0 varUint / varString).
      const varUint = (n) => { const out = []; while (n > 0x7f) { out.push(0x80 | (n & 0x7f)); n = Math.floor(n / 128); } out.push(n); return out; };
      const varBytes = (b) => Buffer.concat([Buffer.from(varUint(b.length)), b]);
      const awareness = (entries) => Buffer.concat([Buffer.from([1]), varBytes(Buffer.concat([
        Buffer.from(varUint(entries.length)),
        ...entries.map(([client, json]) => Buffer.concat([Buffer.from([...varUint(client), 1]), varBytes(Buffer.from(json))])),
      ]))]);
      const before = await A.page.evaluate(() => ({ peers: window.engine.peers().length, memory: window.demo.wasm.memory.buffer.byteLength }));
      const stateA = await yjsView(A.page);
      const raw = new WebSocket(`${relayUrl}/${room}`);
      await new Promise((resolve, reject) => { raw.on('open', resolve); raw.on('error', reject); });
      // One huge state (a 100,000-character name and 4 MB of junk) and impossible cameras: infinities (which
      // JSON.stringify sends as null), a zero field of view, eye on target, strings.
      raw.send(awareness([[6_000_000, JSON.stringify({ user: { name: `Huge${'x'.repeat(100_000)}`, color: '#123456' }, junk: 'a'.repeat(4 << 20) })]]));
      const cameras = [
        { position: [Infinity, 0, 0], target: [0, 0, 0], fov_y_deg: 45 }, { position: [0, 1, 5], target: [0, 0, 0], fov_y_deg: 0 },
        { position: [1, 1, 1], target: [1, 1, 1], fov_y_deg: 45 }, { position: ['0', 1, 5], target: [0, 0, 0], fov_y_deg: 45 },
      ];
      raw.send(awareness(cameras.map((camera, i) => [6_000_001 + i, JSON.stringify({ user: { name: `odd ${i}`, color: '#0000ff' }, camera, pointer: [NaN, 0, 0] })])));
      // 4,000 made-up clients with valid states, 200 to a message.
      for (let m = 0; m < 20; m++) {
        raw.send(awareness(Array.from({ length: 200 }, (_, i) => [5_000_000 + m * 200 + i, JSON.stringify({
          user: { name: `bot ${m * 200 + i}`, color: '#00ff00' }, camera: { position: [m, 2, i], target: [0, 0, 0], fov_y_deg: 50 }, pointer: [i, 0, m],
        })])));
      }
      // Sent first, the odd states find room; the flood then fills the peer table to its bound and stops there.
      await A.page.waitForFunction(() => window.engine.peers().length >= 1000, null, { timeout: 30_000, polling: 100 });
      const seen = await A.page.evaluate(() => {
        const peers = window.engine.peers();
        const huge = peers.find((p) => p.client === 6_000_000);
        const odd = peers.filter((p) => p.name?.startsWith('odd '));
        return {
          count: peers.length, bob: peers.some((p) => p.name === 'Bob'), hugeName: huge?.name ?? null,
          oddCameras: odd.map((p) => p.camera), oddPointers: odd.map((p) => p.pointer), memory: window.demo.wasm.memory.buffer.byteLength,
        };
      });
      assert(seen.count <= 1024, `A keeps ${seen.count} peers; MAX_CLIENTS is 1024`);
      assert(seen.bob, 'Bob, here before the flood, is still listed');
      assert(seen.hugeName?.length === 64 && seen.hugeName.startsWith('Hugex'), `the huge name is cut to 64 characters: ${seen.hugeName?.length}`);
      assert(seen.oddCameras.length === 4 && seen.oddCameras.every((c) => c === null) && seen.oddPointers.every((p) => p === null), `impossible cameras and pointers read as absent: ${JSON.stringify(seen)}`);
      assert(seen.memory - before.memory < 64 << 20, `A's wasm memory grew by ${seen.memory - before.memory} bytes`);
      // The hostile client leaves: the relay removes every state it sent, and A forgets them all.
      raw.close();
      await A.page.waitForFunction((n) => window.engine.peers().length <= n, before.peers, { timeout: 20_000 });
      assert(await A.page.evaluate(() => window.engine.peers().some((p) => p.name === 'Bob')), 'Bob is still listed');
      assert((await yjsView(A.page)) === stateA, 'presence changed A\'s document');
      assert(await converged(A.page, B.page), 'A and B still agree');
      const frames0 = await A.page.evaluate(() => window.demo.frames);
      await A.page.waitForFunction((n) => window.demo.frames > n + 3, frames0, { timeout: 20_000 });
    },

    'latency from an edit in A to the rendered change in B, and bytes per drag edit': async () => {
      // B watches in requestAnimationFrame: the frame in which B's document first holds the new position is
      // the frame whose render_frame draws it (both run in the same animation-frame task). Both pages share
      // one clock: performance.timeOrigin + performance.now().
      await B.page.evaluate((id) => {
        window.__watch = { id, target: null, seenAt: 0 };
        const watch = () => {
          const w = window.__watch;
          if (w.target !== null && Math.abs(window.engine?.get_node(w.id).position[0] - w.target) < 1e-6) {
            w.seenAt = performance.timeOrigin + performance.now();
            w.target = null;
          }
          requestAnimationFrame(watch);
        };
        requestAnimationFrame(watch);
      }, shared);
      const sent0 = await A.page.evaluate(() => ({ ...window.collab.stats }));
      const latencies = [];
      for (let i = 0; i < 100; i++) {
        const x = 0.01 * (i + 1);
        await B.page.evaluate((x) => { window.__watch.target = x; window.__watch.seenAt = 0; }, x);
        const t0 = await A.page.evaluate(({ id, x }) => {
          const t = performance.timeOrigin + performance.now();
          window.engine.set_position(id, x, 0.5, 0);
          return t;
        }, { id: shared, x });
        const handle = await B.page.waitForFunction(() => window.__watch.seenAt || false, null, { timeout: 10_000, polling: 5 })
          .catch(async (error) => {
            const state = await Promise.all([A, B].map((p) => p.page.evaluate(() => [window.collab.status, window.collab.stats])));
            throw new Error(`edit ${i}: ${error.message}; connections ${JSON.stringify(state)}`);
          });
        latencies.push((await handle.jsonValue()) - t0);
      }
      const sent1 = await A.page.evaluate(() => ({ ...window.collab.stats }));
      latencies.sort((p, q) => p - q);
      // Presence renewals (every 15 s) share the socket; they are not edits.
      const frames = (sent1.framesSent - sent0.framesSent) - (sent1.presenceSent - sent0.presenceSent);
      const bytes = sent1.bytesSent - sent0.bytesSent - (sent1.presenceBytesSent - sent0.presenceBytesSent);
      assert(frames === 100, `expected one frame per edit, A sent ${frames}`);
      console.log(`     latency A edit → B rendered (loopback, 100 edits): median ${latencies[50].toFixed(1)} ms, ` +
        `p10 ${latencies[10].toFixed(1)} ms, p90 ${latencies[90].toFixed(1)} ms`);
      console.log(`     bytes on the wire per position-drag edit (protocol message = WebSocket payload): ${(bytes / frames).toFixed(1)} B`);
    },

    'server restart with persistence brings the state back': async () => {
      const expected = await yjsView(A.page);
      await new Promise((r) => setTimeout(r, 500)); // LevelDB writes are asynchronous
      await relay.stop();
      await A.page.waitForFunction(() => window.collab.status !== 'connected', null, { timeout: 10_000 });
      relay = await startRelay(port, dbDir);
      // A fresh Node client reads the room from the restarted server before the pages are back.
      const doc = new Y.Doc();
      const provider = new WebsocketProvider(relayUrl, room, doc, { WebSocketPolyfill: WebSocket });
      try {
        await until(() => provider.synced, 10_000, 'sync after restart');
        // The server answers sync step 1 before LevelDB has loaded the room; the stored state follows
        // as an update a moment later.
        await until(() => doc.getMap('nodes').size > 0, 10_000, 'the stored room arriving');
        await new Promise((r) => setTimeout(r, 200));
        const nodes = doc.getMap('nodes').toJSON();
        const view = JSON.stringify(nodes, Object.keys(nodes).sort());
        assert(view === expected, `the restarted server holds a different document: ${view.length} vs ${expected.length} chars, ` +
          `keys ${Object.keys(nodes).length} vs ${Object.keys(JSON.parse(expected)).length}`);
      } finally {
        // The provider's awareness runs an interval that would keep Node alive after the test.
        provider.destroy();
        provider.awareness.destroy();
        doc.destroy();
      }
      await Promise.all([connected(A), connected(B)]);
      const id = await B.page.evaluate(() => window.engine.add_sphere(1, 3, 0, 0.2));
      await A.page.waitForFunction((id) => window.engine.node_ids().includes(id), id, { timeout: 10_000 });
    },

    "B closes its page: A's user list drops B": async () => {
      const bob = await B.page.evaluate(() => window.engine.presence().client);
      await A.page.waitForFunction((c) => !!document.querySelector(`#collab-users li[data-client="${c}"]`), String(bob), { timeout: 10_000 });
      const t0 = Date.now();
      await B.page.close();
      await A.page.waitForFunction((c) => !document.querySelector(`#collab-users li[data-client="${c}"]`), String(bob), { timeout: 10_000 });
      console.log(`     B closed: gone from A's list in ${Date.now() - t0} ms`);
      const users = await A.page.$$eval('#collab-users li', (items) => items.map((li) => li.textContent));
      assert(users.length === 1 && users[0] === 'Ann (you)', `A lists ${JSON.stringify(users)}`);
    },

    'no console errors in either page': async () => {
      // Chromium logs each refused connection while the relay restarts; those are expected.
      const errors = [...A.errors, ...B.errors].filter((e) => !/ERR_CONNECTION_REFUSED/.test(e));
      assert(errors.length === 0, `console errors:\n${errors.join('\n')}`);
    },
  }, { stepTimeout: 120_000 });
} finally {
  await browser.close();
  server.stop();
  await relay.stop();
  rmSync(dbDir, { recursive: true, force: true });
}
