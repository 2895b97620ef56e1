// A y-websocket transport for the engine: the engine speaks y-protocols (sync_open / sync_receive /
// on_sync_message), this module only moves bytes between it and a WebSocket, one protocol message per
// frame, as the y-websocket client and @y/websocket-server do.
//
//   const connection = connectWebSocket(engine, { url: 'ws://127.0.0.1:1234', room: 'demo', onStatus });
//   connection.status   // "connecting" | "connected" | "offline"
//   connection.close()  // for good; releases the engine callback
//
// Offline edits stay in the engine's document; on (re)connection both sides send sync step 1 and answer
// the other's with step 2, which merges everything either side missed.
//
// Presence (y-protocols awareness) rides on the same socket: `sync_open` announces us, `sync_receive`
// takes the others', `engine.sync_closed()` forgets them when the socket goes, and `disconnect()` /
// `close()` send `engine.sync_leave()` first so the others drop us at once.

/** Room names: letters, digits, `.`, `_`, `-`, 1 to 64 characters (they become a URL path segment). */
export const ROOM_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** Throws unless `room` is a valid room name. */
export function checkRoom(room) {
  if (typeof room !== 'string' || !ROOM_PATTERN.test(room) || room === '.' || room === '..') {
    throw new Error(`invalid room name ${JSON.stringify(room)}: use 1 to 64 letters, digits, ".", "_" or "-"`);
  }
  return room;
}

/** The server URL for `room`: y-websocket puts the room in the path (`ws://host:port/room`). */
export function roomUrl(url, room) {
  const base = new URL(url);
  if (base.protocol !== 'ws:' && base.protocol !== 'wss:') {
    throw new Error(`relay URL must start with ws:// or wss://, got ${JSON.stringify(url)}`);
  }
  base.pathname = `${base.pathname.replace(/\/+$/, '')}/${checkRoom(room)}`;
  return base.href;
}

/**
 * Connects `engine` to the room `room` on the y-websocket server at `url` and keeps it connected, with
 * exponential backoff between attempts (`minDelayMs` doubling up to `maxDelayMs`, with jitter).
 * `onStatus(status)` is called on every change. `guard` (from `createGuard(engine)` in guard.js) vets every
 * incoming message before the engine sees it. Returns `{ status, close(), disconnect(), connect(), stats }`;
 * `disconnect()`/`connect()` go offline and back on purpose (tests, a "work offline" switch).
 */
export function connectWebSocket(engine, {
  url, room, onStatus = () => {}, WebSocketImpl = globalThis.WebSocket,
  minDelayMs = 200, maxDelayMs = 10_000, guard = null,
} = {}) {
  const target = roomUrl(url, room);
  let socket = null;
  let status = 'offline';
  let wanted = true; // false after disconnect() or close(): no reconnecting
  let closed = false;
  let attempts = 0;
  let timer = null;
  // presenceSent / presenceBytesSent: the awareness frames among those sent (message type 1).
  const stats = {
    framesSent: 0, bytesSent: 0, framesReceived: 0, bytesReceived: 0, refused: 0, connects: 0,
    presenceSent: 0, presenceBytesSent: 0,
  };

  const setStatus = (next) => {
    if (next === status) return;
    status = next;
    try { onStatus(next); } catch (error) { console.error('onStatus threw:', error); }
  };
  const send = (ws, message) => {
    ws.send(message);
    stats.framesSent++;
    stats.bytesSent += message.byteLength;
    if (message[0] === 1) { stats.presenceSent++; stats.presenceBytesSent += message.byteLength; }
  };
  // The others' presence goes with the connection; theirs comes back with the next one.
  const presenceGone = () => {
    try { engine.sync_closed(); } catch { /* the engine was freed first */ }
  };

  // Local edits while offline are not queued here: they are in the document, and the step 1 / step 2
  // exchange on the next connection carries them.
  engine.on_sync_message((message) => {
    if (socket?.readyState === 1) send(socket, message);
  });

  function open() {
    clearTimeout(timer);
    timer = null;
    if (!wanted || socket) return;
    setStatus('connecting');
    const ws = new WebSocketImpl(target);
    ws.binaryType = 'arraybuffer';
    socket = ws;
    ws.onopen = () => {
      ws.wasOpen = true;
      attempts = 0;
      stats.connects++;
      setStatus('connected');
      for (const message of engine.sync_open()) send(ws, message);
    };
    ws.onmessage = (event) => {
      if (socket !== ws) return;
      // Text frames are not part of the protocol; y-websocket never sends them.
      if (!(event.data instanceof ArrayBuffer)) { stats.refused++; return; }
      stats.framesReceived++;
      stats.bytesReceived += event.data.byteLength;
      let replies;
      try {
        // With an update guard (web/collab/guard.js) the message is rehearsed in a separate wasm
        // instance first: an update that makes yrs panic traps that instance, not the engine.
        const bytes = new Uint8Array(event.data);
        replies = guard ? guard.receive(bytes) : engine.sync_receive(bytes);
      } catch (error) {
        // The engine refused it and changed nothing; one bad message does not end the session.
        stats.refused++;
        console.warn(`refused a message from ${target}: ${error?.message ?? error}`);
        if (/permission denied/.test(String(error?.message))) { wanted = false; ws.close(); }
        // Not checked and not applied (no guard instance was ready): reconnecting resynchronises.
        else if (error?.unavailable) ws.close();
        return;
      }
      for (const message of replies) send(ws, message);
    };
    ws.onerror = () => {}; // a close event always follows; it decides what happens next
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      // Only a connection that was open brought peers; a failed attempt must not wipe the ones another
      // transport (BroadcastChannel) brought, as y-websocket checks `wsconnected`.
      if (ws.wasOpen) presenceGone();
      setStatus('offline');
      if (wanted) {
        const delay = Math.min(maxDelayMs, minDelayMs * 2 ** attempts);
        attempts = Math.min(attempts + 1, 30);
        timer = setTimeout(open, delay * (0.5 + Math.random() / 2));
      }
    };
  }

  function drop() {
    clearTimeout(timer);
    timer = null;
    const ws = socket;
    socket = null;
    if (ws) {
      // Tell the room we are leaving (our awareness state set to null) before the socket closes.
      if (ws.readyState === 1) {
        try { for (const message of engine.sync_leave()) send(ws, message); } catch { /* engine freed */ }
      }
      ws.onopen = ws.onmessage = ws.onclose = null;
      ws.close();
      if (ws.wasOpen) presenceGone();
    }
    setStatus('offline');
  }

  open();
  return {
    get status() { return status; },
    get url() { return target; },
    stats,
    /** Goes offline on purpose (no reconnecting) until `connect()`. Edits keep working locally. */
    disconnect() { wanted = false; drop(); },
    /** Reconnects now after `disconnect()` (or cuts a pending backoff short). */
    connect() {
      if (closed) throw new Error('this connection was closed');
      wanted = true;
      attempts = 0;
      open();
    },
    /** Closes for good and releases the engine's sync callback. */
    close() {
      if (closed) return;
      closed = true;
      wanted = false;
      drop();
      try { engine.on_sync_message(null); } catch { /* the engine was freed first */ }
    },
    /** Test hook: drops the socket as a network failure would (the backoff then reconnects). */
    debugDropSocket() { socket?.close(); },
  };
}
