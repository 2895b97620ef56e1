// The update guard: every untrusted message is rehearsed in a *second* instance of the engine's own
// WebAssembly module before the live engine sees it. yrs 0.28.1 can panic on malformed updates, and on
// wasm a panic is a trap that kills the instance it runs in; here that is the guard's instance, which is
// thrown away and replaced, never the engine's.
//
//   const guard = await createGuard(engine);             // after the engine exists
//   socket.onmessage = (e) => {
//     try { for (const reply of guard.receive(new Uint8Array(e.data))) socket.send(reply); }
//     catch (error) { console.warn(error.message); }     // "update guard rejected ...": nothing changed
//   };
//   guard.applyUpdate(bytes); guard.applyUpdateV2(fileBytes);   // the same for engine.apply_update(_v2)
//
// How it works: the glue (`app_wasm.js`) is imported again under a different URL query, so the browser
// makes a new module record with its own `wasm` instance and memory, instantiated from the already
// compiled module (no second download or compile). It holds an `UpdateGuard`: a mirror of the live
// document. Before each check the mirror catches up with the live document (`engine.encode_diff` of
// the mirror's state vector: local edits, and updates that reached the engine another way), then the
// message is applied to the mirror and the mirror is encoded whole (v1, v2), as the engine may later
// (`rehearsal: 'diff'`: only what the message added). A fresh mirror is seeded from `encode_state()`,
// which leaves out updates still waiting for missing dependencies: until those arrive again, a combination
// involving them is rehearsed less faithfully than by the mirror that had them.
// Only if all of that returns is the message handed to the engine. A trap (WebAssembly.RuntimeError)
// rejects the message; a spare instance, instantiated ahead of time, is seeded from the live document and
// takes over at once (so a rejection is synchronous; Chromium refuses synchronous compilation of a module
// this size on the main thread), and a replacement spare is prepared in the background.
//
// Cost (measured by tests/guard.test.mjs, see web/README.md): a second instance's memory (its mirror is
// about the size of the live document) and, per message, one catch-up, one apply and one whole-document
// encode in the guard.

const defaultBundle = new URL('../pkg/app_wasm.js', import.meta.url).href;

/** Thrown when the guard refuses a message; the live engine was not called. */
export class GuardRejection extends Error {
  constructor(message, { trapped = false, unavailable = false } = {}) {
    super(message);
    this.name = 'GuardRejection';
    /** The guard's instance trapped (yrs panicked on the message). */
    this.trapped = trapped;
    /**
     * No guard instance was ready (several hostile messages within moments): the message was not
     * checked and not applied. A transport should resynchronise later (reconnect: step 1 / step 2).
     */
    this.unavailable = unavailable;
  }
}

/**
 * Creates the guard for `engine`. Options: `bundleUrl` (the wasm-bindgen glue to instantiate again; the
 * WebGPU bundle by default — the guard draws nothing, any bundle of this engine works), `spares` (instances
 * kept ready, default 2), `rehearsal` (`"full"`, the default: after each update the whole mirror is encoded,
 * v1 and v2, cost growing with the document; `"diff"`: only what the update added is encoded, about the cost
 * of one `encode_diff`, but an update that breaks the encoding of *older* blocks would get through),
 * `onEvent(event)` (diagnostics: `{ type: 'trap' | 'replaced' | 'spare-failed', ... }`).
 * Resolves once the first guard instance is ready.
 */
