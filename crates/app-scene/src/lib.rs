//! The scene as a Yrs (Yjs) CRDT document: the single source of truth for what is drawn.
//!
//! [`SceneDoc`] wraps a `yrs::Doc` with a typed API: validated edits (nothing invalid is ever
//! written), reads that never trust the document (a peer may write anything), a change stream in
//! `app-core` terms, undo/redo of local edits only, and the v1/v2 update bytes to sync with peers
//! (Yjs-compatible). The document schema is described in `README.md`.

mod batch;
mod changes;
mod clock;
mod doc;
mod duplicate;
mod edit;
mod error;
mod import;
mod load;
mod observe;
pub mod order;
pub mod presence;
mod problems;
pub mod protocol;
mod read;
pub mod schema;
mod sync;
mod tree;
mod update_walk;

pub use clock::{CAPTURE_TIMEOUT_MS, ClockFn, MAX_STEP_EDITS};
pub use doc::SceneDoc;
pub use error::SceneError;
pub use import::{MAX_IMPORT_BYTES, MAX_IMPORT_NODES};
pub use protocol::{ProtocolError, SyncOutcome};
pub use schema::{MAX_NAME_BYTES, NodeNumbers};
pub use sync::inside_panic_guard;
