//! Sync bytes and undo. Remote updates are hostile until proven otherwise: yrs 0.28.1 can panic on
//! malformed input, both while applying it and (for some accepted inputs) in a later encode. See
//! `README.md` for what the guard below guarantees natively and on wasm.

use yrs::updates::decoder::Decode;
#[cfg(panic = "unwind")]
use yrs::Doc;
use yrs::{ReadTxn, StateVector, Transact, Update};

use crate::doc::{REMOTE_ORIGIN, busy};
use crate::observe::lock;
use crate::{SceneDoc, SceneError};

/// Update encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    V1,
    V2,
}

fn decode(update: &[u8], encoding: Encoding) -> Result<Update, String> {
    match encoding {
        Encoding::V1 => Update::decode_v1(update),
        Encoding::V2 => Update::decode_v2(update),
    }
    .map_err(|e| e.to_string())
}

/// Native: runs `f`, turning a panic into an error message. On targets that abort on panic there
/// is nothing to catch, so `f` simply runs.
fn guarded<R>(f: impl FnOnce() -> Result<R, String>) -> Result<R, String> {
    #[cfg(panic = "unwind")]
    {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
            Ok(result) => result,
            Err(panic) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_owned());
                Err(format!("yrs panicked on it: {message}"))
            }
        }
    }
    #[cfg(not(panic = "unwind"))]
    {
        f()
    }
}

/// Native only: applies `update` to a scratch copy of `live` and encodes the result both ways, all
/// under `catch_unwind`, so an update that makes yrs panic now or in a later encode is refused
/// before it reaches the live document.
#[cfg(panic = "unwind")]
fn rehearse(live: &Doc, update: &[u8], encoding: Encoding) -> Result<(), SceneError> {
    let state = live.try_transact().map_err(busy)?.encode_state_as_update_v1(&StateVector::default());
    guarded(|| {
        let scratch = Doc::new();
        {
            let mut txn = scratch.try_transact_mut().map_err(|e| e.to_string())?;
            txn.apply_update(decode(&state, Encoding::V1)?).map_err(|e| e.to_string())?;
            txn.apply_update(decode(update, encoding)?).map_err(|e| e.to_string())?;
        }
        let txn = scratch.try_transact().map_err(|e| e.to_string())?;
        txn.encode_state_as_update_v1(&StateVector::default());
        txn.encode_state_as_update_v2(&StateVector::default());
        Ok(())
    })
    .map_err(SceneError::BadUpdate)
}

impl SceneDoc {
    fn apply(&mut self, update: &[u8], encoding: Encoding) -> Result<(), SceneError> {
        #[cfg(panic = "unwind")]
        rehearse(&self.doc, update, encoding)?;
        // Decoding fully before opening a transaction keeps a malformed update off the document.
        let decoded = guarded(|| decode(update, encoding)).map_err(SceneError::BadUpdate)?;
        let mut txn = self.doc.try_transact_mut_with(REMOTE_ORIGIN).map_err(busy)?;
        guarded(|| txn.apply_update(decoded).map_err(|e| e.to_string())).map_err(SceneError::BadUpdate)
    }

    /// Applies a peer's v1 update (Yjs `applyUpdate`). Not undoable by this replica. A malformed or
    /// hostile update is rejected with an error and the document is left as it was.
    pub fn apply_update_v1(&mut self, update: &[u8]) -> Result<(), SceneError> {
        self.apply(update, Encoding::V1)
    }

    /// Applies a v2 update (Yjs `applyUpdateV2`), as [`SceneDoc::apply_update_v1`].
    pub fn apply_update_v2(&mut self, update: &[u8]) -> Result<(), SceneError> {
        self.apply(update, Encoding::V2)
    }

    /// The whole document as a v1 update (what Yjs `encodeStateAsUpdate` gives).
    pub fn encode_state_v1(&self) -> Vec<u8> {
        // A read transaction only fails while a write is open, which no call leaves behind.
        self.doc.try_transact().map_or_else(|_| Vec::new(), |t| t.encode_state_as_update_v1(&StateVector::default()))
    }

    /// The whole document as a v2 update (smaller; for storage).
    pub fn encode_state_v2(&self) -> Vec<u8> {
        self.doc.try_transact().map_or_else(|_| Vec::new(), |t| t.encode_state_as_update_v2(&StateVector::default()))
    }

    /// This replica's state vector, v1-encoded (Yjs `encodeStateVector`).
    pub fn state_vector_v1(&self) -> Vec<u8> {
        use yrs::updates::encoder::Encode;
        self.doc.try_transact().map_or_else(|_| Vec::new(), |t| t.state_vector().encode_v1())
    }

    /// What a peer with the given (v1) state vector is missing, as a v1 update.
    pub fn encode_diff_v1(&self, state_vector_v1: &[u8]) -> Result<Vec<u8>, SceneError> {
        let sv = guarded(|| StateVector::decode_v1(state_vector_v1).map_err(|e| e.to_string()))
            .map_err(SceneError::BadStateVector)?;
        let txn = self.doc.try_transact().map_err(busy)?;
        Ok(txn.encode_diff_v1(&sv))
    }

    /// v1 updates produced by local edits (and undo/redo) since the last call, oldest first, to send
    /// to peers. Queued by an observer and handed out here, never from inside a transaction.
    pub fn take_local_updates(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut lock(&self.observed).local_updates)
    }

    /// Undoes the last local undo step (edits less than 500 ms apart form one step). Never reverts
    /// a peer's edit. `Ok(false)` if there was nothing to undo.
    pub fn undo(&mut self) -> Result<bool, SceneError> {
        self.ensure_idle()?;
        Ok(self.undo.undo_blocking())
    }

    /// Redoes the last undone step. `Ok(false)` if there was nothing to redo.
    pub fn redo(&mut self) -> Result<bool, SceneError> {
        self.ensure_idle()?;
        Ok(self.undo.redo_blocking())
    }

    /// Ends the current undo step: the next edit starts a new one even within 500 ms (call at the
    /// end of a slider drag).
    pub fn end_undo_step(&mut self) {
        self.undo.reset();
    }

    /// True if [`SceneDoc::undo`] has something to undo.
    pub fn can_undo(&self) -> bool {
        self.undo.can_undo()
    }

    /// True if [`SceneDoc::redo`] has something to redo.
    pub fn can_redo(&self) -> bool {
        self.undo.can_redo()
    }

    /// The undo manager takes its transaction without `try_`; make sure that cannot block or panic.
    fn ensure_idle(&self) -> Result<(), SceneError> {
        self.doc.try_transact().map(drop).map_err(busy)
    }
}
