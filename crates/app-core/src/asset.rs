//! Assets: immutable, content-addressed binary values (mesh geometry, encoded images, surfaces) that
//! nodes refer to by [`AssetId`].
//!
//! Contract:
//! - An asset's id is the first 16 bytes of the SHA-256 of its encoded bytes, so equal content has one
//!   id on every peer (deduplication) and a reader can check that the bytes stored under an id are the
//!   bytes that id names ([`AssetId::verify`]).
//! - Every encoding starts with an 8-byte tag naming its kind and version; decoders check every
//!   length, count and number before allocating, and return [`AssetError`] instead of panicking, so
//!   bytes from a hostile peer cost at most their own size.

pub(crate) mod bytes;
mod image;
mod mesh;
mod surface;

use std::fmt;

use sha2::{Digest, Sha256};

pub use image::{ImageAsset, ImageFormat, MAX_IMAGE_SIDE};
pub use mesh::{MAX_INDICES, MAX_VERTICES, MeshAsset};
pub use surface::{AlphaMode, Filter, Sampler, Surface, TextureRef, UvTransform, Wrap};

/// Why asset bytes cannot be decoded or an asset cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AssetError {
    /// The bytes end before the value does.
    #[error("{what}: the data ends early ({len} bytes)")]
    Truncated {
        /// Which asset or field.
        what: &'static str,
        /// The length of the bytes.
        len: usize,
    },
    /// The 8-byte tag does not name this kind of asset.
    #[error("{what}: not this kind of asset (wrong tag)")]
    WrongTag {
        /// Which asset kind was expected.
        what: &'static str,
    },
    /// A count, index or number outside what the format allows.
    #[error("{what}: {problem}")]
    Invalid {
        /// Which asset or field.
        what: &'static str,
        /// What is wrong, for the user.
        problem: String,
    },
    /// An id string that is not 32 lowercase hex digits.
    #[error("asset id {0:?} is not 32 hex digits")]
    BadId(String),
}

impl AssetError {
    pub(crate) fn invalid(what: &'static str, problem: impl Into<String>) -> Self {
        Self::Invalid {
            what,
            problem: problem.into(),
        }
    }
}

/// How many bytes [`AssetId::of`] hashes per call of the block function (a multiple of its 64-byte
/// block, so no piece is buffered).
const HASH_PIECE_BYTES: usize = 64 * 1024;

/// The content address of an asset: 128 bits of the SHA-256 of its bytes, written as 32 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AssetId(pub(crate) [u8; 16]);

impl AssetId {
    /// The id of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        // Fed in pieces, each one call of sha2's block function: in a browser, wasm code starts on
        // V8's baseline tier and moves to the optimising tier only between calls (there is no
        // on-stack replacement for wasm), so one 13 MB mesh hashed in a single call ran at baseline
        // speed throughout (`TEXTURES=1 node bench/gltf-profile.mjs`). Natively this changes nothing.
        let mut hasher = Sha256::new();
        for piece in bytes.chunks(HASH_PIECE_BYTES) {
            hasher.update(piece);
        }
        let digest = hasher.finalize();
        let mut id = [0; 16];
        id.copy_from_slice(&digest[..16]);
        Self(id)
    }

    /// True when `bytes` are the content this id names.
    pub fn verify(&self, bytes: &[u8]) -> bool {
        Self::of(bytes) == *self
    }

    /// Parses 32 lowercase hex digits.
    pub fn parse(text: &str) -> Result<Self, AssetError> {
        let bad = || AssetError::BadId(text.chars().take(40).collect());
        if text.len() != 32 {
            return Err(bad());
        }
        let mut id = [0; 16];
        for (i, pair) in text.as_bytes().chunks(2).enumerate() {
            let digit = |c: u8| match c {
                b'0'..=b'9' => Some(c - b'0'),
                b'a'..=b'f' => Some(c - b'a' + 10),
                _ => None,
            };
            id[i] = (digit(pair[0]).ok_or_else(bad)? << 4) | digit(pair[1]).ok_or_else(bad)?;
        }
        Ok(Self(id))
    }

    /// The 32 hex digits.
    pub fn to_hex(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for AssetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for AssetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AssetId({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_content_addresses_that_round_trip_as_hex() {
        let a = AssetId::of(b"hello");
        assert_eq!(a, AssetId::of(b"hello"));
        assert_ne!(a, AssetId::of(b"hellp"));
        assert_eq!(a.to_hex().len(), 32);
        assert_eq!(AssetId::parse(&a.to_hex()), Ok(a));
        assert!(a.verify(b"hello") && !a.verify(b"other"));
        for bad in ["", "xyz", &"A".repeat(32), &"0".repeat(31), &"é".repeat(16)] {
            assert!(AssetId::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ids_are_the_first_half_of_the_sha256_whatever_the_pieces() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            AssetId::of(b"abc").to_hex(),
            "ba7816bf8f01cfea414140de5dae2223"
        );
        // Lengths around the piece size: hashed in pieces, the same digest as in one call.
        for len in [
            HASH_PIECE_BYTES - 1,
            HASH_PIECE_BYTES,
            HASH_PIECE_BYTES + 1,
            3 * HASH_PIECE_BYTES + 17,
        ] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 + i / 251) as u8).collect();
            let whole = Sha256::digest(&bytes);
            assert_eq!(AssetId::of(&bytes).0, whole[..16], "{len} bytes");
        }
    }
}
