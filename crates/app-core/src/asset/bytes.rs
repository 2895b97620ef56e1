//! Little-endian writer and bounds-checked reader for the asset encodings.

use super::AssetError;

/// Appends little-endian values.
#[derive(Default)]
pub(crate) struct Writer(pub Vec<u8>);

impl Writer {
    pub fn tag(&mut self, tag: &[u8; 8]) {
        self.0.extend_from_slice(tag);
    }
    pub fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    pub fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub fn f32(&mut self, v: f32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    pub fn f32s(&mut self, values: &[f32]) {
        self.words(bytemuck::cast_slice(values));
    }
    pub fn u32s(&mut self, values: &[u32]) {
        self.words(bytemuck::cast_slice(values));
    }
    /// 4-byte words in native byte order, written little-endian: on a little-endian target (wasm32,
    /// x86, aarch64) one copy, where writing value by value showed in the import's profile
    /// (`bench/gltf-profile.mjs`).
    fn words(&mut self, native: &[u8]) {
        if cfg!(target_endian = "little") {
            self.0.extend_from_slice(native);
        } else {
            for word in native.chunks_exact(4) {
                self.0
                    .extend_from_slice(&[word[3], word[2], word[1], word[0]]);
            }
        }
    }
    pub fn bytes(&mut self, v: &[u8]) {
        self.0.extend_from_slice(v);
    }
}

/// Reads little-endian values, failing (never panicking) past the end.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// Checks the tag and starts after it.
    pub fn new(bytes: &'a [u8], tag: &[u8; 8], what: &'static str) -> Result<Self, AssetError> {
        if bytes.len() < 8 {
            return Err(AssetError::Truncated {
                what,
                len: bytes.len(),
            });
        }
        if &bytes[..8] != tag {
            return Err(AssetError::WrongTag { what });
        }
        Ok(Self { bytes, at: 8, what })
    }

    pub fn take(&mut self, n: usize) -> Result<&'a [u8], AssetError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len());
        let Some(end) = end else {
            return Err(AssetError::Truncated {
                what: self.what,
                len: self.bytes.len(),
            });
        };
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    pub fn u8(&mut self) -> Result<u8, AssetError> {
        Ok(self.take(1)?[0])
    }

    pub fn u32(&mut self) -> Result<u32, AssetError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A finite f32.
    pub fn f32(&mut self) -> Result<f32, AssetError> {
        let b = self.take(4)?;
        let v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        if v.is_finite() {
            Ok(v)
        } else {
            Err(AssetError::invalid(self.what, "a number is not finite"))
        }
    }

    /// `count` groups of `N` finite f32s; the length is checked before allocating.
    pub fn f32_groups<const N: usize>(
        &mut self,
        count: usize,
    ) -> Result<Vec<[f32; N]>, AssetError> {
        let len = count.saturating_mul(4 * N);
        if len > self.remaining() {
            return Err(AssetError::Truncated {
                what: self.what,
                len: self.bytes.len(),
            });
        }
        let mut out = Vec::with_capacity(count);
        for _ in 0..count {
            let mut group = [0.0; N];
            for v in &mut group {
                *v = self.f32()?;
            }
            out.push(group);
        }
        Ok(out)
    }

    /// `count` u32s; the length is checked before allocating.
    pub fn u32s(&mut self, count: usize) -> Result<Vec<u32>, AssetError> {
        let bytes = self.take(count.saturating_mul(4))?;
        Ok(bytes
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }

    /// Fails unless every byte was read.
    pub fn finish(&self) -> Result<(), AssetError> {
        if self.remaining() == 0 {
            Ok(())
        } else {
            Err(AssetError::invalid(
                self.what,
                "trailing bytes after the data",
            ))
        }
    }
}
