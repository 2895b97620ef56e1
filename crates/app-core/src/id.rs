//! Stable node ids.

use std::fmt;

/// Why a string is not a valid [`NodeId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Ids are map keys in the shared document; an empty key is indistinguishable from "no id".
    #[error("node id is empty")]
    Empty,
    /// Bounded so a hostile peer cannot make every change message carry megabytes of id.
    #[error("node id is {len} bytes long; the limit is {max}")]
    TooLong {
        /// Length of the rejected id in bytes.
        len: usize,
        /// The limit, [`NodeId::MAX_LEN`].
        max: usize,
    },
}

/// A node's id: the key of the node in the document's `nodes` map. Stable for the node's lifetime and
/// the same on every peer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(String);

impl NodeId {
    /// Longest id accepted, in bytes.
    pub const MAX_LEN: usize = 128;

    /// Validates and wraps an id.
    pub fn new(id: impl Into<String>) -> Result<Self, IdError> {
        let id = id.into();
        if id.is_empty() {
            return Err(IdError::Empty);
        }
        if id.len() > Self::MAX_LEN {
            return Err(IdError::TooLong {
                len: id.len(),
                max: Self::MAX_LEN,
            });
        }
        Ok(Self(id))
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A 32-bit key derived from the id alone (FNV-1a), so it is the same on every peer and every run:
    /// used for object-id colors and anywhere a stable small number per node helps.
    pub fn stable_hash(&self) -> u32 {
        let mut hash: u32 = 0x811c_9dc5;
        for byte in self.0.bytes() {
            hash ^= u32::from(byte);
            hash = hash.wrapping_mul(0x0100_0193);
        }
        hash
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_empty_and_overlong_ids() {
        assert_eq!(NodeId::new(""), Err(IdError::Empty));
        assert!(matches!(
            NodeId::new("x".repeat(129)),
            Err(IdError::TooLong { len: 129, .. })
        ));
        assert_eq!(
            NodeId::new("abc").map(|id| id.to_string()),
            Ok("abc".to_owned())
        );
    }

    #[test]
    fn stable_hash_depends_only_on_the_id() {
        let a = NodeId::new("node-1").unwrap();
        assert_eq!(
            a.stable_hash(),
            NodeId::new("node-1").unwrap().stable_hash()
        );
        assert_ne!(
            a.stable_hash(),
            NodeId::new("node-2").unwrap().stable_hash()
        );
        // FNV-1a of the empty-prefix "a" is a published value; pins the algorithm.
        assert_eq!(NodeId::new("a").unwrap().stable_hash(), 0xe40c_292c);
    }
}
