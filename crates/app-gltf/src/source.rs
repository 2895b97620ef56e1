//! Where a model's bytes come from: the GLB container or plain JSON, the glTF JSON itself, and the
//! binary buffers (GLB `BIN` chunk, `data:` URIs, or files the caller passed in `resources`).
//!
//! Contract:
//! - [`parse`] accepts GLB (magic `glTF`, version 2, a JSON chunk first, an optional BIN chunk; other
//!   chunks skipped) or glTF JSON (an optional UTF-8 byte order mark first), checks every length
//!   against the bytes there are, and refuses `extensionsRequired` naming an extension outside
//!   [`SUPPORTED_EXTENSIONS`] and [`OPTIONAL_CONTENT_EXTENSIONS`]. JSON that gltf-json 1.4 rejects
//!   and glTF allows (scenes without `nodes`, channels without a target `node`, whole numbers
//!   written as decimals, `extras` of any type) is read again amended (see [`parse_root`]); glTF 1.0
//!   JSON (`asset.version` 1.x) is refused saying so.
//! - Buffers are loaded once, up front; a buffer that cannot be loaded (missing file, bad `data:`
//!   URI, shorter than its `byteLength`) keeps its error, reported when something reads from it, so
//!   an unused broken buffer does not fail the import.
//! - [`Source::view`] returns a buffer view's bytes after checking `byteOffset + byteLength` against
//!   the buffer, with checked arithmetic; a view with `EXT_meshopt_compression` is decoded instead
//!   (`meshopt.rs`), once, on its first read, within [`MAX_DECODED_BYTES`] for the whole import.

use std::borrow::Cow;
use std::cell::{Cell, OnceCell};
use std::collections::HashMap;

use base64::Engine as _;
use gltf::json;

use crate::error::{ImportError, excerpt, invalid, lookup};
use crate::{MAX_IMPORT_BYTES, lenient, meshopt};

/// Extensions a model may require: the importer reads them (or, for quantization, accepts the
/// component types they allow everywhere).
pub const SUPPORTED_EXTENSIONS: [&str; 8] = [
    "KHR_materials_emissive_strength",
    "KHR_texture_transform",
    "KHR_materials_unlit",
    "KHR_mesh_quantization",
    "EXT_mesh_gpu_instancing",
    "EXT_texture_webp",
    // Read approximately, as metallic-roughness (see `spec_gloss.rs`).
    "KHR_materials_pbrSpecularGlossiness",
    "EXT_meshopt_compression",
];

/// Extensions a model may require that the importer knows and leaves out, because the model is
/// whole without them (noted in `ignored`, as when they are only used): lights (the engine lights
/// the scene itself), material variants (each primitive's default material is imported), metadata,
/// animation pointers (animations are not imported), and material layers drawn over the
/// metallic-roughness base the engine draws. Blender writes `KHR_lights_punctual` as required
/// whenever a scene has a light. An extension outside both lists may change what the data means
/// (compressed geometry, other image formats, unknown ones): refused, as glTF requires.
pub const OPTIONAL_CONTENT_EXTENSIONS: [&str; 14] = [
    "KHR_lights_punctual",
    "KHR_materials_variants",
    "KHR_xmp_json_ld",
    "KHR_animation_pointer",
    "KHR_materials_clearcoat",
    "KHR_materials_sheen",
    "KHR_materials_transmission",
    "KHR_materials_volume",
    "KHR_materials_ior",
    "KHR_materials_specular",
    "KHR_materials_iridescence",
    "KHR_materials_anisotropy",
    "KHR_materials_dispersion",
    "KHR_materials_diffuse_transmission",
];

/// `bytes[offset..offset + length]`, or `None` when that runs past the end (checked in u64).
fn byte_range(bytes: &[u8], offset: u64, length: u64) -> Option<&[u8]> {
    let end = offset
        .checked_add(length)
        .filter(|&end| end <= bytes.len() as u64)?;
    bytes.get(usize::try_from(offset).ok()?..usize::try_from(end).ok()?)
}

