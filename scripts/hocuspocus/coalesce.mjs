// Coalesced broadcasts for Hocuspocus: what a room's peers sent within one short window goes out to every
// connection as one merged document update and one awareness message, instead of one message per edit per
// connection.
//
// Why: Hocuspocus 3.4.4's `Document` sends each document update and each awareness change to every
// connection at once, and encodes the awareness message anew for each connection. A room of E editors
// dragging at 30 Hz with C connections costs 2 × 30 × E × C sends a second: 375,000 for 50 editors and 200
// viewers, which took half of a core of this 2-core machine in the server alone, and as much again in the
// clients receiving them (bench/results/scale-2026-12-07.md). Coalesced, it is at most C sends per window
// and kind, whatever E is, and each message is encoded once and shared by every connection.
//
// The windows are leading-edge: a change that arrives after a quiet window goes out at the end of the
// current event-loop turn (no added latency in a quiet room); while changes keep coming, one message per
// kind leaves every `updateMs` / `awarenessMs`. Document updates go out before awareness, so a peer never
// hears that someone drags a node before it has the node. What the server itself does with an update
// (store hooks, Redis, read-only refusals, acknowledgements, sync replies) is untouched: only the fan-out
// to connections waits.
//
// Hocuspocus has no hook for its fan-out, so this replaces `Document.prototype.handleUpdate` and
// `handleAwarenessUpdate` (its constructor binds both, so this must run before the first document is
// created). Checked against @hocuspocus/server 3.4.4, pinned in package.json; tests/hocuspocus.test.mjs and
// tests/scale.test.mjs run through it.
import { Document, OutgoingMessage } from '@hocuspocus/server';
import * as Y from 'yjs';

/** Per document: the pending updates and awareness clients, and each kind's window. */
const pending = new WeakMap();

function stateOf(document, { updateMs, awarenessMs }) {
  let state = pending.get(document);
  if (state === undefined) {
    state = { updates: [], clients: new Set(), update: createWindow(updateMs), awareness: createWindow(awarenessMs) };
    pending.set(document, state);
  }
  return state;
}

/** Sends `bytes` to every connection of `document` (one encoding, shared). */
function broadcast(document, bytes) {
  for (const connection of document.getConnections()) connection.send(bytes);
}

function flushUpdates(document, state) {
  const { updates } = state;
  if (updates.length === 0) return;
  state.updates = [];
  if (document.isDestroyed) return;
  const update = updates.length === 1 ? updates[0] : Y.mergeUpdates(updates);
  broadcast(document, new OutgoingMessage(document.name).createSyncMessage().writeUpdate(update).toUint8Array());
}

function flushAwareness(document, state) {
  // Updates first: an awareness state may name a node that a pending update creates.
  state.update.cancel();
  flushUpdates(document, state);
  const clients = [...state.clients];
  if (clients.length === 0) return;
  state.clients.clear();
  if (document.isDestroyed) return;
  broadcast(document, new OutgoingMessage(document.name).createAwarenessUpdateMessage(document.awareness, clients).toUint8Array());
}

/**
 * One kind of message's window: `schedule(flush)` runs `flush` at the end of this event-loop turn when
 * the last flush is `intervalMs` old, else when it will be; `cancel()` drops a scheduled flush (its
 * caller flushes by hand). Leading-edge, so a quiet room waits for nothing.
 */
export function createWindow(intervalMs) {
  let timer = null;
  let immediate = false;
  let lastMs = -Infinity;
  return {
    schedule(flush) {
      if (timer !== null) return;
      const waitMs = lastMs + intervalMs - performance.now();
      const run = () => { timer = null; lastMs = performance.now(); flush(); };
      immediate = waitMs <= 0;
      timer = immediate ? setImmediate(run) : setTimeout(run, waitMs);
    },
    cancel() {
      if (timer === null) return;
      if (immediate) clearImmediate(timer);
      else clearTimeout(timer);
      timer = null;
      lastMs = performance.now(); // the caller flushes now
    },
  };
}

/**
 * Makes every Hocuspocus document created from now on coalesce its broadcasts: document updates at most
 * once per `updateMs`, awareness at most once per `awarenessMs` (milliseconds, > 0).
 */
export function coalesceBroadcasts({ updateMs, awarenessMs }) {
  for (const [name, ms] of [['updateMs', updateMs], ['awarenessMs', awarenessMs]]) {
    if (!(Number.isFinite(ms) && ms > 0)) throw new Error(`coalesceBroadcasts: ${name} must be a positive number of milliseconds, got ${ms}`);
  }
  const windows = { updateMs, awarenessMs };
  Document.prototype.handleUpdate = function handleUpdate(update, connection) {
    this.callbacks.onUpdate(this, connection, update); // the server's own work (hooks, Redis) at once
    const state = stateOf(this, windows);
    state.updates.push(update);
    state.update.schedule(() => flushUpdates(this, state));
    return this;
  };
  Document.prototype.handleAwarenessUpdate = function handleAwarenessUpdate({ added, updated, removed }, connectionInstance) {
    if (connectionInstance !== null) {
      // Which clients a connection speaks for, at once: closing it removes exactly those states.
      const connection = this.connections.get(connectionInstance);
      if (connection) {
        for (const id of added) connection.clients.add(id);
        for (const id of removed) connection.clients.delete(id);
      }
    }
    const state = stateOf(this, windows);
    for (const id of added) state.clients.add(id);
    for (const id of updated) state.clients.add(id);
    for (const id of removed) state.clients.add(id);
    state.awareness.schedule(() => flushAwareness(this, state));
    return this;
  };
}
