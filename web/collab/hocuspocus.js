// The Hocuspocus adapter: connects an engine to a Hocuspocus server (and so to a Hocuspocus cluster
// scaled out over Redis with @hocuspocus/extension-redis) without changing the engine.
//
//   const connection = connectHocuspocus(engine, { url: 'ws://127.0.0.1:1235', document: 'demo', token, onStatus });
//
// Hocuspocus speaks y-protocols with two differences, both handled here, in JavaScript, on the bytes:
//   - framing: it multiplexes documents on one socket, so every message (both ways) starts with the
//     document name as a lib0 varString before the usual y-protocols message;
//   - extra message types: auth with a token (sent first, before sync step 1), SyncReply (4, a sync
//     message that must not trigger another step 1: the engine never sends one unasked, so it is read
//     as Sync), SyncStatus (8, the server's acknowledgement), stateless (5, 6) and close (7).
// Reconnection, backoff, offline merging and the status badge are the y-websocket transport's
// (`connectWebSocket`): this module plugs in as its WebSocket implementation.

import { connectWebSocket } from './websocket.js';

/** Hocuspocus message types (`@hocuspocus/server` `MessageType`). */
const TYPE = { sync: 0, awareness: 1, auth: 2, queryAwareness: 3, syncReply: 4, stateless: 5, broadcastStateless: 6, close: 7, syncStatus: 8 };
/** Auth subtypes (`@hocuspocus/common` `AuthMessageType`). */
const AUTH = { token: 0, permissionDenied: 1, authenticated: 2 };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** lib0 varUint: 7 bits per byte, low bits first, high bit = more bytes follow. */
function writeVarUint(out, value) {
  let n = value;
  while (n > 0x7f) {
    out.push(0x80 | (n & 0x7f));
    n = Math.floor(n / 128);
  }
  out.push(n);
}

/** Reads a varUint at `at`; returns `[value, next]`. Throws on truncation or a value beyond 2^53. */
function readVarUint(bytes, at) {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length; i++) {
    value += (bytes[i] & 0x7f) * scale;
    if (bytes[i] < 0x80) return [value, i + 1];
    scale *= 128;
    if (scale > 2 ** 53) break;
  }
  throw new Error('malformed Hocuspocus frame: bad varUint');
}

/** lib0 varString: varUint byte length, then UTF-8. */
function varString(text) {
  const utf8 = encoder.encode(text);
  const head = [];
  writeVarUint(head, utf8.length);
  const out = new Uint8Array(head.length + utf8.length);
  out.set(head);
  out.set(utf8, head.length);
  return out;
}

