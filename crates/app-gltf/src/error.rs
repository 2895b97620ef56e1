//! Why a model cannot be imported.
//!
//! Contract: every message names the problem for a user, with the glTF object it is in ("accessor 3:
//! byteOffset 100 + 48 bytes is past the end of buffer view 1 (120 bytes)"), so a support request can
//! be answered from the message alone. Messages never quote more than a short excerpt of the input.

/// Why [`crate::import`] refused a model. Nothing is returned with it: an import is all or nothing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    /// The GLB container is broken: bad header, version, or chunk lengths.
    #[error("not a valid GLB file: {0}")]
    Glb(String),
    /// The JSON is not a glTF document (syntax error or a field of the wrong type).
    #[error("not a valid glTF file: {0}")]
    Json(String),
    /// `extensionsRequired` names an extension this importer does not implement.
    #[error("the model requires the glTF extension {0}, which is not supported")]
    UnsupportedExtension(String),
    /// A buffer or image refers to a file that `resources` does not hold.
    #[error("the model refers to the file {uri:?}, which was not provided")]
    MissingResource {
        /// The URI as written in the file (shortened when very long).
        uri: String,
    },
    /// The encoded assets would exceed [`crate::MAX_IMPORT_BYTES`], or other limits of the engine.
    #[error(
        "the model is too large: {what} needs at least {needed} bytes, and an import may hold at most \
         {limit} bytes (31 MiB) of assets"
    )]
    TooLarge {
        /// What pushed it over the limit.
        what: String,
        /// Bytes needed so far (a lower bound: the import stops at the first excess).
        needed: usize,
        /// The limit, [`crate::MAX_IMPORT_BYTES`].
        limit: usize,
    },
    /// The node hierarchy is not a forest of at most [`crate::MAX_DEPTH`] levels (a cycle, a node
    /// reachable twice, or too deep).
    #[error("node hierarchy: {0}")]
    Hierarchy(String),
    /// Anything else that is out of bounds, missing or inconsistent; the message names the object.
    #[error("{0}")]
    Invalid(String),
}

/// Shorthand for [`ImportError::Invalid`].
pub(crate) fn invalid(message: impl Into<String>) -> ImportError {
    ImportError::Invalid(message.into())
}

/// `text` cut to at most `max` bytes at a char boundary, with "…" when cut (for quoting input).
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// Looks up `items[index]`, or fails naming the referrer: "mesh 0 primitive 1: accessor 7 does not
/// exist (the file has 3)".
pub(crate) fn lookup<'a, T>(
    items: &'a [T],
    index: usize,
    kind: &str,
    referrer: &dyn Fn() -> String,
) -> Result<&'a T, ImportError> {
    items.get(index).ok_or_else(|| {
        invalid(format!(
            "{}: {kind} {index} does not exist (the file has {})",
            referrer(),
            items.len()
        ))
    })
}
