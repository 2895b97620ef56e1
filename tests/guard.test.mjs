// The update guards in the browser with the updates that make yrs 0.28.1 panic (tests/fuzz/yrs-panics/):
// the engine's own (crates/app-wasm/src/guard_host.rs, on by default) and the page-side one
// (web/collab/guard.js, crates/app-wasm/src/guard.rs):
//   (a) without any guard (`update_guard: "off"`), each crasher fed to an engine traps it (a panic is a
//       trap on wasm);
//   (a2) an engine created with nothing special refuses each crasher through every entry point
//       (apply_update, apply_update_v2, sync_receive): it keeps rendering, its document is
//       byte-identical, and valid updates still apply, also after its guard instance died;
//   (b) with the guard, each is rejected with a clear error, the live engine keeps rendering, its
//       document is byte-identical, and a valid update afterwards still applies through the guard;
//   (c) the guard recovers after its instance dies, several times in a row (and in a burst);
//   (d) the WebSocket transport with a guard refuses them and stays connected;
//   (e) an update declaring ten million blocks in 9 bytes grows neither instance's memory;
// and prints the guard's cost: time per message and memory of the second instance.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assert, launch, open, root, run, serve, watchdog } from './lib/harness.mjs';

watchdog(8 * 60_000, 'guard');
const dir = join(root, 'tests/fuzz/yrs-panics');
const crashers = readdirSync(dir).filter((f) => /^v[12]-.*\.bin$/.test(f)).sort()
  .map((name) => ({ name, v2: name.startsWith('v2-'), bytes: Array.from(readFileSync(join(dir, name))) }));
assert(crashers.length >= 3, `expected crashers in ${dir}`);

