//! Loading into an empty document: the fast path of `apply_update_*`.
//!
//! The general path (`sync.rs`) rehearses an update on a scratch copy of the live document before
//! applying it for real, which applies it twice. When the live document holds nothing at all — the
//! usual case for a load — the scratch document can simply become the live one: the update is
//! decoded and applied once, to a new document with the same client id, and encoded (v1) and
//! read (state vector) there under `catch_unwind`. Only if all of that succeeds is the new document
//! adopted: observers and the undo manager are attached to it, every node is queued as added, and
//! it replaces the old one. A rejected update never touches the live document at all.

use std::sync::Arc;

use app_core::NodeFields;
use yrs::{Doc, Map, ReadTxn, Transact, Update};

use crate::SceneDoc;
use crate::SceneError;
use crate::doc::{REMOTE_ORIGIN, Roots, busy};
use crate::observe::lock;
use crate::sync::guarded;

impl SceneDoc {
    /// True if the document holds nothing: no integrated or pending data, nothing to undo or redo.
    /// Such a document is indistinguishable from a new one with the same client id.
    pub(crate) fn is_pristine(&self) -> bool {
        if self.undo.can_undo() || self.undo.can_redo() {
            return false;
        }
        let Ok(txn) = self.read_txn() else {
            return false;
        };
        let store = txn.store();
        // An empty state vector means no block was ever integrated, so no delete set either.
        txn.state_vector().is_empty()
            && store.pending_update().is_none()
            && store.pending_ds().is_none()
    }

    /// Applies `update` to a new document and, if that and every encode succeed there, makes it
    /// the live one. Only called while [`SceneDoc::is_pristine`].
    /// `own_clock`: the clock this replica's own client must reach, all of its own history
    /// integrated (none left pending, where this replica's next edits would take its clocks).
    pub(crate) fn load_into_pristine(
        &mut self,
        decoded: Update,
        own_clock: u32,
    ) -> Result<(), SceneError> {
        let doc = Doc::with_client_id(self.client_id);
        // Roots are typed as maps before any update arrives, as in every document this crate makes.
        let roots = Roots::create(&doc);
        guarded(|| {
            let mut txn = doc
                .try_transact_mut_with(REMOTE_ORIGIN)
                .map_err(|e| e.to_string())?;
            txn.apply_update(decoded).map_err(|e| e.to_string())?;
            // Commit (GC, squashing) inside the guard too.
            drop(txn);
            Ok(())
        })
        .map_err(SceneError::BadUpdate)?;
        // yrs 0.28.1 accepts some malformed updates that make a later encode panic: find out now,
        // on the document that would become live. On wasm a panic cannot be caught; skip the cost.
        #[cfg(panic = "unwind")]
        guarded(|| {
            let txn = doc.try_transact().map_err(|e| e.to_string())?;
            // v1 only: `encode_state_v2` is made from the v1 encoding, under the guard too.
            crate::sync::encode_whole_v1(&txn);
            txn.state_vector();
            Ok(())
        })
        .map_err(SceneError::BadUpdate)?;
        let reached = doc
            .try_transact()
            .map_err(busy)?
            .state_vector()
            .get(&yrs::block::ClientID::new(self.client_id));
        if reached != own_clock {
            return Err(SceneError::BadUpdate(format!(
                "this replica's own history (client id {}) does not integrate: clock {reached} of {own_clock}",
                self.client_id
            )));
        }
        let loaded = SceneDoc::attach(doc, roots, self.clock);
        loaded.queue_all_as_added()?;
        self.adopt(loaded);
        Ok(())
    }

    /// Queues what the observers would have recorded had the load happened with them attached:
    /// every node entry as new (the change stream reports each as added), every asset and the light.
    fn queue_all_as_added(&self) -> Result<(), SceneError> {
        let txn = self.read_txn().map_err(busy)?;
        let mut observed = lock(&self.observed);
        for id in self.nodes.keys(&txn) {
            observed.note(&Arc::from(id), true, NodeFields::ALL);
        }
        observed.light |= self.lights.len(&txn) > 0;
        observed
            .assets
            .extend(self.assets.keys(&txn).map(Arc::from));
        Ok(())
    }

    /// Replaces this document with `loaded`, keeping what belongs to the replica rather than to
    /// the document: the id counter, reported problems, announced nodes and queued records.
    fn adopt(&mut self, loaded: SceneDoc) {
        let old = std::mem::replace(self, loaded);
        self.next_counter = old.next_counter;
        self.problems = old.problems;
        self.emitted.extend(old.emitted);
        let earlier = std::mem::take(&mut *lock(&old.observed));
        let mut observed = lock(&self.observed);
        // A pristine document has produced no updates; keep any anyway, oldest first.
        let later = std::mem::replace(&mut observed.local_updates, earlier.local_updates);
        observed.local_updates.extend(later);
        for (id, pending) in earlier.changes {
            observed.note(&id, pending.structural, pending.fields);
        }
        observed.light |= earlier.light;
        observed.assets.extend(earlier.assets);
        observed.tree_dirty.extend(earlier.tree_dirty);
    }
}
