// The JavaScript Yjs side of tests/local.test.mjs: yjs, y-websocket and y-indexeddb as a JS app would use
// them, bundled by the test with esbuild into tests/out/local/yjs-bundle.js. The test drives them through
// `window.lib`; the page itself only says it is ready.
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { IndexeddbPersistence } from 'y-indexeddb';

window.lib = { Y, WebsocketProvider, IndexeddbPersistence };
document.body.dataset.ready = 'true';
