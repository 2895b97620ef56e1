//! Encoded images (PNG, JPEG or WebP) as assets. The bytes stay encoded in the document; the browser decodes
//! them (`createImageBitmap`), so the wasm bundle carries no image decoder. The header is read here so
//! that an image's size is known, and checked, before anything decodes it.
//!
//! Encoding: tag `YSIMAGE1`, format byte (1 PNG, 2 JPEG, 3 WebP), width (u32), height (u32), then the encoded
//! file unchanged.

use super::AssetError;
use super::bytes::{Reader, Writer};

const TAG: &[u8; 8] = b"YSIMAGE1";
const WHAT: &str = "image asset";

/// Largest image side accepted: 8192, the texture size every WebGPU and WebGL2 device supports
/// (WebGPU's default `maxTextureDimension2D`).
pub const MAX_IMAGE_SIDE: u32 = 8192;

/// A container format the browser decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// `image/png`.
    Png,
    /// `image/jpeg`.
    Jpeg,
    /// `image/webp` (glTF's `EXT_texture_webp`; every browser with WebGPU or WebGL2 decodes it).
    WebP,
}

impl ImageFormat {
    /// The MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            ImageFormat::Png => "image/png",
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::WebP => "image/webp",
        }
    }
}

/// An encoded image with its size read from the header.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageAsset {
    /// The container format.
    pub format: ImageFormat,
    /// Width in pixels, 1..=[`MAX_IMAGE_SIDE`].
    pub width: u32,
    /// Height in pixels, 1..=[`MAX_IMAGE_SIDE`].
    pub height: u32,
    /// The encoded file.
    pub encoded: Vec<u8>,
}

impl ImageAsset {
    /// Reads the format and size from an encoded PNG, JPEG or WebP file's header; fails naming the problem
    /// for anything else or a size beyond [`MAX_IMAGE_SIDE`].
    pub fn from_encoded(encoded: Vec<u8>) -> Result<Self, AssetError> {
        let (format, width, height) = sniff(&encoded)?;
        check_size(width, height)?;
        Ok(Self {
            format,
            width,
            height,
            encoded,
        })
    }

    /// The asset bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.tag(TAG);
        w.u8(match self.format {
            ImageFormat::Png => 1,
            ImageFormat::Jpeg => 2,
            ImageFormat::WebP => 3,
        });
        w.u32(self.width);
        w.u32(self.height);
        w.bytes(&self.encoded);
        w.0
    }

    /// Decodes asset bytes; the stored size must match the embedded file's header.
    pub fn decode(bytes: &[u8]) -> Result<Self, AssetError> {
        let mut r = Reader::new(bytes, TAG, WHAT)?;
        let _format = r.u8()?;
        let (width, height) = (r.u32()?, r.u32()?);
        let encoded = r.take(r.remaining())?.to_vec();
        let image = Self::from_encoded(encoded)?;
        if (image.width, image.height) != (width, height) {
            return Err(AssetError::invalid(
                WHAT,
                "stored size differs from the file's",
            ));
        }
        Ok(image)
    }
}

fn check_size(width: u32, height: u32) -> Result<(), AssetError> {
    if width == 0 || height == 0 || width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
        return Err(AssetError::invalid(
            WHAT,
            format!("image is {width}×{height}; each side must be 1..={MAX_IMAGE_SIDE}"),
        ));
    }
    Ok(())
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn be16(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_be_bytes(
        b.get(at..at + 2)?.try_into().ok()?,
    )))
}

fn le16(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes(
        b.get(at..at + 2)?.try_into().ok()?,
    )))
}

fn le24(b: &[u8], at: usize) -> Option<u32> {
    let v = b.get(at..at + 3)?;
    Some(u32::from(v[0]) | u32::from(v[1]) << 8 | u32::from(v[2]) << 16)
}

/// A WebP file's size from its first chunk: `VP8 ` (lossy: the key frame's 14-bit sizes after the
/// start code), `VP8L` (lossless: 14-bit sizes less one after the signature byte) or `VP8X`
/// (extended: the 24-bit canvas size less one).
fn sniff_webp(b: &[u8]) -> Result<(u32, u32), &'static str> {
    let size = match b.get(12..16) {
        Some(b"VP8 ") => {
            if b.get(23..26) != Some(&[0x9d, 0x01, 0x2a]) {
                return Err("WebP lossy frame without its start code");
            }
            le16(b, 26)
                .zip(le16(b, 28))
                .map(|(w, h)| (w & 0x3fff, h & 0x3fff))
        }
        Some(b"VP8L") => {
            if b.get(20) != Some(&0x2f) {
                return Err("WebP lossless frame without its signature");
            }
            let bits = le16(b, 21).zip(le16(b, 23)).map(|(lo, hi)| lo | hi << 16);
            bits.map(|v| ((v & 0x3fff) + 1, ((v >> 14) & 0x3fff) + 1))
        }
        Some(b"VP8X") => le24(b, 24).zip(le24(b, 27)).map(|(w, h)| (w + 1, h + 1)),
        _ => return Err("WebP file without a VP8, VP8L or VP8X chunk"),
    };
    size.ok_or("WebP header ends early")
}

