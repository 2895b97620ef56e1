//! What the document observers record. Observers run inside yrs transactions, so they only note ids
//! and field bits here (cost proportional to what changed); `drain_changes` decodes the nodes later,
//! outside any transaction. Observers never open transactions and never call out of the crate.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use app_core::NodeFields;
use yrs::TransactionMut;
use yrs::types::{Event, Events, PathSegment};

use crate::schema::fields_of_key;

/// One node's pending change.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Pending {
    /// The node's entry in `nodes` was inserted, replaced or removed.
    pub structural: bool,
    /// Fields touched.
    pub fields: NodeFields,
}

/// Everything observers noted since it was last taken.
#[derive(Debug, Default)]
pub(crate) struct Observed {
    /// Node changes for the change stream.
    pub changes: HashMap<Arc<str>, Pending>,
    /// The light changed.
    pub light: bool,
    /// Keys of assets added or replaced in `assets`, for `SceneChange::AssetAdded`.
    pub assets: Vec<Arc<str>>,
    /// Nodes whose placement or existence changed, for the tree index.
    pub tree_dirty: HashSet<Arc<str>>,
    /// v1 updates of local (and undo/redo) transactions, for `take_local_updates`.
    pub local_updates: Vec<Vec<u8>>,
    /// Nobody takes local updates (`SceneDoc::set_local_updates_wanted`): they are not encoded.
    pub skip_local_updates: bool,
    /// Inside a batch (`batch.rs`) local transactions are not encoded one by one: the batch's end
    /// encodes them as one update.
    pub batching: bool,
    /// A local transaction changed the document during the current batch.
    pub batch_changed: bool,
}

impl Observed {
    pub(crate) fn note(&mut self, id: &Arc<str>, structural: bool, fields: NodeFields) {
        if fields.is_empty() && !structural {
            return;
        }
        let pending = self.changes.entry(id.clone()).or_default();
        pending.structural |= structural;
        pending.fields |= fields;
        if structural || fields.contains(NodeFields::PLACEMENT) {
            self.tree_dirty.insert(id.clone());
        }
    }
}

/// Shared between the observers (inside transactions) and `SceneDoc` (outside them).
pub(crate) type Shared = Arc<Mutex<Observed>>;

/// Locks the shared record. A poisoned lock only means a panic elsewhere while it was held; the
/// record is a plain set of ids that is valid at every step, so keep using it.
pub(crate) fn lock(shared: &Shared) -> MutexGuard<'_, Observed> {
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Deep observer of the `nodes` root map.
pub(crate) fn on_nodes(shared: &Shared, txn: &TransactionMut<'_>, events: &Events<'_>) {
    let mut observed = lock(shared);
    for event in events.iter() {
        let path = event.path();
        match (path.front(), event) {
            // The root map itself: nodes added, replaced or removed.
            (None, Event::Map(e)) => {
                for id in e.keys(txn).keys() {
                    observed.note(id, true, NodeFields::ALL);
                }
            }
            (Some(PathSegment::Key(id)), Event::Map(e)) if path.len() == 1 => {
                let fields = e
                    .keys(txn)
                    .keys()
                    .fold(NodeFields::NONE, |f, k| f | fields_of_key(k));
                observed.note(id, false, fields);
            }
            // A shared type nested inside a node property (not this schema, but a peer may write it):
            // attribute the change to the property it sits under.
            (Some(PathSegment::Key(id)), _) => {
                let fields = match path.get(1) {
                    Some(PathSegment::Key(k)) => fields_of_key(k),
                    _ => NodeFields::NONE,
                };
                observed.note(id, false, fields);
            }
            _ => {}
        }
    }
}

/// Deep observer of the `lights` root map.
pub(crate) fn on_lights(shared: &Shared) {
    lock(shared).light = true;
}

/// Deep observer of the `assets` root map: notes the keys written (their values are read, and
/// checked, only when a node that uses them is drawn).
pub(crate) fn on_assets(shared: &Shared, txn: &TransactionMut<'_>, events: &Events<'_>) {
    let mut observed = lock(shared);
    for event in events.iter() {
        if let (true, Event::Map(e)) = (event.path().is_empty(), event) {
            for (k, change) in e.keys(txn).iter() {
                if !matches!(change, yrs::types::EntryChange::Removed(_)) {
                    observed.assets.push(k.clone());
                }
            }
        }
    }
}
