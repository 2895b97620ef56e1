// The Node-side Yjs client used by tests/collab.test.mjs: one module so that yjs, y-websocket and ws
// all resolve from scripts/relay/node_modules (two copies of yjs in one process break Yjs's type checks).
export * as Y from 'yjs';
export { WebsocketProvider } from 'y-websocket';
export { WebSocket } from 'ws';
