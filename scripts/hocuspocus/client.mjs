// The Node-side Hocuspocus client used by tests/hocuspocus.test.mjs: one module so that yjs, the provider
// and ws all resolve from scripts/hocuspocus/node_modules (two copies of yjs in one process break Yjs).
export * as Y from 'yjs';
export { HocuspocusProvider } from '@hocuspocus/provider';
export { WebSocket } from 'ws';
