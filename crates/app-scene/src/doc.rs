//! [`SceneDoc`]: the Yrs document, its observers and undo manager, and the helpers every call shares.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use yrs::undo::{Options, UndoManager};
use yrs::{Any, DeepObservable, Doc, Map, MapRef, Origin, Transact, TransactionMut};

use crate::SceneError;
use crate::batch::Staged;
use crate::clock::{CAPTURE_TIMEOUT_MS, ClockFn, MonotonicClock, system_clock};
use crate::observe::{Shared, lock, on_assets, on_lights, on_nodes};
use crate::problems::Problems;
use crate::schema::Keys;
use crate::schema::{ASSETS, LIGHTS, META, NODES, SCHEMA_VERSION, SCHEMA_VERSION_KEY};
use crate::tree::TreeIndex;

/// Origin of transactions made by this crate's edit calls: the only ones the undo manager tracks.
pub(crate) const LOCAL_ORIGIN: &str = "app-scene/local";
/// Origin of transactions applying peers' updates: never undone, never re-sent as local updates.
pub(crate) const REMOTE_ORIGIN: &str = "app-scene/remote";
/// Key under which this crate's observers are registered.
const OBSERVER_KEY: &str = "app-scene/observer";
/// Yjs client ids are 53-bit (they must survive a JavaScript number).
const CLIENT_ID_MASK: u64 = (1 << 53) - 1;

/// The root maps of a document.
pub(crate) struct Roots {
    pub nodes: MapRef,
    pub lights: MapRef,
    pub meta: MapRef,
    pub assets: MapRef,
}

impl Roots {
    /// Creates (or finds) the root maps. Must run before any update is applied to `doc`, as it did
    /// for every document this crate made, so that roots are typed as maps from the start.
    pub fn create(doc: &Doc) -> Self {
        // Only fails (panics) with a transaction open on `doc`; callers pass a document they
        // have just created.
        Self {
            nodes: doc.get_or_insert_map(NODES),
            lights: doc.get_or_insert_map(LIGHTS),
            meta: doc.get_or_insert_map(META),
            assets: doc.get_or_insert_map(ASSETS),
        }
    }
}

/// The whole scene as a Yrs document: typed, validated edits; reads that never trust the document;
/// a change stream; undo/redo of local edits; and the bytes to sync with peers (Yjs-compatible).
pub struct SceneDoc {
    // Declared first so it drops first: its drop unregisters observers from `doc`.
    pub(crate) undo: UndoManager<()>,
    pub(crate) doc: Doc,
    pub(crate) nodes: MapRef,
    pub(crate) lights: MapRef,
    pub(crate) meta: MapRef,
    /// Asset id -> bytes (`import.rs`).
    pub(crate) assets: MapRef,
    pub(crate) observed: Shared,
    pub(crate) tree: Mutex<TreeIndex>,
    /// Nodes the change stream has announced (added and not removed since).
    pub(crate) emitted: HashSet<Arc<str>>,
    pub(crate) problems: Mutex<Problems>,
    /// Map keys and kind strings shared by every node this replica writes.
    pub(crate) keys: Keys,
    /// The undo manager's time source, kept to rebuild it when a loaded document is adopted.
    pub(crate) clock: Option<ClockFn>,
    pub(crate) client_id: u64,
    pub(crate) next_counter: u64,
    /// Stops the undo clock during a batch (`batch.rs`).
    pub(crate) clock_frozen: Arc<AtomicBool>,
    /// The open batch, if any.
    pub(crate) batch: Option<crate::batch::OpenBatch>,
    /// Root nodes added inside the batch and not written yet (`batch.rs`).
    pub(crate) staged: Staged,
    /// The asset buffers whose bytes were checked against their id (`import.rs`), so each is hashed
    /// once. Weak: the document owns the bytes, and a peer's write under the same key is a new buffer.
    pub(crate) verified_assets: Mutex<VerifiedAssets>,
}

/// Asset id -> the stored buffer whose bytes match it (see [`SceneDoc::verified_assets`]).
pub(crate) type VerifiedAssets = HashMap<app_core::AssetId, Weak<[u8]>>;

impl Default for SceneDoc {
    fn default() -> Self {
        Self::new()
    }
}

impl SceneDoc {
    /// An empty scene with a random client id and the system clock for undo grouping (on wasm, where
    /// there is none, every edit is its own undo step: use [`SceneDoc::with_clock`]).
    pub fn new() -> Self {
        Self::build(Doc::new(), system_clock())
    }

    /// An empty scene with a fixed client id (masked to 53 bits, as Yjs requires), for tests.
    /// Two live documents must never share a client id.
    pub fn with_client_id(client_id: u64) -> Self {
        Self::build(
            Doc::with_client_id(client_id & CLIENT_ID_MASK),
            system_clock(),
        )
    }

    /// An empty scene whose undo manager reads time from `clock` (milliseconds), with a random
    /// client id or the given one. app-wasm passes a `Date.now` wrapper here.
    pub fn with_clock(client_id: Option<u64>, clock: ClockFn) -> Self {
        let doc = match client_id {
            Some(id) => Doc::with_client_id(id & CLIENT_ID_MASK),
            None => Doc::new(),
        };
        Self::build(doc, Some(clock))
    }

    fn build(doc: Doc, clock: Option<ClockFn>) -> Self {
        let roots = Roots::create(&doc);
        Self::attach(doc, roots, clock)
    }

