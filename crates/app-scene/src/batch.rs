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

use std::sync::atomic::Ordering;

use yrs::{ReadTxn, StateVector, Transact};

use crate::SceneError;
use crate::doc::SceneDoc;
use crate::doc::busy;
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

impl SceneDoc {
    /// Starts a batch (or a nested one inside an open batch). The next edit starts a new undo step.
    pub fn begin_batch(&mut self) -> Result<(), SceneError> {
        if let Some(batch) = &mut self.batch {
            batch.depth += 1;
            return Ok(());
        }
        let start = self.doc.try_transact().map_err(busy)?.state_vector();
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
        self.clock_frozen.store(false, Ordering::Relaxed);
        let changed = {
            let mut observed = lock(&self.observed);
            observed.batching = false;
            std::mem::take(&mut observed.batch_changed)
        };
        self.undo.reset();
        if changed {
            let update = self
                .doc
                .try_transact()
                .map_err(busy)?
                .encode_diff_v1(&batch.start);
            lock(&self.observed).local_updates.push(update);
        }
        Ok(())
    }
}
