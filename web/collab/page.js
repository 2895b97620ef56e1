// Collaboration on the demo page: `?room=NAME&relay=ws://127.0.0.1:1234` joins a y-websocket room (with
// `&server=hocuspocus&token=…`, a Hocuspocus document of that name) and
// shows the connection status in a small badge and the room's users in a list (`?name=` and `?color=`
// set ours; see presence.js). Without `?room` the page stays single-user.

import { mountPresence } from './presence.js';
import { connectHocuspocus } from './hocuspocus.js';
import { checkRoom, connectWebSocket } from './websocket.js';

const COLORS = { connecting: '#d9a400', connected: '#2e9e4f', offline: '#b3261e' };

/** The room requested by the URL, or null; throws on an invalid name. */
export function requestedRoom(params) {
  const room = params.get('room');
  return room === null ? null : checkRoom(room);
}

/**
 * Joins the room named in `params` (if any) and returns the connection (or null), with the user list as
 * `connection.presence`. The relay defaults to the page's host on port 1234, where `bash scripts/relay.sh`
 * listens.
 */
export function startCollab(engine, params, { guard = null } = {}) {
  const room = requestedRoom(params);
  if (room === null) return null;
  const relay = params.get('relay') ?? `ws://${location.hostname || '127.0.0.1'}:1234`;
  const badge = document.createElement('div');
  badge.id = 'collab-status';
  badge.setAttribute('role', 'status');
  Object.assign(badge.style, {
    position: 'fixed', left: '8px', bottom: '8px', padding: '3px 8px', borderRadius: '10px',
    font: '11px ui-monospace, Menlo, monospace', color: '#fff', background: '#555', zIndex: 10,
  });
  document.body.append(badge);
  const show = (status) => {
    badge.textContent = `${room} · ${status}`;
    badge.dataset.status = status;
    badge.style.background = COLORS[status] ?? '#555';
  };
  show('connecting');
  // Presence first, so the connection's first messages already carry our name and color.
  const presence = mountPresence(engine, params);
  // `?server=hocuspocus&token=…` joins the room as a Hocuspocus document instead (hocuspocus.js).
  const connection = params.get('server') === 'hocuspocus'
    ? connectHocuspocus(engine, {
      url: relay, document: room, token: params.get('token') ?? '', onStatus: show, guard,
      onReadOnly: () => document.body.classList.add('read-only'),
    })
    : connectWebSocket(engine, { url: relay, room, onStatus: show, guard });
  const close = connection.close;
  connection.close = () => { close(); presence.destroy(); };
  connection.presence = presence;
  return connection;
}
