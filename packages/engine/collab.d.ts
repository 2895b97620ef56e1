// `@yscene/engine/collab`: transports, persistence, scene files, presence and the update guard for an Engine.
import type { Engine } from "./engine.js";

// --- y-websocket (websocket.js) ---

/** Room names: letters, digits, `.`, `_`, `-`, 1 to 64 characters. */
export const ROOM_PATTERN: RegExp;
/** Returns `room`, or throws naming what is wrong with it. */
export function checkRoom(room: string): string;
/** The server URL for `room` (`ws://host:port/room`); throws unless `url` is ws:// or wss://. */
export function roomUrl(url: string, room: string): string;

export type ConnectionStatus = "connecting" | "connected" | "offline";

/** A WebSocket constructor (the global one by default; tests pass their own). */
export type WebSocketConstructor = new (url: string) => WebSocket;

export interface ConnectionOptions {
  /** Incoming messages are rehearsed in the guard's own wasm instance before the engine sees them. */
  guard?: UpdateGuard | null;
  onStatus?: (status: ConnectionStatus) => void;
  WebSocketImpl?: WebSocketConstructor;
  /** Reconnect backoff: starts here, doubles up to `maxDelayMs` (with jitter). Defaults 200 and 10,000. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

export interface WebSocketOptions extends ConnectionOptions {
  /** The y-websocket server, `ws://` or `wss://`. */
  url: string;
  room: string;
}

export interface ConnectionStats {
  framesSent: number;
  bytesSent: number;
  framesReceived: number;
  bytesReceived: number;
  refused: number;
  connects: number;
  presenceSent: number;
  presenceBytesSent: number;
}

/** A live connection; it reconnects by itself until `disconnect()` or `close()`. */
export interface Connection {
  readonly status: ConnectionStatus;
  readonly url: string;
  readonly stats: ConnectionStats;
  /** Goes offline on purpose (no reconnecting) until `connect()`; edits keep working locally. */
  disconnect(): void;
  /** Reconnects now after `disconnect()` (throws after `close()`). */
  connect(): void;
  /** Closes for good and releases the engine's sync callback. */
  close(): void;
  /** Test hook: drops the socket as a network failure would. */
  debugDropSocket(): void;
}

/** Connects `engine` to a y-websocket room (it takes the engine's `on_sync_message` callback). */
export function connectWebSocket(engine: Engine, options: WebSocketOptions): Connection;

// --- Hocuspocus (hocuspocus.js) ---

export interface HocuspocusOptions extends ConnectionOptions {
  url: string;
  /** The Hocuspocus document name (a room name). */
  document: string;
  /** Sent first; the server's `onAuthenticate` hook sees it. */
  token?: string;
  /** Called when the server grants only a read-only scope (a viewer's token); the engine is then read-only. */
  onReadOnly?: () => void;
}

export interface HocuspocusConnection extends Connection {
  readonly hocuspocus: {
    authenticated: number;
    /** Updates the server applied. */
    acknowledged: number;
    /** Updates the server refused (a read-only connection). */
    refused: number;
    ignored: number;
    denied: string | null;
    /** What the server granted when it authenticated us: "read-write", or "readonly" for a viewer; null before. */
    scope: string | null;
  };
}

export function connectHocuspocus(engine: Engine, options: HocuspocusOptions): HocuspocusConnection;
/** A y-protocols message framed for Hocuspocus (the document name first). */
export function hocuspocusFrame(document: string, message: Uint8Array): Uint8Array<ArrayBuffer>;
/** Splits a Hocuspocus frame; throws on a malformed one. */
export function hocuspocusUnframe(bytes: Uint8Array): { document: string; type: number; body: Uint8Array };

// --- tabs of one browser (broadcast.js) ---

/** y-websocket's BroadcastChannel name: `url` without trailing slashes, `/`, the room. */
export function broadcastChannelName(url: string, room: string): string;

export interface BroadcastOptions {
  /** Only the name is used: the relay need not exist. */
  url: string;
  room: string;
  guard?: UpdateGuard | null;
  BroadcastChannelImpl?: new (name: string) => BroadcastChannel;
}

export interface BroadcastConnection {
  readonly name: string;
  readonly stats: { sent: number; received: number; refused: number };
  close(): void;
}

/** Syncs `engine` with the other tabs in the room (it takes the engine's `on_sync_message` callback). */
export function connectBroadcast(engine: Engine, options: BroadcastOptions): BroadcastConnection;

// --- several transports on one engine (hub.js) ---

export interface SyncHub {
  /** An engine for one transport: the real one, with its own `on_sync_message` slot. */
  transport(): Engine;
  /** `listener(update)` for each v1 update a transport delivered; returns a function that removes it. */
  onRemoteUpdate(listener: (update: Uint8Array<ArrayBuffer>) => void): () => boolean;
  /** Sends `message` on every transport. */
  publish(message: Uint8Array): void;
  close(): void;
}

