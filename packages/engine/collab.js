// `@yscene/engine/collab`: the demo's collaboration modules (one source each, web/collab/*.js, copied into
// dist/collab/ by scripts/build-web.sh): y-websocket and Hocuspocus transports, tabs over a BroadcastChannel,
// a hub sharing the engine's one sync callback between transports, y-indexeddb-compatible persistence, scene
// files, presence, and the update guard that rehearses untrusted bytes in a second wasm instance.
export { ROOM_PATTERN, checkRoom, roomUrl, connectWebSocket } from './dist/collab/websocket.js';
export { connectHocuspocus, frame as hocuspocusFrame, unframe as hocuspocusUnframe } from './dist/collab/hocuspocus.js';
export { broadcastChannelName, connectBroadcast } from './dist/collab/broadcast.js';
export { createSyncHub, syncMessage, updateOfSyncMessage } from './dist/collab/hub.js';
export { PREFERRED_TRIM_SIZE, openDatabase, openPersistence, clearDocument } from './dist/collab/indexeddb.js';
export { SCENE_FILE_NAME, MAX_SCENE_FILE_BYTES, sceneFileBytes, exportScene, importSceneBytes, importSceneFile } from './dist/collab/file.js';
export { PALETTE, friendlyName, presenceFromParams, mountPresence } from './dist/collab/presence.js';
export { GuardRejection, createGuard } from './dist/collab/guard.js';