/// Standard base64, padding optional (some exporters leave it out).
const BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

const GLB_MAGIC: &[u8; 4] = b"glTF";
const CHUNK_JSON: u32 = 0x4E4F_534A;
const CHUNK_BIN: u32 = 0x004E_4942;

/// A parsed model: its JSON and its loaded buffers.
pub(crate) struct Source<'a> {
    /// The glTF JSON, typed.
    pub root: json::Root,
    /// Buffer `i`'s bytes (exactly `byteLength` of them), or why they are unavailable.
    buffers: Vec<Result<Cow<'a, [u8]>, ImportError>>,
    /// The caller's external files, by URI.
    resources: &'a HashMap<String, Vec<u8>>,
    /// Buffer view `i` decoded from `EXT_meshopt_compression`, once, when first read.
    decoded: Vec<OnceCell<Result<Vec<u8>, ImportError>>>,
    /// Bytes decoded so far, against [`MAX_DECODED_BYTES`].
    decoded_bytes: Cell<u64>,
}

/// Most bytes one import decodes from compressed buffer views: what the geometry read from them may
/// add up to (`geometry.rs` bounds decoded geometry at 4 × `MAX_IMPORT_BYTES` too).
const MAX_DECODED_BYTES: u64 = 4 * MAX_IMPORT_BYTES as u64;

fn le32(bytes: &[u8], at: usize) -> Option<u32> {
    let end = at.checked_add(4)?;
    Some(u32::from_le_bytes(bytes.get(at..end)?.try_into().ok()?))
}

/// The JSON and BIN chunks of a GLB file.
fn split_glb(bytes: &[u8]) -> Result<(&[u8], Option<&[u8]>), ImportError> {
    let glb = |m: String| ImportError::Glb(m);
    let (Some(version), Some(length)) = (le32(bytes, 4), le32(bytes, 8)) else {
        return Err(glb(format!(
            "the 12-byte header is truncated ({} bytes)",
            bytes.len()
        )));
    };
    if version != 2 {
        return Err(glb(format!(
            "version {version}; only glTF 2.0 (GLB version 2) is supported"
        )));
    }
    let length = length as usize;
    if length > bytes.len() {
        return Err(glb(format!(
            "the header says the file is {length} bytes, but it is {} bytes (truncated?)",
            bytes.len()
        )));
    }
    let body = bytes.get(..length).unwrap_or(bytes);
    let (mut at, mut index) = (12usize, 0usize);
    let (mut json_chunk, mut bin_chunk) = (None, None);
    while at < body.len() {
        let (Some(chunk_len), Some(kind)) = (le32(body, at), le32(body, at + 4)) else {
            return Err(glb(format!("chunk {index}'s 8-byte header is truncated")));
        };
        let start = at + 8;
        let end = start
            .checked_add(chunk_len as usize)
            .filter(|&end| end <= body.len())
            .ok_or_else(|| {
                glb(format!(
                    "chunk {index} is {chunk_len} bytes long, past the end of the file ({} bytes)",
                    body.len()
                ))
            })?;
        let data = body.get(start..end).unwrap_or_default();
        match (index, kind) {
            (0, CHUNK_JSON) => json_chunk = Some(data),
            (0, _) => return Err(glb("the first chunk is not the JSON chunk".into())),
            (1, CHUNK_BIN) => bin_chunk = Some(data),
            _ => {} // Unknown chunks are skipped, as the specification asks.
        }
        // Chunks are padded to 4 bytes; tolerate a last chunk without its padding.
        at = end.saturating_add(3) & !3;
        index += 1;
    }
    let json_chunk = json_chunk.ok_or_else(|| glb("there is no JSON chunk".into()))?;
    Ok((json_chunk, bin_chunk))
}