    /// Registers this crate's observers and undo manager on `doc` (which may already hold content:
    /// see `SceneDoc::adopt`) and wraps it. No transaction may be open on `doc`.
    pub(crate) fn attach(doc: Doc, roots: Roots, clock: Option<ClockFn>) -> Self {
        let Roots {
            nodes,
            lights,
            meta,
            assets,
        } = roots;
        let observed = Shared::default();
        let shared = observed.clone();
        nodes.observe_deep(OBSERVER_KEY, move |txn, events| {
            on_nodes(&shared, txn, events)
        });
        let shared = observed.clone();
        lights.observe_deep(OBSERVER_KEY, move |_, _| on_lights(&shared));
        let shared = observed.clone();
        assets.observe_deep(OBSERVER_KEY, move |txn, events| {
            on_assets(&shared, txn, events)
        });
        let shared = observed.clone();
        let remote = Origin::from(REMOTE_ORIGIN);
        // Not `observe_update_v1`: yrs would encode every transaction's update for it, a remote
        // 10,000-node load included, only for this callback to drop it. The cleanup event comes
        // at the same point of the commit, so `encode_update_v1` here gives the same bytes.
        let registered = doc.observe_transaction_cleanup(OBSERVER_KEY, move |txn, event| {
            let changed = !event.delete_set.is_empty() || event.before_state != event.after_state;
            if changed && txn.origin() != Some(&remote) {
                let mut shared = lock(&shared);
                if shared.batching {
                    shared.batch_changed = true;
                } else if !shared.skip_local_updates {
                    shared.local_updates.push(txn.encode_update_v1());
                }
            }
        });
        debug_assert!(registered.is_ok(), "attach runs with no transaction open");

        let clock_frozen = Arc::new(AtomicBool::new(false));
        let options = Options {
            capture_timeout_millis: CAPTURE_TIMEOUT_MS,
            tracked_origins: HashSet::from([Origin::from(LOCAL_ORIGIN)]),
            capture_transaction: None,
            timestamp: Arc::new(MonotonicClock::new(clock, clock_frozen.clone())),
            init_undo_stack: Vec::new(),
            init_redo_stack: Vec::new(),
        };
        let mut undo = UndoManager::with_options(options);
        undo.expand_scope(&doc, &nodes);
        undo.expand_scope(&doc, &lights);
        undo.expand_scope(&doc, &assets);

        let client_id = doc.client_id().get();
        Self {
            undo,
            doc,
            nodes,
            lights,
            meta,
            assets,
            observed,
            tree: Mutex::default(),
            emitted: HashSet::new(),
            problems: Mutex::default(),
            keys: Keys::default(),
            clock,
            client_id,
            next_counter: 0,
            clock_frozen,
            batch: None,
            staged: Staged::default(),
            verified_assets: Mutex::default(),
        }
    }

    /// This replica's Yjs client id.
    pub fn client_id(&self) -> u64 {
        self.client_id
    }

    /// Problems found in the document by readers since the last call (wrong types, NaN, huge
    /// arrays, unknown kinds), each reported once for the document's lifetime.
    pub fn drain_problems(&mut self) -> Vec<String> {
        lock_problems(&self.problems).take()
    }

    pub(crate) fn report(&self, problems: Vec<String>) {
        if !problems.is_empty() {
            lock_problems(&self.problems).report(problems);
        }
    }

    /// The tree index, brought up to date with what observers marked dirty, staged nodes included.
    pub(crate) fn tree(&self) -> MutexGuard<'_, TreeIndex> {
        // On an error a transaction is open elsewhere, which the refresh below also meets.
        let _ = self.flush_staged();
        self.tree_without_staged()
    }

    /// The tree index without writing staged nodes first (they are roots, so only their order,
    /// noted when each was staged, is missing): for staging another.
    pub(crate) fn tree_without_staged(&self) -> MutexGuard<'_, TreeIndex> {
        let mut tree = self
            .tree
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let dirty = std::mem::take(&mut lock(&self.observed).tree_dirty);
        if !dirty.is_empty() {
            match self.doc.try_transact() {
                Ok(txn) => dirty
                    .iter()
                    .for_each(|id| tree.refresh(&txn, &self.nodes, id)),
                // Unreachable while no transaction outlives a call; keep the ids for next time.
                Err(_) => lock(&self.observed).tree_dirty.extend(dirty),
            }
        }
        tree
    }
}

fn lock_problems(problems: &Mutex<Problems>) -> MutexGuard<'_, Problems> {
    problems
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Turns a transaction acquisition failure into an error.
pub(crate) fn busy(error: impl std::fmt::Display) -> SceneError {
    SceneError::Busy(error.to_string())
}

/// Runs `f` in a local (undoable) transaction, after writing any staged nodes (`batch.rs`) in their
/// own. `f` validates before it writes, so an error leaves the document untouched. The first
/// successful edit also records the schema version. Callers pass their document's fields.
pub(crate) fn write<R>(
    (doc, nodes, meta, staged): (&Doc, &MapRef, &MapRef, &Staged),
    f: impl FnOnce(&mut TransactionMut<'_>) -> Result<R, SceneError>,
) -> Result<R, SceneError> {
    crate::batch::flush(doc, nodes, meta, staged).map_err(busy)?;
    let mut txn = doc.try_transact_mut_with(LOCAL_ORIGIN).map_err(busy)?;
    let out = f(&mut txn)?;
    note_schema_version(&mut txn, meta);
    Ok(out)
}

/// Records the schema version in `meta` unless it is there (the first successful edit does).
pub(crate) fn note_schema_version(txn: &mut TransactionMut<'_>, meta: &MapRef) {
    if !meta.contains_key(txn, SCHEMA_VERSION_KEY) {
        meta.insert(txn, SCHEMA_VERSION_KEY, Any::from(SCHEMA_VERSION));
    }
}
