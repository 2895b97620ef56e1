// Who is in the room: a small user list (you first, then everyone else, each with their color) and our
// own presence. The engine holds presence and speaks y-protocols awareness; a JS Yjs client in the same
// room appears here if it sets the usual `user: { name, color }` field (and `selected` for its node):
//
//   provider.awareness.setLocalStateField('user', { name: 'Grace', color: '#1e88e5' });
//   provider.awareness.setLocalStateField('selected', nodeId);
//
//   const presence = mountPresence(engine, new URLSearchParams(location.search));
//   presence.users()   // [{ client, name, color, selected, you }], you first
//   presence.destroy()

/** Colors for users: distinct on the dark viewport and from the local selection's orange. */
export const PALETTE = ['#e91e63', '#1e88e5', '#43a047', '#8e24aa', '#00acc1', '#fdd835', '#6d4c41', '#3949ab'];

const ADJECTIVES = ['Curious', 'Brave', 'Quiet', 'Sunny', 'Clever', 'Gentle', 'Swift', 'Merry', 'Bold', 'Calm'];
const ANIMALS = ['Otter', 'Fox', 'Heron', 'Lynx', 'Panda', 'Koala', 'Falcon', 'Badger', 'Walrus', 'Gecko'];

const pick = (list) => list[Math.floor(Math.random() * list.length)];

/** A random friendly name such as "Curious Otter". */
export function friendlyName() {
  return `${pick(ADJECTIVES)} ${pick(ANIMALS)}`;
}

/**
 * Our presence from the URL: `?name=` (trimmed, at most 64 characters) or a friendly default, and
 * `?color=#rrggbb` or a palette color.
 */
export function presenceFromParams(params) {
  const name = (params.get('name') ?? '').trim().slice(0, 64) || friendlyName();
  const color = params.get('color') ?? pick(PALETTE);
  return { name, color };
}

/**
 * Sets our presence on `engine` and shows the room's users in a list at the bottom left; the list
 * follows `engine.on_presence`. A `?name=` or `?color=` the engine refuses falls back to the defaults.
 */
export function mountPresence(engine, params) {
  let mine = presenceFromParams(params);
  try {
    engine.set_presence(mine);
  } catch (error) {
    console.warn(`presence: ${error?.message ?? error}; using a default name and color`);
    mine = { name: friendlyName(), color: pick(PALETTE) };
    engine.set_presence(mine);
  }

  const list = document.createElement('ul');
  list.id = 'collab-users';
  list.setAttribute('aria-label', 'People in this room');
  Object.assign(list.style, {
    position: 'fixed', left: '8px', bottom: '34px', margin: 0, padding: '4px 8px', listStyle: 'none',
    font: '11px ui-monospace, Menlo, monospace', color: '#eee', background: 'rgba(30, 30, 30, 0.8)',
    borderRadius: '8px', zIndex: 10, maxHeight: '40vh', overflowY: 'auto',
  });
  document.body.append(list);

  let users = [];
  const render = (peers) => {
    const me = engine.presence();
    users = [{ ...me, you: true }, ...peers.map((p) => ({ ...p, you: false }))];
    list.replaceChildren(...users.map((user) => {
      const item = document.createElement('li');
      item.dataset.client = String(user.client);
      if (user.you) item.dataset.you = 'true';
      item.style.whiteSpace = 'nowrap';
      const dot = document.createElement('span');
      Object.assign(dot.style, {
        display: 'inline-block', width: '8px', height: '8px', borderRadius: '50%', marginRight: '6px',
        // A peer's color is checked by the engine (#rrggbb or null), so it is safe as a style value.
        background: user.color ?? '#888',
      });
      item.append(dot);
      // textContent: names come from peers and are shown, never parsed.
      const label = document.createElement('span');
      label.className = 'name';
      label.textContent = `${user.name ?? `Guest ${user.client}`}${user.you ? ' (you)' : ''}`;
      item.append(label);
      if (user.selected) item.title = `selected: ${user.selected}`;
      return item;
    }));
  };
  engine.on_presence((peers) => {
    try { render(peers); } catch { /* the engine was freed */ }
  });
  render(engine.peers());

  return {
    element: list,
    /** Everyone shown, you first: `[{ client, name, color, selected, you }]`. */
    users: () => users,
    /** Our presence as sent: `{ name, color }`. */
    get mine() { return mine; },
    destroy() {
      try { engine.on_presence(null); } catch { /* the engine was freed first */ }
      list.remove();
    },
  };
}
