// @hocuspocus/extension-redis with coalesced, pushed publishing: what this instance's clients change
// within one window goes to the other instances as one merged update (and one awareness message),
// instead of a sync handshake per change.
//
// Why: the stock extension (3.4.4) answers every local change by publishing a sync step 1 (this
// instance's state vector); the other instances each answer with a step 2 (a diff computed against
// the whole document) and a step 1 of their own, which this instance answers with one more step 2.
// That is four Redis messages and two full-document diffs per change, and an awareness message per
// awareness change. With broadcasts already coalesced (coalesce.mjs), 50 editors dragging at 30 Hz and
// 200 viewers over two instances still had a p95 edit→render latency of 2.7 s, against 113 ms on one
// instance (bench/results/scale-2026-12-07.md).
//
// Here:
//   - a local change (its transaction origin is a connection, not Redis) is queued; once per
//     `updateMs` the queue is merged (Y.mergeUpdates) and published as a sync step 2, which the
//     receiving instances apply with the Redis origin, so they neither store it as their own change
//     nor publish it again;
//   - the stock step 1 still goes out, at most once per `resyncMs`, while changes come: whatever a
//     published update missed (an instance that was reconnecting to Redis) is repaired by the
//     handshake, as before;
//   - awareness changes are published at most once per `awarenessMs`, all changed clients in one
//     message, after any pending updates.
// Receiving is the stock extension's. Locking and storing are untouched.
import { Redis } from '@hocuspocus/extension-redis';
import { OutgoingMessage } from '@hocuspocus/server';
import * as Y from 'yjs';
import { unframe } from '../../web/collab/hocuspocus.js';
import { createWindow } from './coalesce.mjs';

/** y-protocols sync subtypes: step 2 and update carry the same payload, an update. */
const SYNC_STEP_2 = 1;

/** A Hocuspocus frame holding a y-protocols sync step 2 (message 0, subtype 1) that carries `update`. */
function syncStep2(documentName, update) {
  const bytes = new OutgoingMessage(documentName).createSyncMessage().writeUpdate(update).toUint8Array();
  unframe(bytes).body[1] = SYNC_STEP_2; // body is a view: [sync type, subtype, payload…]
  return bytes;
}

export class CoalescedRedis extends Redis {
  /**
   * `updateMs` / `awarenessMs`: how often each kind is published at most; `resyncMs`: how often the
   * repairing handshake runs at most while changes keep coming. Other options are the extension's.
   */
  constructor({ updateMs = 16, awarenessMs = 33, resyncMs = 1000, ...configuration } = {}) {
    super(configuration);
    this.windows = { updateMs, awarenessMs, resyncMs };
    /** documentName → what waits to be published, and each kind's window */
    this.outbox = new Map();
  }

  boxOf(documentName) {
    let box = this.outbox.get(documentName);
    if (box === undefined) {
      const { updateMs, awarenessMs } = this.windows;
      box = { updates: [], clients: new Set(), update: createWindow(updateMs), awareness: createWindow(awarenessMs), resync: null };
      this.outbox.set(documentName, box);
    }
    return box;
  }

  publishUpdates(documentName, box) {
    if (box.updates.length === 0) return;
    const merged = box.updates.length === 1 ? box.updates[0] : Y.mergeUpdates(box.updates);
    box.updates = [];
    this.pub.publish(this.pubKey(documentName), this.encodeMessage(syncStep2(documentName, merged)));
  }

  async onChange({ documentName, document, update, transactionOrigin }) {
    if (transactionOrigin === this.redisTransactionOrigin) return; // another instance's: it published it
    const box = this.boxOf(documentName);
    box.updates.push(update);
    box.update.schedule(() => this.publishUpdates(documentName, box));
    box.resync ??= setTimeout(() => {
      box.resync = null;
      if (!document.isDestroyed) this.publishFirstSyncStep(documentName, document);
    }, this.windows.resyncMs);
  }

  async onAwarenessUpdate({ documentName, awareness, added, updated, removed, document }) {
    if (!document?.connections.size) return; // as the stock extension: nobody here to speak for
    const box = this.boxOf(documentName);
    for (const id of added) box.clients.add(id);
    for (const id of updated) box.clients.add(id);
    for (const id of removed) box.clients.add(id);
    box.awareness.schedule(() => {
      // Updates first: a state may name a node that a pending update creates.
      box.update.cancel();
      this.publishUpdates(documentName, box);
      const clients = [...box.clients];
      box.clients.clear();
      if (clients.length === 0) return;
      const message = new OutgoingMessage(documentName).createAwarenessUpdateMessage(awareness, clients);
      this.pub.publish(this.pubKey(documentName), this.encodeMessage(message.toUint8Array()));
    });
  }

  async afterUnloadDocument(data) {
    const box = this.outbox.get(data.documentName);
    if (box && !data.instance.documents.has(data.documentName)) {
      // Changes still waiting for their window go out now; presence of a room left empty does not matter.
      box.update.cancel();
      this.publishUpdates(data.documentName, box);
      box.awareness.cancel();
      clearTimeout(box.resync);
      this.outbox.delete(data.documentName);
    }
    return super.afterUnloadDocument(data);
  }
}
