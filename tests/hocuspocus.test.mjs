// End-to-end: the engine on a real Hocuspocus server through web/collab/hocuspocus.js (document-name
// framing, token auth, SyncReply/SyncStatus), then scaled out: two Hocuspocus processes sharing the
// document through Redis (@hocuspocus/extension-redis), one page on each. A Node client using
// @hocuspocus/provider (the official JS client) edits the document and the engine draws the change. The
// server coalesces its broadcasts (scripts/hocuspocus/coalesce.mjs): a burst reaches a client merged.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { assert, launch, open, readPixels, root, run, serve, differingPixels, watchdog, freePort, until } from './lib/harness.mjs';
import { unframe } from '../web/collab/hocuspocus.js';
import { TOKEN, VIEWER_TOKEN, hocuspocusDir, installHocuspocus, startHocuspocus as hocuspocus, startRedis } from './lib/servers.mjs';

watchdog(8 * 60_000, 'hocuspocus');
installHocuspocus();
const { Y, HocuspocusProvider, WebSocket } = await import(pathToFileURL(join(hocuspocusDir, 'client.mjs')).href);

const web = await serve(root);
const browser = await launch();
const pageUrl = (port, doc, token = TOKEN) =>
  `${web.url.replace(/\/$/, "")}/tests/pages/hocuspocus.html?url=ws://127.0.0.1:${port}&doc=${doc}&token=${encodeURIComponent(token)}`;
const connected = (p) => p.page.waitForFunction(() => window.connection.status === 'connected' && window.connection.hocuspocus.authenticated > 0, null, { timeout: 20_000 });
const hasNode = (p, id) => p.page.waitForFunction((id) => window.engine.node_ids().includes(id), id, { timeout: 15_000, polling: 20 });
const pixels = async (p) => { await new Promise((r) => setTimeout(r, 300)); return readPixels(p.page); };

