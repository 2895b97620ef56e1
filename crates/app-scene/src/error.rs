//! Errors returned by every fallible [`crate::SceneDoc`] call.

use app_core::{IdError, ValueError};

/// Why a scene call did nothing. The `Display` text names the problem so a JavaScript caller can
/// show it as is ("radius must be > 0, got -1", "unknown node id \"abc\"").
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SceneError {
    /// A number the scene cannot hold (non-finite, non-positive size, outside 0..1).
    #[error(transparent)]
    Value(#[from] ValueError),
    /// A string that is not a valid node id (empty or too long).
    #[error(transparent)]
    Id(#[from] IdError),
    /// No node has this id.
    #[error("unknown node id {0:?}")]
    UnknownNode(String),
    /// The call applies to one shape kind and the node is another (a radius on a box).
    #[error("node {id:?} is a {actual}, not a {expected}")]
    WrongKind {
        /// The node's id.
        id: String,
        /// The kind the call needs.
        expected: &'static str,
        /// The kind the node has.
        actual: &'static str,
    },
    /// Reparenting would make a node its own ancestor.
    #[error("moving {id:?} under {parent:?} would make a cycle")]
    Cycle {
        /// The node being moved.
        id: String,
        /// The requested parent.
        parent: String,
    },
    /// A reorder named a node that is not a sibling.
    #[error("{other:?} is not a sibling of {id:?}")]
    NotSibling {
        /// The node being reordered.
        id: String,
        /// The node named as its new neighbour.
        other: String,
    },
    /// A rotation quaternion of zero length (it has no direction to normalise to).
    #[error("rotation must be a non-zero quaternion")]
    ZeroRotation,
    /// A light direction of zero length.
    #[error("light direction must be a non-zero vector")]
    ZeroDirection,
    /// A name longer than [`crate::MAX_NAME_BYTES`].
    #[error("name is {len} bytes long; the limit is {max}")]
    NameTooLong {
        /// Length of the rejected name in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The document is busy: another transaction is open on it (re-entrant call from an observer).
    #[error("the scene document is busy (a transaction is already open): {0}")]
    Busy(String),
    /// A remote update could not be decoded or applied; the document is unchanged.
    #[error("rejected update: {0}")]
    BadUpdate(String),
    /// A state vector could not be decoded.
    #[error("malformed state vector: {0}")]
    BadStateVector(String),
    /// An imported model that cannot be written (too large, or inconsistent); nothing was added.
    #[error("cannot import the model: {0}")]
    Import(String),
}
