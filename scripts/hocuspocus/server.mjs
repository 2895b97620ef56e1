// A Hocuspocus server for the engine's Hocuspocus adapter (web/collab/hocuspocus.js).
//
//   PORT=1235 HOST=127.0.0.1 TOKEN=secret REDIS_PORT=6379 node scripts/hocuspocus/server.mjs
//
// TOKEN: when set, a connection must authenticate with exactly this token (Hocuspocus's onAuthenticate
// hook; a real deployment checks a signed token from its own backend here) and may edit. VIEWER_TOKEN: a
// second token whose connections are read-only: the server answers their document updates with a refusal
// (SyncStatus false) and applies nothing, and tells the client its scope ("readonly") when it authenticates. REDIS_PORT (and REDIS_HOST):
// scale out with @hocuspocus/extension-redis, so several of these processes serve the same documents.
// BROADCAST_UPDATE_MS (default 16) and BROADCAST_AWARENESS_MS (default 33): what peers send within that
// window reaches every connection as one merged message (coalesce.mjs says why); BROADCAST=immediate
// keeps Hocuspocus's own one-message-per-change fan-out (and the stock Redis extension), for comparison.
// Prints "listening on ws://HOST:PORT" once it accepts connections.
import { Server } from '@hocuspocus/server';
import { Redis } from '@hocuspocus/extension-redis';
import { coalesceBroadcasts } from './coalesce.mjs';
import { CoalescedRedis } from './redis.mjs';

const coalesced = process.env.BROADCAST !== 'immediate';
const windows = {
  updateMs: Number(process.env.BROADCAST_UPDATE_MS ?? 16),
  awarenessMs: Number(process.env.BROADCAST_AWARENESS_MS ?? 33),
};
if (coalesced) coalesceBroadcasts(windows);

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 1235);
const token = process.env.TOKEN;
const viewerToken = process.env.VIEWER_TOKEN;
const extensions = [];
const scaledOut = Boolean(process.env.REDIS_PORT);
if (scaledOut) {
  const redis = { host: process.env.REDIS_HOST ?? '127.0.0.1', port: Number(process.env.REDIS_PORT) };
  // Coalesced: local changes are pushed to the other instances, merged per window (redis.mjs says why).
  extensions.push(coalesced ? new CoalescedRedis({ ...redis, ...windows }) : new Redis(redis));
}

const server = new Server({
  address: host,
  port,
  quiet: true,
  extensions, // Hocuspocus adds its own to this array
  async onAuthenticate({ token: offered, documentName, connectionConfig }) {
    if (viewerToken !== undefined && offered === viewerToken) {
      connectionConfig.readOnly = true;
      return { role: 'viewer' };
    }
    if (token !== undefined && offered !== token) {
      throw new Error(`wrong token for ${documentName}`);
    }
    return { role: 'editor' };
  },
});
await server.listen();
console.log(`listening on ws://${host}:${port}${scaledOut ? ' (Redis scale-out)' : ''}`);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => { await server.destroy(); process.exit(0); });
}
