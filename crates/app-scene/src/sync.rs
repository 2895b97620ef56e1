//! Sync bytes and undo. Remote updates are hostile until proven otherwise: yrs 0.28.1 can panic on
//! malformed input, both while applying it and (for some accepted inputs) in a later encode. See
//! `README.md` for what the guard below guarantees natively and on wasm.

#[cfg(panic = "unwind")]
use yrs::Doc;
use yrs::updates::decoder::Decode;
use yrs::{ReadTxn, StateVector, Transact, Update};

use crate::doc::{REMOTE_ORIGIN, busy};
use crate::observe::lock;
use crate::{SceneDoc, SceneError};

/// Update encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    V1,
    V2,
}

pub(crate) fn decode(update: &[u8], encoding: Encoding) -> Result<Update, String> {
    match encoding {
        Encoding::V1 => Update::decode_v1(update),
        Encoding::V2 => Update::decode_v2(update),
    }
    .map_err(|e| e.to_string())
}

#[cfg(panic = "unwind")]
thread_local! {
    /// How many [`guarded`] calls are running on this thread (they nest).
    static GUARD_DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// True while the calling thread runs yrs code under this crate's panic guard, which turns a panic
/// into [`SceneError::BadUpdate`]. A process-wide panic hook that aborts on every panic (libFuzzer's
/// does) would defeat that guard: such a hook can let exactly these panics unwind and still abort on
/// every other one. Always false where panics abort.
pub fn inside_panic_guard() -> bool {
    #[cfg(panic = "unwind")]
    {
        GUARD_DEPTH.with(|depth| depth.get() > 0)
    }
    #[cfg(not(panic = "unwind"))]
    {
        false
    }
}

/// Native: runs `f`, turning a panic into an error message. On targets that abort on panic there
/// is nothing to catch, so `f` simply runs.
pub(crate) fn guarded<R>(f: impl FnOnce() -> Result<R, String>) -> Result<R, String> {
    #[cfg(panic = "unwind")]
    {
        GUARD_DEPTH.with(|depth| depth.set(depth.get() + 1));
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        GUARD_DEPTH.with(|depth| depth.set(depth.get() - 1));
        match caught {
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

/// Native only: applies `update` to a scratch copy of `live` (its integrated state, then whatever
/// it holds pending) and encodes it whole (v1, which every encode this crate offers starts from),
/// all under `catch_unwind`, so an update that makes yrs panic now or in a later call is refused
/// before it reaches the live document.
#[cfg(panic = "unwind")]
fn rehearse(live: &Doc, update: &[u8], encoding: Encoding) -> Result<(), SceneError> {
    use yrs::updates::encoder::Encode;
    let (state, pending, pending_ds) = {
        let txn = live.try_transact().map_err(busy)?;
        let store = txn.store();
        let pending = store.pending_update().map(|p| p.update.encode_v1());
        // A v1 update with no blocks (client count 0) followed by the delete set.
        let pending_ds = store
            .pending_ds()
            .map(|ds| [vec![0u8], ds.encode_v1()].concat());
        (encode_whole_v1(&txn), pending, pending_ds)
    };
    let scratch = Doc::new();
    let apply = |bytes: &[u8], encoding: Encoding| -> Result<(), String> {
        let mut txn = scratch.try_transact_mut().map_err(|e| e.to_string())?;
        txn.apply_update(decode(bytes, encoding)?)
            .map_err(|e| e.to_string())
    };
    guarded(|| apply(&state, Encoding::V1))
        .map_err(|e| SceneError::BadUpdate(format!("cannot copy the document: {e}")))?;
    // Pending parts make the copy faithful; if yrs cannot re-read them the copy is still useful.
    for part in [pending, pending_ds].into_iter().flatten() {
        let _ = guarded(|| apply(&part, Encoding::V1));
    }
    guarded(|| {
        apply(update, encoding)?;
        let txn = scratch.try_transact().map_err(|e| e.to_string())?;
        // v1 only: `encode_state_v2` is made from the v1 encoding (below), under this guard too.
        encode_whole_v1(&txn);
        txn.state_vector();
        Ok(())
    })
    .map_err(SceneError::BadUpdate)
}

/// The whole integrated state. Not `encode_state_as_update_*`: yrs 0.28.1 merges pending data into
/// those and that merge can panic (seen with a pending delete set in v2) on legitimate out-of-order
/// updates. Pending data is left out; peers send it again once its dependencies arrive.
pub(crate) fn encode_whole_v1<T: ReadTxn>(txn: &T) -> Vec<u8> {
    txn.encode_diff_v1(&StateVector::default())
}

pub(crate) fn encode_whole_v2<T: ReadTxn>(txn: &T) -> Vec<u8> {
    txn.encode_diff_v2(&StateVector::default())
}

impl SceneDoc {
    fn apply(&mut self, update: &[u8], encoding: Encoding) -> Result<(), SceneError> {
        // Staged nodes are this replica's edits from before the update.
        self.flush_staged().map_err(busy)?;
        // Counts and nesting first: yrs reserves and recurses on what an update declares.
        if encoding == Encoding::V1 {
            crate::update_walk::check_v1(update).map_err(SceneError::BadUpdate)?;
        }
        // Decoding fully before opening a transaction keeps a malformed update off the document.
        let decoded = guarded(|| decode(update, encoding)).map_err(SceneError::BadUpdate)?;
        if encoding == Encoding::V2 {
            // The content checks of the walk above, on the v1 form (v2 keeps each field in its
            // own column, where the walk cannot follow blocks). About a tenth of a 10k-node load.
            guarded(|| {
                use yrs::updates::encoder::Encode;
                crate::update_walk::check_v1(&decoded.encode_v1())
            })
            .map_err(SceneError::BadUpdate)?;
        }
        let pristine = self.is_pristine();
        let own_clock = self.check_own_clocks(&decoded, pristine)?;
        if pristine {
            return self.load_into_pristine(decoded, own_clock);
        }
        #[cfg(panic = "unwind")]
        rehearse(&self.doc, update, encoding)?;
        let mut txn = self
            .doc
            .try_transact_mut_with(REMOTE_ORIGIN)
            .map_err(busy)?;
        guarded(|| txn.apply_update(decoded).map_err(|e| e.to_string()))
            .map_err(SceneError::BadUpdate)
    }

    /// Refuses an update that inserts or deletes under this replica's own client id at or beyond
    /// its clock: edits this replica has not made, so another peer uses its id (Yjs then picks a
    /// new id; ids here are random 53-bit numbers, so the update is forged). yrs 0.28.1 integrates
    /// a block whose predecessors are missing behind a gap (`Update::integrate`'s skip), and a
    /// client whose blocks start with a gap has state 0: this replica's later edits would never
    /// reach its outgoing updates, and its peers would silently diverge from it
    /// (tests/fuzz/crashers/apply_update/own-client-gap-*). One exception: a pristine replica may
    /// load its own history whole, from clock 0 without a gap (a replica reopening what it saved).
    /// Returns the clock this replica's own client has once the update is integrated.
    fn check_own_clocks(&self, update: &Update, pristine: bool) -> Result<u32, SceneError> {
        let own = yrs::block::ClientID::new(self.client_id);
        let clock = self.read_txn().map_err(busy)?.state_vector().get(&own);
        // `insertions` visits every block; most updates hold none of this replica's own.
        let inserted = update
            .state_vector_lower()
            .contains_client(&own)
            .then(|| update.insertions(true));
        let inserted = inserted.as_ref().and_then(|set| set.get(&own));
        let known = match inserted {
            Some(r) if pristine && r.len() == 1 && r.clock_start() == Some(0) => {
                r.clock_end().unwrap_or(clock)
            }
            _ => clock,
        };
        let end = [inserted, update.delete_set().get(&own)]
            .into_iter()
            .flatten()
            .filter_map(|ranges| ranges.clock_end())
            .max();
        match end {
            Some(end) if end > known => Err(SceneError::BadUpdate(format!(
                "the update holds edits up to clock {end} under this replica's own client id {}, which has made {clock}: another peer uses this id",
                self.client_id
            ))),
            _ => Ok(known),
        }
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

    /// The whole document as a v1 update (Yjs `applyUpdate` reads it). Updates still waiting for their
    /// dependencies are not included (see `encode_whole_v1`).
    pub fn encode_state_v1(&self) -> Vec<u8> {
        // A read transaction only fails while a write is open, which no call leaves behind.
        self.read_txn()
            .map_or_else(|_| Vec::new(), |t| encode_whole_v1(&t))
    }

    /// The whole document as a v2 update (smaller; for storage).
    pub fn encode_state_v2(&self) -> Vec<u8> {
        // A read transaction only fails while a write is open, which no call leaves behind.
        let Ok(txn) = self.read_txn() else {
            return Vec::new();
        };
        // yrs 0.28.1's v2 encoder writes bytes that do not read back (or read back as another
        // document) for two states a peer can leave: a client's stored blocks starting after a gap
        // (tests/fuzz/crashers/*/v2-*), and any binary value, a Yjs `Uint8Array`, whose length it
        // writes twice (crashers/apply_update/v2-binary-*): a scene saved then would never load
        // again. Its v1 encoder handles both, and re-encoding the decoded v1 update as v2 is
        // faithful for a gap, once each binary block is rewritten as the same bytes in an `Any`
        // block (which Yjs reads as the same `Uint8Array`). That is six times slower, so it is only
        // done for such a state, which a walk of the v1 encoding finds.
        let v1 = encode_whole_v1(&txn);
        let hazards = match crate::update_walk::v2_hazards(&v1) {
            Ok(h) if !h.gap && h.without_binaries.is_none() => return encode_whole_v2(&txn),
            Ok(h) => h,
            Err(_) => return encode_whole_v2(&txn),
        };
        let source = hazards.without_binaries.as_deref().unwrap_or(&v1);
        guarded(|| {
            use yrs::updates::encoder::Encode;
            decode(source, Encoding::V1).map(|update| update.encode_v2())
        })
        .unwrap_or_else(|_| encode_whole_v2(&txn))
    }

    /// This replica's state vector, v1-encoded (Yjs `encodeStateVector`).
    pub fn state_vector_v1(&self) -> Vec<u8> {
        use yrs::updates::encoder::Encode;
        self.read_txn()
            .map_or_else(|_| Vec::new(), |t| t.state_vector().encode_v1())
    }

    /// What a peer with the given (v1) state vector is missing, as a v1 update.
    pub fn encode_diff_v1(&self, state_vector_v1: &[u8]) -> Result<Vec<u8>, SceneError> {
        crate::update_walk::check_state_vector_v1(state_vector_v1)
            .map_err(SceneError::BadStateVector)?;
        let sv = guarded(|| StateVector::decode_v1(state_vector_v1).map_err(|e| e.to_string()))
            .map_err(SceneError::BadStateVector)?;
        let txn = self.read_txn().map_err(busy)?;
        Ok(txn.encode_diff_v1(&sv))
    }

    /// Whether local edits are encoded as updates for [`SceneDoc::take_local_updates`] (they are by
    /// default). A caller with nobody to send them to turns this off, so that no edit pays for an
    /// encoding that is dropped (a model's import encodes its megabytes); turned on again, only later
    /// edits are queued: earlier ones are in the document (`encode_state_v1`).
    pub fn set_local_updates_wanted(&mut self, wanted: bool) {
        let mut observed = lock(&self.observed);
        observed.skip_local_updates = !wanted;
        if !wanted {
            observed.local_updates.clear();
        }
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
        // Staged nodes belong to the step that ends (on an error a transaction is open elsewhere,
        // and they are written with the next edit).
        let _ = self.flush_staged();
        self.undo.reset();
    }

    /// True if [`SceneDoc::undo`] has something to undo.
    pub fn can_undo(&self) -> bool {
        // Staged nodes are undoable edits once written (on an error they stay staged).
        let _ = self.flush_staged();
        self.undo.can_undo()
    }

    /// True if [`SceneDoc::redo`] has something to redo.
    pub fn can_redo(&self) -> bool {
        let _ = self.flush_staged();
        self.undo.can_redo()
    }

    /// The undo manager takes its transaction without `try_`; make sure that cannot block or panic.
    fn ensure_idle(&self) -> Result<(), SceneError> {
        self.read_txn().map(drop).map_err(busy)
    }
}
