// End-to-end, no server at all (issue 6): tabs of one browser sync over BroadcastChannel, the scene survives
// a reload in IndexedDB, and the scene exports to a file and imports back. Every check is against what a
// JavaScript Yjs page does with the same bytes: y-websocket's BroadcastChannel (its relay URL points at
// a port where nothing listens, so only the channel works) and y-indexeddb's database, bundled for the
// browser with esbuild (tests/pages/local-yjs.js → tests/out/local/yjs-bundle.js).
//
// All pages of one step share a browser context: BroadcastChannel and IndexedDB are per context.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import * as Y from 'yjs';
import { assert, demoViewport, launch, root, run, serve, watchdog, freePort, until } from './lib/harness.mjs';

watchdog(12 * 60_000, 'local');
const outDir = join(root, 'tests/out/local');
mkdirSync(outDir, { recursive: true });
await build({
  entryPoints: [join(root, 'tests/pages/local-yjs.js')],
  bundle: true, format: 'esm', platform: 'browser', outfile: join(outDir, 'yjs-bundle.js'), logLevel: 'warning',
});

/** A loopback port with nothing listening: a relay URL that refuses every connection. */
const deadPort = await freePort();
const deadRelay = `ws://127.0.0.1:${deadPort}`;
const server = await serve(root);
const browser = await launch();
const demo = (query) => `${server.url}web/?present=0&${query}`;
const yjsPage = `${server.url}tests/pages/local-yjs.html`;

/** Console errors that are expected here: the WebSocket to the dead relay fails (and retries). */
const expected = (text) => /WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/.*' failed/.test(text) ||
  /ERR_CONNECTION_REFUSED/.test(text);

/** Opens `url` in `context` (the harness's `open` makes a new context per page); collects errors. */
async function openIn(context, url) {
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error' && !expected(msg.text())) errors.push(msg.text()); });
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 90_000 });
  assert(await page.evaluate(() => document.body.dataset.ready) === 'true', `${url} did not start`);
  return { page, errors };
}
const newContext = () => browser.newContext({
  viewport: { width: demoViewport.width, height: demoViewport.height }, deviceScaleFactor: demoViewport.deviceScaleFactor,
  acceptDownloads: true,
});
const noErrors = (...tabs) => {
  const errors = tabs.flatMap((t) => t.errors);
  assert(errors.length === 0, `console errors:\n${errors.join('\n')}`);
};

/** The scene of a demo page as plain data: every node, sorted by id. */
const sceneOf = (page) => page.evaluate(() => window.engine.node_ids().map((id) => window.engine.get_node(id)));
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const hasNode = (page, id) => page.waitForFunction((id) => window.engine.node_ids().includes(id), id, { timeout: 10_000, polling: 20 });


/** What a Yjs page adds: the schema of the engine's `nodes` map (kind, extents, transform, material). */
function addYjsBox({ id, y }) {
  const { Y: Yjs } = window.lib;
  const doc = window.ydoc;
  doc.transact(() => {
    const node = new Yjs.Map();
    doc.getMap('nodes').set(id, node);
    node.set('kind', 'box');
    node.set('extents', [1.5, 1.5, 1.5]);
    node.set('transform', [0, y, 1.5, 0, 0, 0, 1, 1, 1, 1]);
    node.set('material', [0.1, 0.2, 0.9, 0, 0.5, 0, 0, 0]);
  });
}