const servers = [];
try {
  const port = await freePort();
  servers.push(await hocuspocus(port));
  const doc = `hp-${process.pid}`;
  let A, B;
  await run('hocuspocus', {
    'two pages authenticate with a token and sync through one Hocuspocus server': async () => {
      [A, B] = await Promise.all([open(browser, pageUrl(port, doc)), open(browser, pageUrl(port, doc))]);
      await Promise.all([connected(A), connected(B)]);
      const before = await pixels(B);
      const id = await A.page.evaluate(() => window.engine.add_sphere(0, 0, 0, 1.5));
      await hasNode(B, id);
      const after = await pixels(B);
      assert(differingPixels(before, after) > 100, 'B draws the sphere A added');
      const acks = await A.page.evaluate(() => window.connection.hocuspocus.acknowledged);
      assert(acks > 0, 'the server acknowledged A\'s updates (SyncStatus)');
    },

    'the official Hocuspocus JS client edits the document and the engine draws it': async () => {
      const ydoc = new Y.Doc();
      const provider = new HocuspocusProvider({ url: `ws://127.0.0.1:${port}`, name: doc, document: ydoc, token: TOKEN, WebSocketPolyfill: WebSocket });
      try {
        await until(() => provider.isSynced, 10_000, 'provider sync');
        const engineIds = await A.page.evaluate(() => window.engine.node_ids());
        for (const id of engineIds) assert(ydoc.getMap('nodes').has(id), `the JS client sees engine node ${id}`);
        const before = await pixels(A);
        ydoc.transact(() => {
          const node = new Y.Map();
          ydoc.getMap('nodes').set('hp-client-1', node);
          node.set('kind', 'box');
          node.set('extents', [1, 1, 1]);
          node.set('transform', [1.5, 1, 0, 0, 0, 0, 1, 1, 1, 1]);
          node.set('placement', [null, 'zz']);
        });
        await hasNode(A, 'hp-client-1');
        const node = await A.page.evaluate(() => window.engine.get_node('hp-client-1'));
        assert(node.kind === 'box' && node.position[0] === 1.5, `engine reads ${JSON.stringify(node)}`);
        assert(differingPixels(before, await pixels(A)) > 20, 'A draws the box');
      } finally {
        provider.destroy();
        ydoc.destroy();
      }
    },

    'the demo page joins with ?server=hocuspocus: the scene and each other\'s presence': async () => {
      const base = web.url.replace(/\/$/, '');
      const demo = (name) => `${base}/web/?present=0&persist=0&room=${doc}&relay=ws://127.0.0.1:${port}&server=hocuspocus&token=${TOKEN}&name=${name}`;
      const [E, F] = await Promise.all([open(browser, demo('Eve')), open(browser, demo('Fay'))]);
      const ids = await A.page.evaluate(() => window.engine.node_ids());
      for (const p of [E, F]) {
        await p.page.waitForFunction(() => window.collab?.status === 'connected', null, { timeout: 20_000 });
        await p.page.waitForFunction((n) => window.engine.node_ids().length >= n, ids.length, { timeout: 15_000 });
      }
      await E.page.waitForFunction(() => window.collab.presence.users().some((u) => u.name === 'Fay'), null, { timeout: 15_000 });
      await F.page.waitForFunction(() => window.collab.presence.users().some((u) => u.name === 'Eve'), null, { timeout: 15_000 });
      assert(E.errors.length === 0 && F.errors.length === 0, `demo errors: ${[...E.errors, ...F.errors].join('\n')}`);
      await Promise.all([E.page.close(), F.page.close()]);
      // With a viewer token the demo becomes view-only once the server grants a read-only scope.
      const G = await open(browser, demo('Gus').replace(`token=${TOKEN}`, `token=${VIEWER_TOKEN}`));
      await G.page.waitForFunction(() => document.body.classList.contains('read-only') && window.engine.is_read_only(), null, { timeout: 20_000 });
      await G.page.close();
    },

    'a wrong token is refused: no reconnect loop, the document untouched': async () => {
      const C = await open(browser, pageUrl(port, doc, 'wrong'));
      await C.page.waitForFunction(() => window.connection.hocuspocus.denied !== null, null, { timeout: 15_000 });
      await new Promise((r) => setTimeout(r, 1500));
      const { status, connects, ids } = await C.page.evaluate(() => ({
        status: window.connection.status, connects: window.connection.stats.connects, ids: window.engine.node_ids(),
      }));
      assert(status === 'offline' && connects === 1, `status ${status} after ${connects} connects`);
      assert(ids.length === 0, 'nothing was synced to the refused page');
      assert(C.messages.some((m) => m.includes('permission denied by the server')), 'the refusal is logged with its reason');
      await C.page.close();
    },

    'a viewer token is read-only: its engine refuses edits, and a forged update leaves every document untouched': async () => {
      const V = await open(browser, pageUrl(port, doc, VIEWER_TOKEN));
      await connected(V);
      const ids = await A.page.evaluate(() => window.engine.node_ids());
      await V.page.waitForFunction((n) => window.engine.node_ids().length >= n, ids.length, { timeout: 15_000 });
      const viewer = await V.page.evaluate(() => {
        let error = null;
        try { window.engine.add_sphere(0, 3, 0, 1); } catch (e) { error = String(e.message); }
        return { scope: window.connection.hocuspocus.scope, readOnly: window.engine.is_read_only(), error };
      });
      assert(viewer.scope === 'readonly' && viewer.readOnly, `viewer scope ${viewer.scope}, read-only ${viewer.readOnly}`);
      assert(/read-only/.test(viewer.error ?? ''), `a viewer's edit call: ${viewer.error}`);
      // A forged client: the page turns the engine's check off and edits anyway; the server refuses it.
      const forged = await V.page.evaluate(() => {
        window.engine.set_read_only(false);
        return window.engine.add_sphere(0, 3, 0, 1);
      });
      await V.page.waitForFunction(() => window.connection.hocuspocus.refused > 0, null, { timeout: 15_000 });
      const ydoc = new Y.Doc();
      const provider = new HocuspocusProvider({ url: `ws://127.0.0.1:${port}`, name: doc, document: ydoc, token: TOKEN, WebSocketPolyfill: WebSocket });
      try {
        await until(() => provider.isSynced, 10_000, 'provider sync');
        await new Promise((r) => setTimeout(r, 500));
        assert(!ydoc.getMap('nodes').has(forged), 'the server document took the viewer\'s forged node');
        assert(!(await A.page.evaluate((id) => window.engine.node_ids().includes(id), forged)), 'an editor received the forged node');
      } finally {
        provider.destroy();
        ydoc.destroy();
      }
      await V.page.close();
    },

    'broadcasts are coalesced: a burst of 400 changes from two clients reaches a third as a few merged messages, each update before the awareness that names its node': async () => {
      const room = `hp-burst-${process.pid}`;
      const client = (onMessage) => {
        const ydoc = new Y.Doc();
        const provider = new HocuspocusProvider({ url: `ws://127.0.0.1:${port}`, name: room, document: ydoc, token: TOKEN, WebSocketPolyfill: WebSocket, ...(onMessage && { onMessage }) });
        return { ydoc, provider };
      };
      const seen = { updates: 0, awareness: 0, early: [] };
      let counting = false;
      // Called by the provider ({ event, message }) and, with the raw MessageEvent, by its socket: count once.
      const listener = client(({ event, message }) => {
        if (!counting || message === undefined) return;
        const { type, body } = unframe(new Uint8Array(event.data));
        if (type === 0 && body[1] === 2) seen.updates++;
        if (type === 1) seen.awareness++;
      });
      const writers = [client(), client()];
      const everyone = [listener, ...writers];
      try {
        await until(() => everyone.every((c) => c.provider.isSynced), 10_000, 'three clients synced');
        // Applied in order: when a state names a node, the listener's document must already hold it.
        listener.provider.awareness.on('change', () => {
          for (const state of listener.provider.awareness.getStates().values()) {
            if (state.dragging && !listener.ydoc.getMap('nodes').has(state.dragging)) seen.early.push(state.dragging);
          }
        });
        counting = true;
        const last = [];
        writers.forEach(({ ydoc, provider }, w) => {
          for (let i = 0; i < 100; i++) {
            const id = `burst-${w}-${i}`;
            ydoc.transact(() => ydoc.getMap('nodes').set(id, new Y.Map([['kind', 'sphere']])));
            provider.setAwarenessField('dragging', id);
            last[w] = id;
          }
        });
        const nodes = listener.ydoc.getMap('nodes');
        await until(() => nodes.size === 200 && [...listener.provider.awareness.getStates().values()].filter((s) => last.includes(s.dragging)).length === 2,
          10_000, 'every node and both writers\' last dragging state at the listener');
        // Uncoalesced, the listener gets one message per change: 200 updates and 200 awareness messages. At most
        // a quarter of that leaves room for a slow machine (the burst spread over many windows); here it is 3-5.
        assert(seen.updates >= 1 && seen.updates <= 50, `${seen.updates} update messages for 200 updates`);
        assert(seen.awareness >= 1 && seen.awareness <= 50, `${seen.awareness} awareness messages for 200 changes`);
        assert(seen.early.length === 0, `awareness named nodes the listener did not have yet: ${seen.early.slice(0, 5).join(', ')}`);
        console.log(`     listener received ${seen.updates} update and ${seen.awareness} awareness messages for 200 of each`);
      } finally {
        for (const c of everyone) { c.provider.destroy(); c.ydoc.destroy(); }
      }
    },

    'scale-out: two Hocuspocus processes share the document through Redis': async () => {
      const redis = await startRedis();
      servers.push(redis);
      const redisPort = redis.port;
      const [p1, p2] = [await freePort(), await freePort()];
      servers.push(await hocuspocus(p1, { REDIS_PORT: String(redisPort) }), await hocuspocus(p2, { REDIS_PORT: String(redisPort) }));
      const scaled = `hp-redis-${process.pid}`;
      const [C, D] = await Promise.all([open(browser, pageUrl(p1, scaled)), open(browser, pageUrl(p2, scaled))]);
      await Promise.all([connected(C), connected(D)]);
      const id = await C.page.evaluate(() => window.engine.add_box(0, 0, 0, 2, 2, 2));
      await hasNode(D, id);
      const back = await D.page.evaluate(() => window.engine.add_sphere(2, 0, 0, 0.5));
      await hasNode(C, back);
      const [sc, sd] = await Promise.all([C, D].map((p) => p.page.evaluate(() => window.engine.node_ids().map((i) => window.engine.get_node(i)))));
      assert(JSON.stringify(sc) === JSON.stringify(sd), 'both instances hold the same scene');
      const errors = [...A.errors, ...B.errors, ...C.errors, ...D.errors];
      assert(errors.length === 0, `page errors: ${errors.join('\n')}`);
    },
  });
} finally {
  await browser.close();
  web.stop();
  for (const s of servers.reverse()) s.stop();
}