export function createSyncHub(engine: Engine): SyncHub;
/** A y-protocols sync message: `kind` 1 = sync step 2, 2 = update. */
export function syncMessage(kind: 1 | 2, update: Uint8Array): Uint8Array<ArrayBuffer>;
/** The v1 update inside a sync step 2 or update message, or `null` for any other message. */
export function updateOfSyncMessage(message: Uint8Array): Uint8Array<ArrayBuffer> | null;

// --- IndexedDB, y-indexeddb's layout (indexeddb.js) ---

/** Entries after which the store is compacted into one. */
export const PREFERRED_TRIM_SIZE: number;
export function openDatabase(name: string, indexedDBImpl?: IDBFactory): Promise<IDBDatabase>;

export interface Persistence {
  readonly name: string;
  /** The database held a scene (then do not add a starter scene). */
  readonly restored: boolean;
  /** Stored entries the engine refused (left in place). */
  readonly skipped: number;
  readonly size: number;
  /** Stores an update that reached the document from elsewhere (a peer). */
  storeUpdate(update: Uint8Array): void;
  /** Compacts now: the whole document as one entry. */
  storeState(): Promise<void>;
  close(): void;
}

/** Restores the document `name` into `engine` and keeps storing its local updates (it takes `on_local_update`). */
export function openPersistence(engine: Engine, options: { name: string; indexedDBImpl?: IDBFactory }): Promise<Persistence>;
/** Deletes the database `name`. */
export function clearDocument(name: string, indexedDBImpl?: IDBFactory): Promise<undefined>;

// --- scene files: the document as one Yjs v2 update (file.js) ---

export const SCENE_FILE_NAME: string;
export const MAX_SCENE_FILE_BYTES: number;
export function sceneFileBytes(engine: Engine): Uint8Array<ArrayBuffer>;
/** Offers the scene as a download; returns its size in bytes. */
export function exportScene(engine: Engine, options?: { fileName?: string }): number;
/** Merges scene-file bytes; throws naming `label` and changes nothing when they are not a scene file. Node counts before and after. */
export function importSceneBytes(engine: Engine, bytes: Uint8Array, label?: string): { before: number; after: number };
export function importSceneFile(engine: Engine, file: File): Promise<{ before: number; after: number }>;

// --- presence (presence.js) ---

export const PALETTE: string[];
/** A random name such as "Curious Otter". */
export function friendlyName(): string;
/** `?name=` and `?color=`, or defaults. */
export function presenceFromParams(params: URLSearchParams): { name: string; color: string };

export interface PresenceUser {
  client: number;
  name: string | null;
  color: string | null;
  selected: string | null;
  you: boolean;
}

/** Sets our presence from `params` and shows the room's users in a list at the bottom left of the page. */
export function mountPresence(engine: Engine, params: URLSearchParams): {
  element: HTMLUListElement;
  users(): PresenceUser[];
  readonly mine: { name: string; color: string };
  destroy(): void;
};

// --- the update guard (guard.js) ---

/** Thrown when the guard refuses a message; the engine was not called. */
export class GuardRejection extends Error {
  constructor(message: string, options?: { trapped?: boolean; unavailable?: boolean });
  /** The guard's instance trapped (yrs panicked on the message). */
  trapped: boolean;
  /** No guard instance was ready: the message was neither checked nor applied. */
  unavailable: boolean;
}

export type GuardEvent =
  | { type: "trap"; during: "follow" | "check"; message: string }
  | { type: "replaced"; ready: boolean }
  | { type: "spare-failed"; error: unknown };

export interface GuardOptions {
  /**
   * URL of a bundle's wasm-bindgen glue (`app_wasm.js`, with `app_wasm_bg.wasm` beside it), imported again for
   * each guard instance. Default: the package's `dist/pkg/app_wasm.js`, which is right without a bundler; a
   * bundled app serves a copy of `dist/pkg/` and passes its URL.
   */
  bundleUrl?: string;
  /** Instances kept ready. Default 2. */
  spares?: number;
  /** `"full"` (default): re-encode the whole mirror after each update; `"diff"`: only what it added. */
  rehearsal?: "full" | "diff";
  onEvent?: (event: GuardEvent) => void;
}

export interface UpdateGuard {
  /** Vets one y-protocols message, then `engine.sync_receive`; returns its replies. Throws a GuardRejection. */
  receive(message: Uint8Array): Uint8Array<ArrayBuffer>[];
  /** `engine.apply_update(update)` after vetting it. */
  applyUpdate(update: Uint8Array): void;
  /** `engine.apply_update_v2(update)` after vetting it. */
  applyUpdateV2(update: Uint8Array): void;
  /** Resolves when a guard instance and the spares are ready. */
  readonly ready: Promise<void>;
  readonly stats: { checked: number; rejected: number; trapped: number; unavailable: number; instances: number };
  memoryBytes(): { current: number; spares: number };
  mirrorState(): Uint8Array<ArrayBuffer> | undefined;
  close(): void;
}

/** Creates the update guard for `engine`: untrusted bytes are rehearsed in a second wasm instance first. */
export function createGuard(engine: Engine, options?: GuardOptions): Promise<UpdateGuard>;