/// The glTF JSON (typed) and the GLB BIN chunk, if any.
fn parse_json(bytes: &[u8]) -> Result<(json::Root, Option<&[u8]>), ImportError> {
    let (text, bin) = if bytes.starts_with(GLB_MAGIC) {
        split_glb(bytes)?
    } else {
        (bytes, None)
    };
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    Ok((parse_root(text)?, bin))
}

fn json_error(e: &serde_json::Error) -> ImportError {
    ImportError::Json(excerpt(&e.to_string(), 300))
}

/// The typed glTF JSON. gltf-json 1.4 requires two properties glTF 2.0 lets a file leave out
/// (`scene.nodes`, `animation.channel.target.node`): a file that fails to parse is read again with
/// them filled in ([`crate::lenient`]), and the common case pays nothing. When nothing is missing, the
/// first error is reported; when the second reading fails too, its error (its line is the file's;
/// its column may count the added text). A glTF 1.0 file is refused saying so.
fn parse_root(text: &[u8]) -> Result<json::Root, ImportError> {
    let first = match json::deserialize::from_slice(text) {
        Ok(root) => return Ok(root),
        Err(e) => e,
    };
    let survey = lenient::survey(text);
    if let Some(why) = survey.gltf_1() {
        return Err(ImportError::Json(format!(
            "{why}: this is glTF 1.0, and only glTF 2.0 is supported"
        )));
    }
    let Some(filled) = survey.filled(text) else {
        return Err(json_error(&first));
    };
    json::deserialize::from_slice(&filled).map_err(|e| json_error(&e))
}

/// Parses `bytes` (GLB or JSON), checks the required extensions and loads every buffer.
pub(crate) fn parse<'a>(
    bytes: &'a [u8],
    resources: &'a HashMap<String, Vec<u8>>,
) -> Result<Source<'a>, ImportError> {
    let (root, bin) = parse_json(bytes)?;
    if let Some(ext) = root.extensions_required.iter().find(|e| {
        let e = e.as_str();
        !SUPPORTED_EXTENSIONS.contains(&e) && !OPTIONAL_CONTENT_EXTENSIONS.contains(&e)
    }) {
        return Err(ImportError::UnsupportedExtension(excerpt(ext, 100)));
    }
    let buffers = root
        .buffers
        .iter()
        .enumerate()
        .map(|(i, buffer)| load_buffer(i, buffer, bin, resources))
        .collect();
    let decoded = root.buffer_views.iter().map(|_| OnceCell::new()).collect();
    Ok(Source {
        root,
        buffers,
        resources,
        decoded,
        decoded_bytes: Cell::new(0),
    })
}

fn load_buffer<'a>(
    index: usize,
    buffer: &json::buffer::Buffer,
    bin: Option<&'a [u8]>,
    resources: &'a HashMap<String, Vec<u8>>,
) -> Result<Cow<'a, [u8]>, ImportError> {
    let what = || format!("buffer {index}");
    let data: Cow<'a, [u8]> = match &buffer.uri {
        Some(uri) => load_uri(uri, resources, &what)?.0,
        None if index == 0 => {
            Cow::Borrowed(bin.ok_or_else(|| {
                invalid("buffer 0 has no URI and the file has no GLB binary chunk")
            })?)
        }
        None if buffer.extensions.as_ref().is_some_and(|e| {
            e.others.contains_key(meshopt::EXTENSION)
                || e.others.contains_key("KHR_meshopt_compression")
        }) =>
        {
            // A meshopt fallback buffer: only compressed views, decoded elsewhere, may name it.
            return Err(invalid(format!(
                "buffer {index} holds no data: it is an EXT_meshopt_compression fallback, which \
                     only compressed buffer views may use"
            )));
        }
        None => {
            return Err(invalid(format!(
                "buffer {index} has no URI (only buffer 0 may use the GLB binary chunk)"
            )));
        }
    };
    let declared = buffer.byte_length.0;
    if (data.len() as u64) < declared {
        return Err(invalid(format!(
            "buffer {index} has {} bytes, fewer than its byteLength {declared}",
            data.len()
        )));
    }
    // Keep exactly byteLength bytes: views are checked against the declared length.
    Ok(match data {
        Cow::Borrowed(b) => Cow::Borrowed(b.get(..declared as usize).unwrap_or(b)),
        Cow::Owned(mut v) => {
            v.truncate(declared as usize);
            Cow::Owned(v)
        }
    })
}

