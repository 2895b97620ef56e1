// Tabs of one browser in the same room sync over a BroadcastChannel, with or without a relay: the same
// channel name and messages as y-websocket's client (v3, `connectBc` / `_bcSubscriber`), so an engine tab
// and a JavaScript tab with `new WebsocketProvider(url, room, ydoc)` sync with each other too.
//
//   const tabs = connectBroadcast(engine, { url: 'ws://127.0.0.1:1234', room: 'demo' });
//   tabs.name     // "ws://127.0.0.1:1234/demo": y-websocket's `serverUrl + '/' + roomname`
//   tabs.close()  // for good; releases the engine callback
//
// What travels (one y-protocols message per postMessage, as a Uint8Array, as lib0/broadcastchannel posts):
//   on connect   sync step 1 (our state vector), sync step 2 (our whole document), queryAwareness, then
//                whatever else `sync_open()` gives (our awareness state, once the engine has presence);
//   on a message `engine.sync_receive(message)`; its replies are posted to the whole channel, as
//                y-websocket does (a channel has no "sender" to answer);
//   on an edit   the engine's `on_sync_message` messages.
// A BroadcastChannel never delivers a tab's own posts back to it, so nothing echoes.

import { checkRoom } from './websocket.js';
import { syncMessage } from './hub.js';

const MESSAGE_SYNC = 0;
const SYNC_STEP1 = 0;
const SYNC_STEP2 = 1;
const MESSAGE_QUERY_AWARENESS = 3;

/** y-websocket's channel name: the server URL without trailing slashes, `/`, the room. */
export function broadcastChannelName(url, room) {
  if (typeof url !== 'string' || url === '') throw new Error(`relay URL must be a non-empty string, got ${JSON.stringify(url)}`);
  return `${url.replace(/\/+$/, '')}/${checkRoom(room)}`;
}

/**
 * Joins the BroadcastChannel of `room` at relay `url` (the relay need not exist: only the name is used).
 * `engine` needs `sync_open`, `sync_receive`, `on_sync_message` and `encode_state` (an Engine, or a
 * transport from `createSyncHub`). Returns `{ name, stats, close() }`.
 */
export function connectBroadcast(engine, { url, room, guard = null, BroadcastChannelImpl = globalThis.BroadcastChannel } = {}) {
  if (typeof BroadcastChannelImpl !== 'function') throw new Error('this browser has no BroadcastChannel');
  const name = broadcastChannelName(url, room);
  const channel = new BroadcastChannelImpl(name);
  const stats = { sent: 0, received: 0, refused: 0 };
  let closed = false;

  const post = (message) => {
    if (closed) return;
    channel.postMessage(message);
    stats.sent++;
  };

  channel.onmessage = (event) => {
    const data = event.data;
    // lib0 posts Uint8Arrays; its localStorage fallback (and older clients) ArrayBuffers.
    const bytes = data instanceof Uint8Array ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : null;
    if (!bytes) { stats.refused++; return; }
    stats.received++;
    let replies;
    try {
      // With an update guard (guard.js) the message is rehearsed in a separate wasm instance first.
      replies = guard ? guard.receive(bytes) : engine.sync_receive(bytes);
    } catch (error) {
      // Refused and nothing changed; another tab's bad message does not end the session.
      stats.refused++;
      console.warn(`refused a message on BroadcastChannel ${name}: ${error?.message ?? error}`);
      return;
    }
    for (const reply of replies) post(reply);
  };

  engine.on_sync_message(post);

  // y-websocket's connectBc order: step 1, step 2, queryAwareness, awareness.
  const opening = Array.from(engine.sync_open());
  const isStep1 = (m) => m[0] === MESSAGE_SYNC && m[1] === SYNC_STEP1;
  for (const message of opening.filter(isStep1)) post(message);
  post(syncMessage(SYNC_STEP2, engine.encode_state()));
  post(Uint8Array.of(MESSAGE_QUERY_AWARENESS));
  for (const message of opening.filter((m) => !isStep1(m))) post(message);

  return {
    name,
    stats,
    /** Leaves the channel for good and releases the engine's sync callback. */
    close() {
      if (closed) return;
      // As y-websocket's disconnectBc: tell the other tabs we left (our awareness state set to null),
      // where the engine has presence.
      if (typeof engine.sync_leave === 'function') {
        try { for (const message of engine.sync_leave()) post(message); } catch { /* the engine was freed first */ }
      }
      closed = true;
      channel.onmessage = null;
      channel.close();
      try { engine.on_sync_message(null); } catch { /* the engine was freed first */ }
    },
  };
}