export async function createGuard(engine, {
  bundleUrl = defaultBundle, spares = 2, rehearsal = 'full', onEvent = () => {},
} = {}) {
  if (rehearsal !== 'full' && rehearsal !== 'diff') throw new Error(`update guard: rehearsal must be "full" or "diff", got ${JSON.stringify(rehearsal)}`);
  const wasmUrl = new URL('app_wasm_bg.wasm', bundleUrl);
  const response = await fetch(wasmUrl);
  if (!response.ok) throw new Error(`update guard: cannot load ${wasmUrl}: HTTP ${response.status}`);
  const module = await WebAssembly.compile(await response.arrayBuffer());
  let serial = 0;
  let closed = false;
  const stats = { checked: 0, rejected: 0, trapped: 0, unavailable: 0, instances: 0 };

  /** A fresh instance of the module (its own memory), not yet holding a mirror. */
  async function instantiate() {
    serial += 1;
    const glue = await import(`${bundleUrl}${bundleUrl.includes('?') ? '&' : '?'}guard=${serial}`);
    const exports = await glue.default({ module_or_path: module });
    stats.instances += 1;
    return { glue, exports };
  }

  /**
   * A spare: a fresh instance, no mirror yet (about 1.3 MiB of memory). Seeding waits until it takes
   * over, so spares cost little and the mirror is made from the live document as it is then.
   */
  async function prepare() {
    const { glue, exports } = await instantiate();
    return { glue, exports, lastPanic: null, guard: null };
  }

  /** Gives `slot` its mirror of the live document (a full load of the document in the guard). */
  function activate(slot) {
    slot.guard = new slot.glue.UpdateGuard(engine.encode_state(), (message) => { slot.lastPanic = message; });
    slot.guard.set_full_rehearsal(rehearsal !== 'diff');
    return slot;
  }

  let current = activate(await prepare());
  const ready = [];
  let refilling = null;
  /** Prepares instances until there is a current one and `spares` ready ones; returns a promise for that. */
  function refill() {
    if (!refilling && !closed && (ready.length < spares || !current)) {
      refilling = (async () => {
        try {
          while (!closed && (ready.length < spares || !current)) {
            try {
              const slot = await prepare();
              if (closed) break;
              if (!current) current = activate(slot);
              else ready.push(slot);
            } catch (error) {
              onEvent({ type: 'spare-failed', error });
              await new Promise((r) => setTimeout(r, 500));
            }
          }
        } finally {
          refilling = null;
        }
      })();
    }
    return refilling ?? Promise.resolve();
  }
  refill();

  /** Drops the trapped instance (its memory goes with the module record) and promotes a spare. */
  function replace() {
    current = null;
    const next = ready.shift();
    if (next) {
      try {
        current = activate(next);
      } catch (error) {
        // The live document's own state did not load into a fresh mirror; refill retries later.
        onEvent({ type: 'spare-failed', error });
      }
    }
    onEvent({ type: 'replaced', ready: Boolean(current) });
    refill();
  }

  /**
   * Runs `check(guard)` on a mirror that has caught up with the live engine. Throws a GuardRejection
   * (nothing was applied anywhere) if the check refuses the input or traps.
   */
  function vet(what, check) {
    if (closed) throw new Error('update guard: closed');
    for (let attempt = 0; ; attempt++) {
      if (!current) {
        stats.unavailable++;
        throw new GuardRejection(`update guard rejected ${what}: no guard instance is ready yet (one trapped on a hostile message moments ago); nothing was applied`, { unavailable: true });
      }
      const slot = current;
      try {
        slot.guard.follow(engine.encode_diff(slot.guard.state_vector()));
      } catch (error) {
        // The live document's own bytes trapped the mirror: not the message's fault. Try a fresh one.
        if (!(error instanceof WebAssembly.RuntimeError)) throw error;
        if (attempt > 0) {
          replace();
          throw new GuardRejection(`update guard rejected ${what}: a fresh mirror could not follow the live document (${slot.lastPanic ?? error.message}); nothing was applied`, { unavailable: true });
        }
        onEvent({ type: 'trap', during: 'follow', message: slot.lastPanic ?? String(error) });
        replace();
        continue;
      }
      try {
        stats.checked++;
        return check(slot.guard);
      } catch (error) {
        stats.rejected++;
        if (error instanceof WebAssembly.RuntimeError) {
          stats.trapped++;
          const why = slot.lastPanic ?? `its instance trapped (${error.message})`;
          onEvent({ type: 'trap', during: 'check', message: why });
          replace();
          throw new GuardRejection(`update guard rejected ${what}: ${why}; the live document was not touched`, { trapped: true });
        }
        // The guard's own error names the problem ("update guard rejected the update: ...").
        throw new GuardRejection(String(error?.message ?? error));
      }
    }
  }

  return {
    /**
     * Vets one y-protocols message, then hands it to `engine.sync_receive`; returns its replies. Throws a
     * GuardRejection (engine untouched) if the guard refuses it, or whatever the engine throws.
     */
    receive(message) {
      vet('a sync message', (guard) => guard.check_sync_message(message));
      return engine.sync_receive(message);
    },
    /** `engine.apply_update(update)` (v1) after vetting it. */
    applyUpdate(update) {
      vet('an update', (guard) => guard.check_update_v1(update));
      engine.apply_update(update);
    },
    /** `engine.apply_update_v2(update)` after vetting it (scene files). */
    applyUpdateV2(update) {
      vet('a v2 update', (guard) => guard.check_update_v2(update));
      engine.apply_update_v2(update);
    },
    /** Resolves when a guard instance and the wanted spares are ready (after a trap, a moment later). */
    get ready() { return refill(); },
    /** Counters: checked, rejected, trapped, unavailable, instances (created so far). */
    stats,
    /** Bytes of linear memory of the guard's instances: `{ current, spares }` (their cost beside the engine's). */
    memoryBytes() {
      return {
        current: current?.exports.memory.buffer.byteLength ?? 0,
        spares: ready.reduce((sum, slot) => sum + slot.exports.memory.buffer.byteLength, 0),
      };
    },
    /** The current mirror as a v1 update (tests). */
    mirrorState() { return current?.guard.encode_state(); },
    /** Releases the guard instances. */
    close() {
      closed = true;
      for (const slot of [current, ...ready.splice(0)]) { try { slot?.guard?.free(); } catch { /* trapped */ } }
      current = null;
    },
  };
}