/// The bytes a URI names and the media type a `data:` URI declares: `data:` URIs are decoded,
/// anything else is looked up in `resources`, as written and percent-decoded.
pub(crate) fn load_uri<'a>(
    uri: &str,
    resources: &'a HashMap<String, Vec<u8>>,
    what: &dyn Fn() -> String,
) -> Result<(Cow<'a, [u8]>, Option<String>), ImportError> {
    if let Some(rest) = uri.strip_prefix("data:") {
        let bad = |why: &str| {
            invalid(format!(
                "{}: the data URI {:?} {why}",
                what(),
                excerpt(uri, 40)
            ))
        };
        let (header, payload) = rest.split_once(',').ok_or_else(|| bad("has no comma"))?;
        let Some(media) = header.strip_suffix(";base64") else {
            return Err(bad("is not base64-encoded"));
        };
        let bytes = BASE64
            .decode(payload.trim_end())
            .map_err(|_| bad("is not valid base64"))?;
        return Ok((
            Cow::Owned(bytes),
            Some(media.to_string()).filter(|m| !m.is_empty()),
        ));
    }
    let decoded = percent_decode(uri);
    let stripped = |s: &str| s.strip_prefix("./").map(str::to_string);
    let exact = [
        Some(uri.to_string()),
        decoded.clone(),
        stripped(uri),
        decoded.as_deref().and_then(stripped),
    ]
    .into_iter()
    .flatten()
    .find_map(|key| resources.get(&key));
    exact
        .or_else(|| by_path_suffix(decoded.as_deref().unwrap_or(uri), resources))
        .map(|bytes| (Cow::Borrowed(bytes.as_slice()), None))
        .ok_or_else(|| ImportError::MissingResource {
            uri: excerpt(uri, 200),
        })
}

/// The one resource whose key, read as a path, ends with `uri`'s last components: a key that
/// holds more folders (a dropped folder's `webkitRelativePath`, "model/textures/wood.png" for
/// "textures/wood.png") or fewer (a file picker gives file names only, "wood.png"; a URI climbing
/// out with "../" or written with Windows' backslashes). The longest common tail wins; a tie (two
/// "wood.png" in different folders) finds nothing, so the error names the URI rather than the
/// wrong file being drawn.
fn by_path_suffix<'a>(uri: &str, resources: &'a HashMap<String, Vec<u8>>) -> Option<&'a Vec<u8>> {
    fn parts(path: &str) -> impl Iterator<Item = &str> {
        path.rsplit(['/', '\\'])
            .take_while(|p| !p.is_empty() && *p != "." && *p != "..")
    }
    let wanted: Vec<&str> = parts(uri).collect();
    let mut best: Option<(usize, &Vec<u8>)> = None;
    let mut tied = false;
    for (key, bytes) in resources {
        let common = parts(key).zip(&wanted).take_while(|(a, b)| a == *b).count();
        if common == 0 {
            continue;
        }
        match best {
            Some((n, _)) if n > common => {}
            Some((n, _)) if n == common => tied = true,
            _ => {
                best = Some((common, bytes));
                tied = false;
            }
        }
    }
    best.filter(|_| !tied).map(|(_, bytes)| bytes)
}