const server = await serve(root);
const browser = await launch();
try {
  const { page, errors } = await open(browser, new URL("tests/pages/guard.html", server.url).href);
  page.on('console', (m) => { if (process.env.GUARD_VERBOSE) console.log(`  [page] ${m.text()}`); });

  await run('guard', {
    '(a) without the guard each crasher traps an engine': async () => {
      const results = await page.evaluate(async (crashers) => {
        const { makeEngine, updateMessage, describe } = window.guardPage;
        const out = [];
        for (const { name, v2, bytes } of crashers) {
          const update = Uint8Array.from(bytes);
          // Through each entry point that takes remote bytes (v1 files also as a sync message).
          const ways = v2 ? ['apply_update_v2'] : ['apply_update', 'sync_receive'];
          for (const way of ways) {
            const { engine } = await makeEngine(3, { options: { update_guard: 'off' } });
            let outcome;
            try {
              if (way === 'sync_receive') engine.sync_receive(updateMessage(update));
              else engine[way](update);
              outcome = { kind: 'accepted' };
            } catch (error) {
              outcome = describe(error);
            }
            // A trapped engine is poisoned: every later call throws.
            let after;
            try { engine.node_ids(); after = 'usable'; } catch (error) { after = describe(error).message; }
            out.push({ name, way, ...outcome, after });
          }
        }
        return out;
      }, crashers);
      for (const r of results) console.log(`     ${r.name} via ${r.way}: ${r.kind}${r.kind === 'trap' ? ` (${r.message}); then: ${r.after}` : ` ${r.message ?? ''}`}`);
      const traps = results.filter((r) => r.kind === 'trap');
      assert(traps.length > 0, 'no crasher trapped an unguarded engine');
      const notTrapping = results.filter((r) => r.kind !== 'trap');
      if (notTrapping.length) console.log(`     NOTE: ${notTrapping.length} of ${results.length} did not trap on wasm: ${notTrapping.map((r) => `${r.name}/${r.way}`).join(', ')}`);
      // A trapped engine is poisoned: every later call throws an Error that says so (Engine methods take
      // `&self`, so wasm-bindgen's borrow flag, which a trap leaves set, does not get in first).
      const unclear = traps.filter((r) => !/stopped after an internal error/.test(r.after));
      assert(unclear.length === 0, `after a trap: ${unclear.map((r) => r.after).join('; ')}`);
    },

    '(a2) an engine with nothing special refuses each crasher through every entry point and renders on, unchanged': async () => {
      const results = await page.evaluate(async (crashers) => {
        const { makeEngine, updateMessage, equalBytes, describe } = window.guardPage;
        const { engine, life } = await makeEngine(5, { animate: true });
        const peer = (await makeEngine(0)).engine;
        const out = [];
        for (const { name, v2, bytes } of crashers) {
          const update = Uint8Array.from(bytes);
          // v1 crashers through apply_update and sync_receive; v2 ones through apply_update_v2 (file import).
          const ways = v2 ? ['apply_update_v2'] : ['apply_update', 'sync_receive'];
          for (const way of ways) {
            const before = engine.encode_state();
            const framesBefore = life.frames;
            let outcome;
            try {
              if (way === 'sync_receive') engine.sync_receive(updateMessage(update));
              else engine[way](update);
              outcome = { kind: 'accepted' };
            } catch (error) {
              outcome = describe(error);
            }
            const same = equalBytes(before, engine.encode_state());
            const until = performance.now() + 5000;
            while (life.frames < framesBefore + 3 && !life.error && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
            // The spare instance takes over at once; a valid update and a local edit go on working.
            const id = peer.add_box(out.length, 2, 0, 0.5, 0.5, 0.5);
            engine.sync_receive(updateMessage(peer.encode_state()));
            engine.add_sphere(out.length, -2, 0, 0.2);
            out.push({ name, way, ...outcome, same, rendered: life.frames - framesBefore, renderError: life.error, validApplied: engine.node_ids().includes(id) });
            await new Promise((r) => setTimeout(r, 50)); // let a new spare load, as between WebSocket frames
          }
        }
        const pixels = await engine.read_pixels();
        life.stop = true;
        return { out, nodes: engine.node_ids().length, pixels: pixels.length };
      }, crashers);
      for (const r of results.out) console.log(`     ${r.name} via engine.${r.way}: ${r.kind}: ${r.message ?? ''}`);
      for (const r of results.out) {
        assert(r.kind === 'error' && /update guard rejected|rejected update|refused|malformed|yrs/.test(r.message), `${r.name} via ${r.way}: ${r.kind} ${r.message}`);
        assert(!/stopped after an internal error/.test(r.message), `${r.name} via ${r.way}: the engine was poisoned`);
        assert(r.same, `${r.name} via ${r.way}: the live document changed`);
        assert(!r.renderError && r.rendered >= 3, `${r.name}: the engine stopped rendering (${r.renderError ?? `${r.rendered} frames`})`);
        assert(r.validApplied, `${r.name} via ${r.way}: a valid update after it did not apply`);
      }
      assert(results.pixels === 64 * 64 * 4, `read_pixels gave ${results.pixels} bytes`);
    },

    '(b) with the guard each crasher is rejected; the engine renders on, unchanged; valid updates still apply': async () => {
      const results = await page.evaluate(async (crashers) => {
        const { makeEngine, createGuard, updateMessage, equalBytes, describe } = window.guardPage;
        const { engine, life } = await makeEngine(5, { animate: true });
        const guard = await createGuard(engine);
        const peer = (await makeEngine(0)).engine;
        const out = [];
        for (const { name, v2, bytes } of crashers) {
          const update = Uint8Array.from(bytes);
          const ways = v2 ? ['applyUpdateV2'] : ['applyUpdate', 'receive'];
          for (const way of ways) {
            await guard.ready;
            const before = engine.encode_state();
            const framesBefore = life.frames;
            let outcome;
            try {
              if (way === 'receive') guard.receive(updateMessage(update));
              else guard[way](update);
              outcome = { kind: 'accepted' };
            } catch (error) {
              outcome = describe(error);
            }
            const same = equalBytes(before, engine.encode_state());
            // The live engine keeps drawing.
            const until = performance.now() + 5000;
            while (life.frames < framesBefore + 3 && !life.error && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
            // A valid update from a peer still applies through the guard.
            const id = peer.add_box(out.length, 2, 0, 0.5, 0.5, 0.5);
            guard.receive(updateMessage(peer.encode_state()));
            out.push({ name, way, ...outcome, same, rendered: life.frames - framesBefore, renderError: life.error, validApplied: engine.node_ids().includes(id) });
          }
        }
        const state = { nodes: engine.node_ids().length, stats: { ...guard.stats }, frames: life.frames };
        life.stop = true;
        guard.close();
        return { out, state };
      }, crashers);
      for (const r of results.out) console.log(`     ${r.name} via guard.${r.way}: ${r.kind}: ${r.message ?? ''}`);
      console.log(`     guard stats ${JSON.stringify(results.state.stats)}; live engine drew ${results.state.frames} frames`);
      for (const r of results.out) {
        assert(r.kind === 'rejected' && /^update guard rejected/.test(r.message), `${r.name} via ${r.way}: ${r.kind} ${r.message}`);
        assert(r.same, `${r.name} via ${r.way}: the live document changed`);
        assert(!r.renderError && r.rendered >= 3, `${r.name}: the live engine stopped rendering (${r.renderError ?? `${r.rendered} frames`})`);
        assert(r.validApplied, `${r.name}: a valid update after it did not apply`);
      }
    },

    '(c) the guard recovers after its instance dies, several times in a row and in a burst': async () => {
      const result = await page.evaluate(async (crashers) => {
        const { makeEngine, createGuard, updateMessage, describe } = window.guardPage;
        const { engine } = await makeEngine(2);
        const guard = await createGuard(engine);
        const trappers = crashers.filter((c) => !c.v2).map((c) => updateMessage(Uint8Array.from(c.bytes)));
        const rounds = [];
        // Paced: each crasher arrives as its own task, as WebSocket frames do.
        for (let i = 0; i < 6; i++) {
          await guard.ready;
          try { guard.receive(trappers[i % trappers.length]); rounds.push('accepted'); } catch (error) { rounds.push(describe(error).trapped ? 'trapped' : describe(error).message); }
          engine.add_sphere(i, 3, 0, 0.3); // local edits in between: the next mirror must follow them
        }
        // A burst within one task: more crashers than ready instances.
        const burst = [];
        for (let i = 0; i < 4; i++) {
          try { guard.receive(trappers[i % trappers.length]); burst.push('accepted'); } catch (error) { const d = describe(error); burst.push(d.trapped ? 'trapped' : d.unavailable ? 'unavailable' : d.message); }
        }
        await guard.ready;
        const peer = (await makeEngine(0)).engine;
        const id = peer.add_plane(0, -1, 0, 4);
        guard.receive(updateMessage(peer.encode_state()));
        const mirrorMatches = (() => {
          // The mirror followed every local edit: it holds what the live engine holds.
          const live = engine.encode_state();
          guard.receive(updateMessage(new Uint8Array([0, 0]))); // an empty update: forces a catch-up
          const mirror = guard.mirrorState();
          return live.length === mirror.length;
        })();
        return { rounds, burst, applied: engine.node_ids().includes(id), nodes: engine.node_ids().length, stats: { ...guard.stats }, mirrorMatches };
      }, crashers);
      console.log(`     paced: ${result.rounds.join(', ')}; burst: ${result.burst.join(', ')}; stats ${JSON.stringify(result.stats)}`);
      assert(result.rounds.every((r) => r === 'trapped'), `paced crashers: ${result.rounds}`);
      assert(result.burst.every((r) => r === 'trapped' || r === 'unavailable') && result.burst[0] === 'trapped', `burst: ${result.burst}`);
      assert(result.applied && result.nodes === 2 + 6 + 1, `after recovery: applied ${result.applied}, ${result.nodes} nodes`);
      assert(result.mirrorMatches, 'the mirror does not match the live document');
    },

    '(d) the WebSocket transport with a guard refuses crashers and stays connected': async () => {
      const result = await page.evaluate(async (crashers) => {
        const { makeEngine, createGuard, updateMessage } = window.guardPage;
        const { connectWebSocket } = await import('/web/collab/websocket.js');
        /** A socket that opens at once and lets the test deliver frames. */
        class FakeSocket {
          constructor(url) { this.url = url; this.readyState = 0; this.sent = []; FakeSocket.last = this; setTimeout(() => { this.readyState = 1; this.onopen?.(); }, 0); }
          send(m) { this.sent.push(m); }
          close() { this.readyState = 3; setTimeout(() => this.onclose?.(), 0); }
          deliver(bytes) { this.onmessage?.({ data: Uint8Array.from(bytes).buffer }); }
        }
        const { engine } = await makeEngine(2);
        const guard = await createGuard(engine);
        const connection = connectWebSocket(engine, { url: 'ws://example.invalid', room: 'guard', WebSocketImpl: FakeSocket, guard });
        await new Promise((r) => setTimeout(r, 20));
        const before = engine.encode_state();
        for (const c of crashers.filter((c) => !c.v2)) { await guard.ready; FakeSocket.last.deliver(updateMessage(Uint8Array.from(c.bytes))); }
        const unchanged = before.length === engine.encode_state().length && engine.node_ids().length === 2;
        const peer = (await makeEngine(0)).engine;
        const id = peer.add_sphere(0, 2, 0, 0.5);
        FakeSocket.last.deliver(updateMessage(peer.encode_state()));
        const out = { refused: connection.stats.refused, status: connection.status, unchanged, applied: engine.node_ids().includes(id), trapped: guard.stats.trapped };
        connection.close();
        guard.close();
        return out;
      }, crashers);
      console.log(`     ${JSON.stringify(result)}`);
      assert(result.refused === crashers.filter((c) => !c.v2).length && result.trapped === result.refused, `refused ${result.refused}, trapped ${result.trapped}`);
      assert(result.unchanged && result.applied && result.status === 'connected', JSON.stringify(result));
    },

    'cost: time per message and memory of the guard instance': async () => {
      const result = await page.evaluate(async (crasher) => {
        crasher = Uint8Array.from(crasher);
        const { makeEngine, createGuard, updateMessage, wasm } = window.guardPage;
        const rows = [];
        for (const nodes of [10, 1000, 10000]) {
          const { engine } = await makeEngine(nodes);
          const peer = (await makeEngine(0)).engine;
          peer.apply_update(engine.encode_state());
          const unguarded = (await makeEngine(0, { options: { update_guard: 'off' } })).engine;
          unguarded.apply_update(engine.encode_state());
          // The engine's own guard (on by default): a second engine holding the same document.
          const builtIn = (await makeEngine(0)).engine;
          builtIn.apply_update(engine.encode_state());
          // One small remote edit per message, as during a peer's drag.
          const ids = peer.node_ids();
          const collected = [];
          peer.on_local_update((u) => collected.push(u));
          const n = nodes >= 5000 ? 40 : 100;
          for (let i = 0; i < n; i++) peer.set_position(ids[i % ids.length], i * 0.01, 0, 0);
          await new Promise((r) => setTimeout(r, 0));
          const messages = collected.map(updateMessage);
          // Medians of per-message times (the machine is shared; means are noisy).
          const median = (xs) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
          const timed = (list, f) => list.map((m) => { const t = performance.now(); f(m); return performance.now() - t; });
          const half = messages.length / 2;
          const plainMs = median(timed(messages, (m) => unguarded.sync_receive(m)));
          unguarded.free();
          const builtInMs = median(timed(messages, (m) => builtIn.sync_receive(m)));
          const builtInStats = window.guardPage.Engine.update_guard_stats();
          builtIn.free();
          let t0 = performance.now();
          const guard = await createGuard(engine);
          const createMs = performance.now() - t0; // fetch + compile + instantiate + seed
          await guard.ready;
          // What a rejection by trap costs synchronously: the trap, then seeding a spare from the live document.
          t0 = performance.now();
          try { guard.receive(updateMessage(crasher)); } catch { /* rejected */ }
          const seedMs = performance.now() - t0;
          await guard.ready;
          const guardedMs = median(timed(messages.slice(0, half), (m) => guard.receive(m)));
          // The same with rehearsal: 'diff' (only what each update added is encoded).
          const diffGuard = await createGuard(engine, { rehearsal: 'diff' });
          const diffMs = median(timed(messages.slice(half), (m) => diffGuard.receive(m)));
          diffGuard.close();
          const bytes = engine.encode_state().length;
          rows.push({ nodes, messages: messages.length, plainMs, builtInMs, builtInStats, guardedMs, diffMs, docBytes: bytes, guardMemory: guard.memoryBytes(), seedMs, createMs, liveMemory: wasm.memory.buffer.byteLength });
          guard.close();
        }
        return rows;
      }, crashers.find((c) => !c.v2).bytes);
      const big = result[result.length - 1];
      assert(big.builtInStats.available, 'the engine\'s own guard is loaded');
      // The times are benchmark figures on a shared machine: printed, not asserted.
      for (const r of result) {
        console.log(`     ${r.nodes} nodes (${r.docBytes} B document): median sync_receive ${r.plainMs.toFixed(2)} ms/message unguarded, ${r.builtInMs.toFixed(2)} with the engine's own guard (its instances: ${(r.builtInStats.memory_bytes / 2 ** 20).toFixed(1)} MiB, ${r.builtInStats.instances} loaded); page-side guard ${r.guardedMs.toFixed(2)} ms/message (rehearsal "diff": ${r.diffMs.toFixed(2)}); guard instance memory ${(r.guardMemory.current / 2 ** 20).toFixed(1)} MiB + spares ${(r.guardMemory.spares / 2 ** 20).toFixed(1)} MiB (the page's engine instance, all engines so far: ${(r.liveMemory / 2 ** 20).toFixed(1)} MiB); createGuard ${r.createMs.toFixed(0)} ms, a rejection by trap (trap + seeding a spare) ${r.seedMs.toFixed(1)} ms`);
      }
    },

    '(e) a declared-count bomb grows no instance: refused before yrs reserves for it': async () => {
      const result = await page.evaluate(async () => {
        const { makeEngine, createGuard, updateMessage, describe, wasm } = window.guardPage;
        // One client declaring ten million blocks in 9 bytes: yrs 0.28.1 alone reserves ~240 MB for
        // them before reading the first (and the memory of a wasm instance never shrinks).
        const bomb = Uint8Array.from([1, 0x80, 0xad, 0xe2, 0x04, 5, 0, 0, 1]);
        const { engine } = await makeEngine(2);
        const guard = await createGuard(engine);
        await guard.ready;
        const liveBefore = wasm.memory.buffer.byteLength;
        const guardBefore = guard.memoryBytes().current;
        const out = {};
        try { engine.apply_update(bomb); out.unguarded = 'accepted'; } catch (error) { out.unguarded = describe(error).message; }
        try { guard.receive(updateMessage(bomb)); out.guarded = 'accepted'; } catch (error) { out.guarded = describe(error).message; }
        out.liveGrowth = wasm.memory.buffer.byteLength - liveBefore;
        out.guardGrowth = guard.memoryBytes().current - guardBefore;
        out.nodes = engine.node_ids().length;
        guard.close();
        return out;
      });
      console.log(`     ${JSON.stringify(result)}`);
      assert(/declares 10000000 blocks/.test(result.unguarded), `unguarded: ${result.unguarded}`);
      assert(/declares 10000000 blocks/.test(result.guarded), `guarded: ${result.guarded}`);
      // Nothing near the 240 MB the declared count asks for (a page of allocator slack at most).
      assert(result.liveGrowth < 1 << 20 && result.guardGrowth < 1 << 20, `memory grew: ${JSON.stringify(result)}`);
      assert(result.nodes === 2, `the engine holds ${result.nodes} nodes`);
    },

    'no unexpected page errors': async () => {
      // Traps in (a) reach the console as the engine's panic log; nothing else may.
      const unexpected = errors.filter((e) => !/panicked/.test(e));
      assert(unexpected.length === 0, unexpected.join('\n'));
    },
  });
} finally {
  await browser.close();
  server.stop();
}
