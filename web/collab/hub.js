// Lets several transports (the WebSocket to a relay, the BroadcastChannel between tabs) share one engine.
//
// Why this exists: the engine has exactly one `on_sync_message` callback, but a page in a room talks on
// two transports at once, as y-websocket's provider does (WebSocket and BroadcastChannel): each local
// edit must reach both. The hub owns that callback and hands every transport an engine of its own
// (`hub.transport()`) whose `on_sync_message` only sets that transport's slot; every other call goes to
// the real engine. The hub also reports the document updates that arrive from any transport
// (`onRemoteUpdate`), which the IndexedDB store keeps as y-indexeddb keeps every update of a Y.Doc.
//
//   const hub = createSyncHub(engine);
//   connectWebSocket(hub.transport(), { url, room });
//   connectBroadcast(hub.transport(), { url, room });
//   hub.onRemoteUpdate((update) => store.storeUpdate(update));
//   hub.publish(message);   // to every transport, e.g. an imported scene
//   hub.close();

/**
 * The v1 update carried by a sync step 2 or sync update message (`[0, 1|2, len, update]`), or null for
 * any other message. Only called on messages the engine has accepted, so the framing is known good.
 */
export function updateOfSyncMessage(message) {
  if (message.length < 3 || message[0] !== 0 || (message[1] !== 1 && message[1] !== 2)) return null;
  let offset = 2;
  let length = 0;
  for (let shift = 0; offset < message.length; shift += 7) {
    const byte = message[offset++];
    length += (byte & 0x7f) * 2 ** shift; // not `<<`: lengths past 2^31 would turn negative
    if (byte < 0x80) break;
  }
  // A copy, not a view: IndexedDB would store a view's whole underlying buffer.
  return message.slice(offset, offset + length);
}

/** lib0's writeVarUint: 7 bits per byte, low bits first. */
function varUint(n) {
  const out = [];
  while (n > 0x7f) {
    out.push(0x80 | (n & 0x7f));
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** A y-protocols sync message `[0, kind, varUint8Array(update)]` (kind 1 = step 2, 2 = update). */
export function syncMessage(kind, update) {
  const head = [0, kind, ...varUint(update.length)];
  const message = new Uint8Array(head.length + update.length);
  message.set(head);
  message.set(update, head.length);
  return message;
}

export function createSyncHub(engine) {
  /** One sender per transport; `null` while that transport has no callback. */
  const senders = new Set();
  const remoteListeners = new Set();
  let closed = false;

  const deliver = (message) => {
    for (const slot of senders) {
      if (!slot.send) continue;
      try { slot.send(message); } catch (error) { console.error('a transport failed to send:', error); }
    }
  };
  engine.on_sync_message(deliver);

  const notifyRemote = (message) => {
    const update = updateOfSyncMessage(message);
    if (!update || remoteListeners.size === 0) return;
    for (const listener of remoteListeners) {
      try { listener(update); } catch (error) { console.error('onRemoteUpdate listener threw:', error); }
    }
  };

  return {
    /**
     * An engine for one transport: the real engine, except that `on_sync_message(cb)` sets this
     * transport's own callback (`null` removes it) and `sync_receive` also reports applied updates.
     */
    transport() {
      const slot = { send: null };
      senders.add(slot);
      const own = {
        on_sync_message(callback) {
          if (callback !== null && callback !== undefined && typeof callback !== 'function') {
            throw new Error('on_sync_message expects a function or null');
          }
          slot.send = callback ?? null;
          if (!callback) senders.delete(slot); else senders.add(slot);
        },
        sync_receive(message) {
          const replies = engine.sync_receive(message); // throws (and changes nothing) on a bad message
          notifyRemote(message);
          return replies;
        },
      };
      return new Proxy(engine, {
        get(target, key) {
          if (Object.hasOwn(own, key)) return own[key];
          const value = Reflect.get(target, key);
          // wasm-bindgen methods read `this.__wbg_ptr`: call them on the real engine, not the proxy.
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
    /** `listener(update: Uint8Array)` for each v1 update a transport delivered and the engine applied. */
    onRemoteUpdate(listener) {
      remoteListeners.add(listener);
      return () => remoteListeners.delete(listener);
    },
    /** Sends `message` on every transport (changes the engine made without a local edit, e.g. an import). */
    publish(message) {
      if (!closed) deliver(message);
    },
    /** Releases the engine's sync callback. */
    close() {
      if (closed) return;
      closed = true;
      senders.clear();
      remoteListeners.clear();
      try { engine.on_sync_message(null); } catch { /* the engine was freed first */ }
    },
  };
}