const room = `local-${process.pid}`;
try {
  const tabsContext = await newContext();
  let A, B, J;
  let fromA;
  const localContext = await newContext();
  let L, before, file, clay;
  /** Entries in the 'updates' store of the database `app-scene`, read by the page L. */
  const storedCount = () => L.page.evaluate(() => new Promise((resolve, reject) => {
    const request = indexedDB.open('app-scene');
    request.onsuccess = () => {
      const db = request.result;
      const counted = db.transaction('updates').objectStore('updates').count();
      counted.onsuccess = () => { db.close(); resolve(counted.result); };
      counted.onerror = () => reject(counted.error);
    };
    request.onerror = () => reject(request.error);
  }));

  await run('local', {
    'two demo tabs in one room, no relay running: edits cross over BroadcastChannel both ways': async () => {
      const url = demo(`room=${room}&relay=${deadRelay}`);
      A = await openIn(tabsContext, url);
      fromA = await A.page.evaluate(() => {
        const id = window.engine.add_sphere(0, 1, 0, 1.25);
        window.engine.set_color(id, 0.9, 0.1, 0.1);
        return id;
      });
      // B opens after A's edit: the connect exchange (step 1 / step 2 on the channel) brings it. B saves
      // nothing (?persist=0), so A's edit cannot reach it through the room's IndexedDB database instead.
      B = await openIn(tabsContext, `${url}&persist=0`);
      await hasNode(B.page, fromA);
      const channel = await B.page.evaluate(() => window.demo.tabs.name);
      assert(channel === `${deadRelay}/${room}`, `channel name ${channel}`);
      // Live edits both ways.
      const fromB = await B.page.evaluate(() => window.engine.add_box(2, 0.5, 0, 1, 1, 1));
      await hasNode(A.page, fromB);
      await A.page.evaluate((id) => window.engine.set_sphere_radius(id, 0.75), fromA);
      await B.page.waitForFunction((id) => window.engine.get_node(id).radius === 0.75, fromA, { timeout: 10_000 });
      await until(async () => same(await sceneOf(A.page), await sceneOf(B.page)), 10_000, 'A and B agree');
      assert(await B.page.evaluate(() => window.collab.status) !== 'connected', 'the relay is supposed to be unreachable');
      noErrors(A, B);
    },

    'a JavaScript tab (yjs + y-websocket at the same dead relay) and the engine tabs interoperate both ways': async () => {
      J = await openIn(tabsContext, yjsPage);
      await J.page.evaluate(({ relay, room }) => {
        const { Y: Yjs, WebsocketProvider } = window.lib;
        window.ydoc = new Yjs.Doc();
        window.provider = new WebsocketProvider(relay, room, window.ydoc);
      }, { relay: deadRelay, room });
      // Yjs → engine state on connect: the JS tab sees every node of the engine tabs.
      const ids = await A.page.evaluate(() => window.engine.node_ids());
      await J.page.waitForFunction((ids) => ids.every((id) => window.ydoc.getMap('nodes').has(id)), ids, { timeout: 10_000 });
      const radius = await J.page.evaluate((id) => window.ydoc.getMap('nodes').get(id).get('radius'), fromA);
      assert(Math.abs(radius - 0.75) < 1e-6, `the JS tab reads radius ${radius}`);
      // A Yjs edit reaches both engine tabs.
      await J.page.evaluate(addYjsBox, { id: 'js-box-1', y: 1.5 });
      await Promise.all([hasNode(A.page, 'js-box-1'), hasNode(B.page, 'js-box-1')]);
      const box = await B.page.evaluate(() => window.engine.get_node('js-box-1'));
      assert(box.kind === 'box' && box.color[2] > 0.89 && box.position[1] === 1.5, `B reads ${JSON.stringify(box)}`);
      // An engine edit reaches the JS tab.
      await A.page.evaluate(() => window.engine.set_position('js-box-1', -1, 2, 0));
      await J.page.waitForFunction(() => window.ydoc.getMap('nodes').get('js-box-1').get('transform')[0] === -1, null, { timeout: 10_000 });
      await until(async () => same(await sceneOf(A.page), await sceneOf(B.page)), 10_000, 'A and B agree');
      noErrors(A, B, J);
      await J.page.evaluate(() => { window.provider.destroy(); window.ydoc.destroy(); });
    },

    'reload with IndexedDB only: the edited scene comes back, without the starter scene on top': async () => {
      L = await openIn(localContext, demo(''));
      const starter = await L.page.evaluate(() => window.engine.node_ids().length);
      assert(starter === 6, `a first visit shows the starter scene (6 nodes), got ${starter}`);
      clay = await L.page.evaluate(() => window.demo.scene.byName.clay);
      await L.page.evaluate(() => {
        const { engine, scene } = window.demo;
        engine.set_color(scene.byName.clay, 0.1, 0.7, 0.2);
        engine.add_sphere(-3, 0.4, 2, 0.4);
        engine.remove_node(scene.byName.bar);
      });
      before = await sceneOf(L.page);
      // A read transaction opened after the writes sees them: wait until every update is in the store.
      const size = await L.page.evaluate(() => window.demo.persistence.size);
      await until(async () => (await storedCount()) >= size, 5_000, 'the edits reach IndexedDB');
      await L.page.reload();
      await L.page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 90_000 });
      const after = await sceneOf(L.page);
      assert(same(before, after), `after the reload the scene differs:\n${JSON.stringify(before)}\n${JSON.stringify(after)}`);
      assert(await L.page.evaluate(() => window.demo.persistence.restored), 'the page does not say it restored');
      noErrors(L);
    },

    'a y-indexeddb page reads the same database (and its edits come back to the engine)': async () => {
      const Jdb = await openIn(localContext, yjsPage);
      const keys = await Jdb.page.evaluate(async () => {
        const { Y: Yjs, IndexeddbPersistence } = window.lib;
        window.ydoc = new Yjs.Doc();
        const persistence = new IndexeddbPersistence('app-scene', window.ydoc);
        await persistence.whenSynced;
        window.persistence = persistence;
        return Array.from(window.ydoc.getMap('nodes').keys()).sort();
      });
      const ids = before.map((n) => n.id);
      assert(same(keys, ids), `y-indexeddb sees ${JSON.stringify(keys)}, the engine ${JSON.stringify(ids)}`);
      const material = await Jdb.page.evaluate((id) => window.ydoc.getMap('nodes').get(id).get('material'), clay);
      assert(Math.abs(material[1] - 0.7) < 1e-6, `y-indexeddb reads the edited colour: ${JSON.stringify(material)}`);
      // y-indexeddb stores its own edit; the engine page finds it after a reload.
      await Jdb.page.evaluate(addYjsBox, { id: 'idb-box-1', y: 0.75 });
      await Jdb.page.evaluate(async () => { await window.persistence.destroy(); });
      await L.page.reload();
      await L.page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 90_000 });
      const box = await L.page.evaluate(() => window.engine.node_ids().includes('idb-box-1') && window.engine.get_node('idb-box-1'));
      assert(box && box.kind === 'box' && box.position[1] === 0.75, `the engine reads y-indexeddb's box: ${JSON.stringify(box)}`);
      before = await sceneOf(L.page);
      noErrors(L, Jdb);
      await Jdb.page.close();
    },

    'more than 500 stored updates are compacted into one (y-indexeddb PREFERRED_TRIM_SIZE)': async () => {
      const count = storedCount;
      const id = await L.page.evaluate(() => {
        const id = window.engine.add_sphere(3, 0.3, 3, 0.3);
        for (let i = 0; i < 520; i++) window.engine.set_position(id, 3, 0.3 + i / 1000, 3);
        return id;
      });
      await until(async () => (await count()) >= 500, 10_000, 'the 520 updates are stored');
      await until(async () => (await count()) <= 3, 10_000, 'compaction');
      before = await sceneOf(L.page);
      await L.page.reload();
      await L.page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 90_000 });
      assert(same(before, await sceneOf(L.page)), 'the compacted database restores the same scene');
      const node = await L.page.evaluate((id) => window.engine.get_node(id), id);
      assert(Math.abs(node.position[1] - 0.819) < 1e-5, `the last edit survived compaction: ${JSON.stringify(node)}`);
      noErrors(L);
    },

    'export, then import into a fresh page: an identical scene, sent on to another tab': async () => {
      const [download] = await Promise.all([
        L.page.waitForEvent('download', { timeout: 30_000 }), L.page.locator('#export-scene').click(),
      ]);
      assert(download.suggestedFilename() === 'scene.ysc', `file name ${download.suggestedFilename()}`);
      file = join(outDir, 'scene.ysc');
      await download.saveAs(file);
      // The file is a Yjs v2 update: Yjs in Node reads the same nodes.
      const doc = new Y.Doc();
      Y.applyUpdateV2(doc, readFileSync(file));
      const ids = before.map((n) => n.id);
      assert(same(Array.from(doc.getMap('nodes').keys()).sort(), ids), 'Yjs reads other nodes from the file');

      // A fresh browser profile, in a room (so no starter scene) with no relay: two tabs.
      const fresh = await newContext();
      const url = demo(`room=import-${process.pid}&relay=${deadRelay}`);
      const X = await openIn(fresh, url);
      const Z = await openIn(fresh, url);
      assert((await sceneOf(X.page)).length === 0, 'the fresh page is not empty');
      await X.page.locator('#import-file').setInputFiles(file);
      await X.page.waitForFunction((n) => window.engine.node_ids().length === n, ids.length, { timeout: 10_000 });
      assert(same(await sceneOf(X.page), before), 'the imported scene differs from the exported one');
      assert(/Imported scene\.ysc/.test(await X.page.locator('#message').textContent()), 'no import message');
      // An import is no local edit; the page sends it on itself.
      await until(async () => same(await sceneOf(Z.page), before), 10_000, 'the other tab gets the import');
      // Importing the same file again merges to the same scene (Y.applyUpdateV2 semantics).
      await X.page.locator('#import-file').setInputFiles(file);
      await X.page.waitForFunction(() => /0 new nodes/.test(document.getElementById('message').textContent), null, { timeout: 10_000 });
      assert(same(await sceneOf(X.page), before), 'a second import changed the scene');
      noErrors(X, Z);
      await fresh.close();
    },

    'a garbage or empty file is refused with a clear error and changes nothing': async () => {
      const state = () => L.page.evaluate(() => Array.from(window.engine.encode_state()).join(','));
      const stateBefore = await state();
      const sceneBefore = await sceneOf(L.page);
      const tries = [
        { name: 'notes.ysc', mimeType: 'application/octet-stream', buffer: Buffer.from('this is not a scene file\n'.repeat(20)), says: /"notes\.ysc" is not a scene file/ },
        { name: 'random.ysc', mimeType: 'application/octet-stream', buffer: Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 73 + 11) & 255)), says: /"random\.ysc" is not a scene file/ },
        { name: 'empty.ysc', mimeType: 'application/octet-stream', buffer: Buffer.alloc(0), says: /"empty\.ysc" is empty/ },
      ];
      for (const attempt of tries) {
        await L.page.evaluate(() => { document.getElementById('message').textContent = ''; });
        await L.page.locator('#import-file').setInputFiles({ name: attempt.name, mimeType: attempt.mimeType, buffer: attempt.buffer });
        await L.page.waitForFunction(() => document.getElementById('message').textContent !== '', null, { timeout: 10_000 });
        const [text, isError] = await L.page.evaluate(() => {
          const box = document.getElementById('message');
          return [box.textContent, box.classList.contains('error')];
        });
        assert(isError && attempt.says.test(text), `${attempt.name}: message ${JSON.stringify(text)} (error: ${isError})`);
        assert(await state() === stateBefore, `${attempt.name} changed the document`);
        assert(same(await sceneOf(L.page), sceneBefore), `${attempt.name} changed the scene`);
      }
      noErrors(L);
    },
  });
} finally {
  await browser.close();
  server.stop();
}