/// `%XX` escapes decoded; `None` when there are none or the result is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    if !text.contains('%') {
        return None;
    }
    let bytes = text.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escaped = (b == b'%')
            .then(|| Some(hex(*bytes.get(i + 1)?)? * 16 + hex(*bytes.get(i + 2)?)?))
            .flatten();
        match escaped {
            Some(v) => {
                out.push(v as u8);
                i += 3;
            }
            None => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

impl<'a> Source<'a> {
    /// The caller's external files.
    pub fn resources(&self) -> &'a HashMap<String, Vec<u8>> {
        self.resources
    }

    /// Buffer `index`'s bytes, or why they are unavailable (`referrer` names who asked).
    /// Buffer view `index` decoded from its `EXT_meshopt_compression` object `ext`.
    fn decode_view(
        &self,
        index: usize,
        view_length: u64,
        ext: &serde_json::Value,
    ) -> Result<Vec<u8>, ImportError> {
        let bad = |e: String| invalid(format!("buffer view {index}: {} {e}", meshopt::EXTENSION));
        let left = MAX_DECODED_BYTES.saturating_sub(self.decoded_bytes.get());
        let c = meshopt::read(ext, view_length, left).map_err(bad)?;
        let buffer = self.buffer(c.buffer, &|| {
            format!("buffer view {index}'s {}", meshopt::EXTENSION)
        })?;
        let data = byte_range(buffer, c.byte_offset, c.byte_length).ok_or_else(|| {
            bad(format!(
                "byteOffset {} + byteLength {} is past the end of buffer {} ({} bytes)",
                c.byte_offset,
                c.byte_length,
                c.buffer,
                buffer.len()
            ))
        })?;
        let decoded = meshopt::decode(&c, data).map_err(bad)?;
        self.decoded_bytes
            .set(self.decoded_bytes.get() + decoded.len() as u64);
        Ok(decoded)
    }

    pub fn buffer(
        &self,
        index: usize,
        referrer: &dyn Fn() -> String,
    ) -> Result<&[u8], ImportError> {
        match lookup(&self.buffers, index, "buffer", referrer)? {
            Ok(bytes) => Ok(bytes),
            Err(e) => Err(e.clone()),
        }
    }

    /// Buffer view `index`'s bytes, bounds-checked against its buffer, or decoded (once) from its
    /// `EXT_meshopt_compression` data.
    pub fn view(&self, index: usize, referrer: &dyn Fn() -> String) -> Result<&[u8], ImportError> {
        let view = lookup(&self.root.buffer_views, index, "buffer view", referrer)?;
        if let Some(ext) = view
            .extensions
            .as_ref()
            .and_then(|e| e.others.get(meshopt::EXTENSION))
        {
            let decoded = self
                .decoded
                .get(index)
                .ok_or_else(|| invalid("internal: no slot for a decoded view"))?
                .get_or_init(|| self.decode_view(index, view.byte_length.0, ext));
            return decoded.as_deref().map_err(Clone::clone);
        }
        let buffer_index = view.buffer.value();
        let buffer = self.buffer(buffer_index, &|| format!("buffer view {index}"))?;
        let offset = view.byte_offset.map_or(0, |o| o.0);
        let length = view.byte_length.0;
        byte_range(buffer, offset, length).ok_or_else(|| {
            invalid(format!(
                "buffer view {index}: byteOffset {offset} + byteLength {length} is past the end of \
                 buffer {buffer_index} ({} bytes)",
                buffer.len()
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b.bin").as_deref(), Some("a b.bin"));
        assert_eq!(percent_decode("plain.bin"), None);
        assert_eq!(percent_decode("bad%2").as_deref(), Some("bad%2"));
        assert_eq!(percent_decode("%E2%82%AC").as_deref(), Some("€"));
        assert_eq!(percent_decode("%FF"), None);
    }

    #[test]
    fn glb_lengths_are_checked() {
        assert!(split_glb(b"glTF").is_err());
        let mut glb = b"glTF".to_vec();
        glb.extend_from_slice(&2u32.to_le_bytes());
        glb.extend_from_slice(&20u32.to_le_bytes());
        glb.extend_from_slice(&100u32.to_le_bytes());
        glb.extend_from_slice(&CHUNK_JSON.to_le_bytes());
        let err = split_glb(&glb).unwrap_err().to_string();
        assert!(err.contains("chunk 0 is 100 bytes long"), "{err}");
    }
}