function readVarString(bytes, at) {
  const [length, start] = readVarUint(bytes, at);
  if (start + length > bytes.length) throw new Error('malformed Hocuspocus frame: string past the end');
  return [decoder.decode(bytes.subarray(start, start + length)), start + length];
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** A y-protocols message framed for Hocuspocus: the document name, then the message. */
export function frame(document, message) {
  return concat(varString(document), message);
}

/** Splits a Hocuspocus frame into `{ document, type, body }`, `body` being the y-protocols message (from its type). */
export function unframe(bytes) {
  const [document, at] = readVarString(bytes, 0);
  const [type] = readVarUint(bytes, at);
  return { document, type, body: bytes.subarray(at) };
}

/** The y-protocols "permission denied" message (messageAuth 2, subtype 0, reason): the engine throws on it. */
function permissionDenied(reason) {
  return concat(Uint8Array.of(TYPE.auth, 0), varString(reason));
}

/**
 * A WebSocket-shaped class for `connectWebSocket` that speaks Hocuspocus on the wire for one document:
 * frames what the engine sends, unframes and translates what the server sends, authenticates first.
 */
function hocuspocusSocket(document, token, counters, WebSocketImpl, onScope) {
  return class HocuspocusSocket {
    constructor(url) {
      this.onopen = this.onmessage = this.onclose = this.onerror = null;
      const ws = new WebSocketImpl(url);
      ws.binaryType = 'arraybuffer';
      this.ws = ws;
      const deliver = (bytes) => this.onmessage?.({ data: bytes.slice().buffer });
      ws.onopen = () => {
        // The token goes first: Hocuspocus queues every other message until onAuthenticate passed.
        ws.send(frame(document, concat(Uint8Array.of(TYPE.auth, AUTH.token), varString(token))));
        this.onopen?.();
      };
      ws.onmessage = (event) => {
        if (!(event.data instanceof ArrayBuffer)) { counters.ignored++; return; }
        let message;
        try {
          message = unframe(new Uint8Array(event.data));
        } catch (error) {
          counters.ignored++;
          console.warn(`ignored a Hocuspocus frame: ${error.message}`);
          return;
        }
        if (message.document !== document) { counters.ignored++; return; }
        switch (message.type) {
          case TYPE.sync:
          case TYPE.awareness:
          case TYPE.queryAwareness:
            deliver(message.body);
            break;
          case TYPE.syncReply: {
            const body = message.body.slice();
            body[0] = TYPE.sync; // a one-byte varUint: 4 becomes 0
            deliver(body);
            break;
          }
          case TYPE.auth: {
            const [subtype, at] = readVarUint(message.body, 1);
            if (subtype === AUTH.permissionDenied) {
              const [reason] = readVarString(message.body, at);
              counters.denied = reason;
              deliver(permissionDenied(reason)); // the engine throws; the transport stops reconnecting
            } else if (subtype === AUTH.authenticated) {
              counters.authenticated++;
              // The scope the server granted: "read-write", or "readonly" for a viewer, whose document
              // updates the server refuses; the engine then refuses local edits too (set_read_only).
              try {
                [counters.scope] = readVarString(message.body, at);
              } catch {
                counters.scope = 'read-write'; // servers before scopes send none
              }
              onScope?.(counters.scope);
            } else if (subtype === AUTH.token) {
              ws.send(frame(document, concat(Uint8Array.of(TYPE.auth, AUTH.token), varString(token))));
            }
            break;
          }
          case TYPE.syncStatus: {
            // 1: the server applied our update; 0: it refused it (a read-only connection).
            const [applied] = readVarUint(message.body, 1);
            if (applied) counters.acknowledged++;
            else counters.refused++;
            break;
          }
          case TYPE.close:
            ws.close();
            break;
          default:
            counters.ignored++; // stateless messages and future types: not the engine's business
        }
      };
      ws.onerror = (event) => this.onerror?.(event);
      ws.onclose = (event) => this.onclose?.(event);
    }

    get readyState() { return this.ws.readyState; }

    set binaryType(_) { /* always arraybuffer underneath */ }

    send(message) { this.ws.send(frame(document, message)); }

    close() { this.ws.close(); }
  };
}

/**
 * Connects `engine` to `document` on the Hocuspocus server at `url`, authenticating with `token`
 * (Hocuspocus's `onAuthenticate` hook sees it; pass what your backend issued). Returns the
 * `connectWebSocket` connection, plus `hocuspocus: { authenticated, acknowledged, refused, ignored, denied,
 * scope }` counters (`refused`: updates a read-only connection's server did not apply; `scope`: what the
 * server granted, "read-write" or "readonly"). A "readonly" scope (a viewer's token) makes the engine
 * read-only (`engine.set_read_only(true)`): its edit calls throw instead of diverging from the room;
 * `onReadOnly()` then lets the page disable its editing UI. A refused token ends the connection (status "offline", no reconnecting) and logs
 * `permission denied by the server: <reason>`.
 */
export function connectHocuspocus(engine, {
  url, document, token = '', onStatus, onReadOnly, WebSocketImpl = globalThis.WebSocket, ...options
} = {}) {
  if (typeof token !== 'string') throw new Error('the Hocuspocus token must be a string');
  const counters = { authenticated: 0, acknowledged: 0, refused: 0, ignored: 0, denied: null, scope: null };
  const onScope = (scope) => {
    if (scope !== 'readonly') return;
    engine.set_read_only(true);
    onReadOnly?.();
  };
  const connection = connectWebSocket(engine, {
    ...options,
    url,
    room: document,
    onStatus,
    WebSocketImpl: hocuspocusSocket(document, token, counters, WebSocketImpl, onScope),
  });
  connection.hocuspocus = counters;
  return connection;
}
