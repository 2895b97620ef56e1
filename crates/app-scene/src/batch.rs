//! Batches: many edits as one undo step and one local update (`engine.batch(fn)` in JavaScript).
//!
//! Between [`SceneDoc::begin_batch`] and [`SceneDoc::end_batch`] the undo clock stands still, so the
//! undo manager merges every edit into the step the batch opened (a removal still starts a step of
//! its own: see `remove_node`), and local transactions are not encoded one by one: the end encodes
//! everything since the start as one update (a diff from the start's state vector). That is what
//! makes a batch cheaper than the same calls one by one. [`SceneDoc::abort_batch`] undoes the
//! batch's steps instead, for a batch whose function threw.
//!
//! Batches nest: only the outermost begin and end count.
//!
//! **Staged additions.** Inside a batch, `add_sphere`, `add_box` and `add_plane` validate, take their id
//! and order, and stage the new node instead of writing it ([`SceneDoc::stage_node`]). Staged nodes are
//! written together, in one local transaction, by [`SceneDoc::flush_staged`], which runs before
//! anything else touches the document: every read transaction is taken through
//! [`SceneDoc::read_txn`], every write through `doc::write`, and undo, redo, sync, load and the end of
//! the batch flush first. So no caller can observe that a node was staged; what staging saves is a
//! transaction commit (observers, undo capture, delete sets) per node, which is most of what adding a
//! node costs. A scene built in a batch is written as one transaction.

use std::sync::atomic::Ordering;

use std::sync::{Arc, Mutex, MutexGuard};

use yrs::{
    Any, In, Map, MapPrelim, ReadTxn, StateVector, Transact, Transaction, TransactionAcqError,
};

use crate::SceneError;
use crate::doc::SceneDoc;
use crate::doc::{LOCAL_ORIGIN, busy, note_schema_version};
use crate::observe::lock;

/// What a batch remembers from its start.
#[derive(Debug)]
pub(crate) struct OpenBatch {
    /// Nested `begin_batch` calls inside this one.
    depth: u32,
    /// The document's state vector when the batch began: the end encodes what came since.
    start: StateVector,
    /// The undo stack's length when the batch began: an abort undoes down to it.
    undo_depth: usize,
}

/// A root node added inside a batch and not written yet: its id and its fields.
#[derive(Debug)]
pub(crate) struct StagedNode {
    pub id: String,
    pub fields: Vec<(Arc<str>, Any)>,
}

/// The staged nodes, oldest first.
pub(crate) type Staged = Mutex<Vec<StagedNode>>;

/// Locks the staged nodes. A poisoned lock only means a panic elsewhere while it was held; the list
/// is valid at every step.
fn lock_staged(staged: &Staged) -> MutexGuard<'_, Vec<StagedNode>> {
    staged
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl SceneDoc {
    /// Stages a new root node (inside a batch: see the module docs).
    pub(crate) fn stage_node(&self, node: StagedNode) {
        lock_staged(&self.staged).push(node);
    }

    /// Writes the staged nodes, if any, in one local transaction (its commit runs the observers, so
    /// the change stream and tree index see them as if added one by one). On an error (a transaction
    /// left open elsewhere) they stay staged.
    pub(crate) fn flush_staged(&self) -> Result<(), TransactionAcqError> {
        flush(&self.doc, &self.nodes, &self.meta, &self.staged)
    }

    /// A read transaction, once staged nodes are written. Every read of the live document goes
    /// through here.
    pub(crate) fn read_txn(&self) -> Result<Transaction<'_>, TransactionAcqError> {
        self.flush_staged()?;
        self.doc.try_transact()
    }

    /// Starts a batch (or a nested one inside an open batch). The next edit starts a new undo step.
    pub fn begin_batch(&mut self) -> Result<(), SceneError> {
        if let Some(batch) = &mut self.batch {
            batch.depth += 1;
            return Ok(());
        }
        let start = self.read_txn().map_err(busy)?.state_vector();
        self.undo.reset();
        self.batch = Some(OpenBatch {
            depth: 0,
            start,
            undo_depth: self.undo.undo_stack().len(),
        });
        self.clock_frozen.store(true, Ordering::Relaxed);
        let mut observed = lock(&self.observed);
        observed.batching = true;
        observed.batch_changed = false;
        Ok(())
    }

    /// Whether a batch is open.
    pub fn in_batch(&self) -> bool {
        self.batch.is_some()
    }

    /// Ends a batch: at the outermost level, queues everything it changed as one local update and
    /// closes its undo step. Without an open batch it does nothing.
    pub fn end_batch(&mut self) -> Result<(), SceneError> {
        let Some(batch) = self.close_level() else {
            return Ok(());
        };
        self.finish(&batch)
    }

    /// Ends a batch whose work must not stay: at the outermost level, undoes every undo step it made
    /// (and forgets them for redo), then queues the batch's edits and their undoing as updates, so
    /// peers stay in step. A nested level only closes itself (the outermost decides).
    pub fn abort_batch(&mut self) -> Result<(), SceneError> {
        let Some(batch) = self.close_level() else {
            return Ok(());
        };
        self.finish(&batch)?;
        let mut undone = false;
        while self.undo.undo_stack().len() > batch.undo_depth {
            if !self.undo()? {
                break;
            }
            undone = true;
        }
        if undone {
            self.undo.clear_redo();
        }
        self.undo.reset();
        Ok(())
    }

    /// Closes one nesting level; returns the batch when the outermost closed.
    fn close_level(&mut self) -> Option<OpenBatch> {
        let batch = self.batch.as_mut()?;
        if batch.depth > 0 {
            batch.depth -= 1;
            return None;
        }
        self.batch.take()
    }

    /// Restarts the clock and the per-transaction updates, and queues the batch's one update.
    fn finish(&mut self, batch: &OpenBatch) -> Result<(), SceneError> {
        // Before the batch's flags change: the staged nodes belong to it.
        self.flush_staged().map_err(busy)?;
        self.clock_frozen.store(false, Ordering::Relaxed);
        let changed = {
            let mut observed = lock(&self.observed);
            observed.batching = false;
            std::mem::take(&mut observed.batch_changed)
        };
        self.undo.reset();
        if changed && !lock(&self.observed).skip_local_updates {
            let update = self.read_txn().map_err(busy)?.encode_diff_v1(&batch.start);
            lock(&self.observed).local_updates.push(update);
        }
        Ok(())
    }
}

/// [`SceneDoc::flush_staged`] on the parts it touches (`doc::write` calls it with borrowed fields).
pub(crate) fn flush(
    doc: &yrs::Doc,
    nodes: &yrs::MapRef,
    meta: &yrs::MapRef,
    staged: &Staged,
) -> Result<(), TransactionAcqError> {
    let mut staged = lock_staged(staged);
    if staged.is_empty() {
        return Ok(());
    }
    let mut txn = doc.try_transact_mut_with(LOCAL_ORIGIN)?;
    for node in staged.drain(..) {
        let fields = node.fields.into_iter().map(|(k, v)| (k, In::from(v)));
        nodes.insert(&mut txn, node.id, MapPrelim::from_iter(fields));
    }
    note_schema_version(&mut txn, meta);
    Ok(())
}
