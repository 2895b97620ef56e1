// The scene survives a reload without any server: the document is kept in IndexedDB in the layout of
// y-indexeddb (v9), so a page that does `new IndexeddbPersistence(name, ydoc)` reads the same scene, and
// this page reads what such a page wrote.
//
// The layout (y-indexeddb's `IndexeddbPersistence`):
//   database  named after the document (`name`), opened without a version (so version 1);
//   'updates' object store, autoIncrement keys, each value a Yjs v1 update (Uint8Array);
//   'custom'  object store for y-indexeddb's key/value extras (created, not used here).
// What happens, as there:
//   open      read every update and apply it (before that, a document that already has content stores
//             its state, so nothing made before opening is lost);
//   each edit store the update (local edits from `on_local_update`; updates from peers through
//             `storeUpdate`, as y-indexeddb stores every update of its Y.Doc);
//   500+      once 500 (PREFERRED_TRIM_SIZE) entries exist, a second later: apply what other tabs stored
//             since, store the whole document as one update and delete every entry before it.
//
//   const store = await openPersistence(engine, { name: 'app-scene' });
//   store.restored        // true when the database held a scene (then do not add a starter scene)
//   store.storeUpdate(u)  // an update that reached the document from elsewhere (a peer)
//   store.storeState()    // compact now
//   store.close()

export const PREFERRED_TRIM_SIZE = 500;
const UPDATES = 'updates';
const CUSTOM = 'custom';
/** Debounce of compaction, as y-indexeddb's `_storeTimeout`. */
const STORE_TIMEOUT_MS = 1000;

/** An IDBRequest as a promise. */
const done = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
});

/** Opens (creating if new) the database `name` with y-indexeddb's object stores. */
export function openDatabase(name, indexedDBImpl = globalThis.indexedDB) {
  if (!indexedDBImpl) return Promise.reject(new Error('this browser has no IndexedDB'));
  return new Promise((resolve, reject) => {
    const request = indexedDBImpl.open(name);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(UPDATES)) db.createObjectStore(UPDATES, { autoIncrement: true });
      if (!db.objectStoreNames.contains(CUSTOM)) db.createObjectStore(CUSTOM);
    };
    request.onsuccess = () => {
      const db = request.result;
      // Another page deleting or upgrading the database must not be blocked by us (y-indexeddb does the same).
      db.onversionchange = () => db.close();
      if (!db.objectStoreNames.contains(UPDATES)) {
        db.close();
        reject(new Error(`IndexedDB database ${JSON.stringify(name)} exists but has no '${UPDATES}' store: it was not written by y-indexeddb or this page`));
        return;
      }
      resolve(db);
    };
    request.onerror = () => reject(request.error ?? new Error(`cannot open IndexedDB database ${JSON.stringify(name)}`));
    request.onblocked = () => reject(new Error(`IndexedDB database ${JSON.stringify(name)} is blocked by another tab`));
  });
}

/** An empty Yjs v1 update (no structs, no deletions) is these two bytes. */
const isEmptyUpdate = (update) => update.length <= 2;

/**
 * Opens the y-indexeddb database `name`, applies what it holds to `engine` and keeps storing the
 * engine's local updates (it takes the engine's `on_local_update` callback). Resolves to
 * `{ name, restored, skipped, storeUpdate(update), storeState(), get size(), close() }`;
 * `skipped` counts stored entries the engine refused (corrupt or hostile), which are left in place.
 */
export async function openPersistence(engine, { name, indexedDBImpl = globalThis.indexedDB } = {}) {
  if (typeof name !== 'string' || name === '') throw new Error(`persistence needs a document name, got ${JSON.stringify(name)}`);
  const db = await openDatabase(name, indexedDBImpl);
  let dbref = 0; // first key not yet read by this page (y-indexeddb's `_dbref`)
  let dbsize = 0; // entries in the store as far as we know (`_dbsize`)
  let closed = false;
  let storeTimer = null;
  let skipped = 0;
  let warned = false;

  const warnOnce = (error) => {
    if (warned) return;
    warned = true;
    console.warn(`could not save the scene in IndexedDB ${JSON.stringify(name)}: ${error?.message ?? error}`);
  };

  /**
   * y-indexeddb's fetchUpdates: applies every update stored at or after `dbref` (what other tabs wrote
   * since we last looked) inside `store`'s transaction, then advances `dbref` and recounts.
   */
  async function fetchUpdates(store, beforeApply = () => {}) {
    const updates = await done(store.getAll(IDBKeyRange.lowerBound(dbref, false)));
    beforeApply(store);
    for (const update of updates) {
      if (!(update instanceof Uint8Array)) { skipped++; continue; }
      try {
        engine.apply_update(update);
      } catch (error) {
        // The engine refused it and changed nothing; one bad entry must not lose the rest of the scene.
        skipped++;
        console.warn(`skipped a stored update in IndexedDB ${JSON.stringify(name)}: ${error?.message ?? error}`);
      }
    }
    const cursor = await done(store.openKeyCursor(null, 'prev'));
    dbref = (cursor ? Number(cursor.key) : -1) + 1;
    dbsize = await done(store.count());
    return updates;
  }

  // Startup: like y-indexeddb, first store what the document already holds (nothing, normally).
  const startup = db.transaction([UPDATES], 'readwrite');
  const stored = await fetchUpdates(startup.objectStore(UPDATES), (store) => {
    const state = engine.encode_state();
    if (!isEmptyUpdate(state)) store.add(state);
  });
  // "Restored" means the database held content, not just empty updates: then the page must not add
  // its starter scene on top (a scene whose nodes were all deleted is restored too, as empty).
  const restored = stored.some((u) => u instanceof Uint8Array && !isEmptyUpdate(u)) && !isEmptyUpdate(engine.encode_state());

  /** Compaction (y-indexeddb's storeState): the whole document as one entry, older entries deleted. */
  async function storeState(force = true) {
    if (closed) return;
    const tx = db.transaction([UPDATES], 'readwrite');
    const store = tx.objectStore(UPDATES);
    await fetchUpdates(store);
    if (force || dbsize >= PREFERRED_TRIM_SIZE) {
      await done(store.add(engine.encode_state()));
      await done(store.delete(IDBKeyRange.upperBound(dbref, true)));
      dbsize = await done(store.count());
    }
  }

  function storeUpdate(update) {
    if (closed || isEmptyUpdate(update)) return;
    try {
      const tx = db.transaction([UPDATES], 'readwrite');
      tx.onerror = () => warnOnce(tx.error);
      tx.objectStore(UPDATES).add(update);
    } catch (error) {
      warnOnce(error);
      return;
    }
    if (++dbsize >= PREFERRED_TRIM_SIZE) {
      clearTimeout(storeTimer);
      storeTimer = setTimeout(() => {
        storeTimer = null;
        storeState(false).catch(warnOnce);
      }, STORE_TIMEOUT_MS);
    }
  }

  engine.on_local_update(storeUpdate);

  return {
    name,
    restored,
    get skipped() { return skipped; },
    /** Entries in the store as far as this page knows. */
    get size() { return dbsize; },
    storeUpdate,
    storeState: () => storeState(true),
    /** Stops storing and closes the database (what is stored stays). */
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(storeTimer);
      try { engine.on_local_update(null); } catch { /* the engine was freed first */ }
      db.close();
    },
  };
}

/** Deletes the database `name` (y-indexeddb's `clearDocument`). */
export function clearDocument(name, indexedDBImpl = globalThis.indexedDB) {
  return done(indexedDBImpl.deleteDatabase(name));
}