/// Format and size from the header: PNG's IHDR, JPEG's first start-of-frame marker, or WebP's first
/// chunk.
fn sniff(b: &[u8]) -> Result<(ImageFormat, u32, u32), AssetError> {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    let bad = |problem: &str| AssetError::invalid(WHAT, problem.to_string());
    if b.starts_with(PNG) {
        if b.get(12..16) != Some(b"IHDR") {
            return Err(bad("PNG without an IHDR header"));
        }
        let (w, h) = be32(b, 16)
            .zip(be32(b, 20))
            .ok_or_else(|| bad("PNG header ends early"))?;
        return Ok((ImageFormat::Png, w, h));
    }
    if b.starts_with(&[0xFF, 0xD8]) {
        let mut at = 2;
        while at + 4 <= b.len() {
            if b[at] != 0xFF {
                return Err(bad("JPEG segment without a marker"));
            }
            let marker = b[at + 1];
            if marker == 0xFF {
                at += 1; // fill byte
                continue;
            }
            let len = be16(b, at + 2).ok_or_else(|| bad("JPEG ends early"))? as usize;
            let is_frame = (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker);
            if is_frame {
                let (h, w) = be16(b, at + 5)
                    .zip(be16(b, at + 7))
                    .ok_or_else(|| bad("JPEG frame header ends early"))?;
                return Ok((ImageFormat::Jpeg, w, h));
            }
            at += 2 + len;
        }
        return Err(bad("JPEG without a frame header"));
    }
    if b.starts_with(b"RIFF") && b.get(8..12) == Some(b"WEBP") {
        let (w, h) = sniff_webp(b).map_err(bad)?;
        return Ok((ImageFormat::WebP, w, h));
    }
    Err(bad("not a PNG, JPEG or WebP file"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png_header(w: u32, h: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        b.extend_from_slice(&w.to_be_bytes());
        b.extend_from_slice(&h.to_be_bytes());
        b.extend_from_slice(&[8, 6, 0, 0, 0]);
        b
    }

    #[test]
    fn reads_png_and_jpeg_sizes_and_round_trips() {
        let png = ImageAsset::from_encoded(png_header(211, 7)).unwrap();
        assert_eq!(
            (png.format, png.width, png.height),
            (ImageFormat::Png, 211, 7)
        );
        assert_eq!(ImageAsset::decode(&png.encode()).unwrap(), png);
        // SOI, an APP0 segment of length 4, then SOF0 with height 3, width 5.
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xC0, 0, 11, 8, 0, 3, 0, 5, 3,
        ];
        let jpeg = ImageAsset::from_encoded(jpeg.to_vec()).unwrap();
        assert_eq!(
            (jpeg.format, jpeg.width, jpeg.height),
            (ImageFormat::Jpeg, 5, 3)
        );
    }

    #[test]
    fn reads_webp_sizes_from_all_three_chunk_kinds() {
        // Lossless (VP8L) and extended (VP8X, written when metadata is attached), from a real encoder.
        let rgba: Vec<u8> = (0..37 * 5).flat_map(|i| [i as u8, 0, 255, 255]).collect();
        let encode = |xmp: Vec<u8>| {
            let mut out = Vec::new();
            let mut encoder = image_webp::WebPEncoder::new(&mut out);
            encoder.set_xmp_metadata(xmp);
            encoder
                .encode(&rgba, 37, 5, image_webp::ColorType::Rgba8)
                .unwrap();
            out
        };
        for (bytes, chunk) in [
            (encode(Vec::new()), b"VP8L"),
            (encode(b"<x/>".to_vec()), b"VP8X"),
        ] {
            assert_eq!(&bytes[12..16], chunk);
            let image = ImageAsset::from_encoded(bytes).unwrap();
            assert_eq!(
                (image.format, image.width, image.height),
                (ImageFormat::WebP, 37, 5)
            );
            assert_eq!(image.format.mime(), "image/webp");
            assert_eq!(ImageAsset::decode(&image.encode()).unwrap(), image);
        }
        // Lossy (VP8): frame tag, start code, 14-bit width and height (the top two bits scale).
        let mut lossy = b"RIFF\0\0\0\0WEBPVP8 \0\0\0\0".to_vec();
        lossy.extend_from_slice(&[0, 0, 0, 0x9d, 0x01, 0x2a]);
        lossy.extend_from_slice(&(640u16 | 0x4000).to_le_bytes());
        lossy.extend_from_slice(&480u16.to_le_bytes());
        let image = ImageAsset::from_encoded(lossy.clone()).unwrap();
        assert_eq!((image.width, image.height), (640, 480));
        lossy[23] = 0;
        assert!(
            ImageAsset::from_encoded(lossy)
                .unwrap_err()
                .to_string()
                .contains("start code")
        );
        for bad in [
            &b"RIFF\0\0\0\0WEBP"[..],
            b"RIFF\0\0\0\0WEBPVP8L\0\0\0\0\x2f\0",
            b"RIFF\0\0\0\0WEBPALPH",
        ] {
            assert!(ImageAsset::from_encoded(bad.to_vec()).is_err());
        }
    }

    #[test]
    fn rejects_garbage_and_oversized_images() {
        for bad in [
            &b""[..],
            b"GIF89a",
            b"\x89PNG\r\n\x1a\n",
            &[0xFF, 0xD8, 0x00],
        ] {
            assert!(ImageAsset::from_encoded(bad.to_vec()).is_err());
        }
        let err = ImageAsset::from_encoded(png_header(100_000, 2)).unwrap_err();
        assert!(err.to_string().contains("8192"), "{err}");
        assert!(ImageAsset::from_encoded(png_header(0, 2)).is_err());
    }
}
