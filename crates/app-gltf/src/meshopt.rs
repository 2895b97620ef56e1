//! `EXT_meshopt_compression`: buffer views stored compressed (gltfpack writes them, and three.js reads
//! them once a page registers meshoptimizer's decoder), decoded here in plain Rust from the bitstream
//! the extension specifies: mode ATTRIBUTES (byte-wise deltas in groups of 16), TRIANGLES (edge and
//! vertex FIFOs) and INDICES (two delta baselines), then the OCTAHEDRAL, QUATERNION and EXPONENTIAL
//! filters.
//!
//! Contract:
//! - [`decode`] turns one extension object and the compressed bytes into exactly `count × byteStride`
//!   bytes, or an error naming what is wrong. Every read is bounds-checked; the stream must end
//!   exactly where the specification says (the tail), as meshoptimizer's decoder requires; index
//!   arithmetic wraps as in the reference (u32). Nothing panics on any input.
//! - Values the specification leaves unspecified (a filter's out-of-range inputs, undefined FIFO
//!   contents) decode to something deterministic; what is decoded is then checked like any view
//!   (indices against the vertex count, floats finite).

use serde_json::Value;

/// The extension's name.
pub(crate) const EXTENSION: &str = "EXT_meshopt_compression";

/// The extension object of a buffer view, read.
pub(crate) struct Compressed {
    /// The buffer that holds the compressed bytes.
    pub buffer: usize,
    pub byte_offset: u64,
    pub byte_length: u64,
    pub byte_stride: usize,
    pub count: usize,
    mode: Mode,
    filter: Filter,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Attributes,
    Triangles,
    Indices,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Filter {
    None,
    Octahedral,
    Quaternion,
    Exponential,
}

/// Reads and checks the extension object (the constraints the specification lists). `max_bytes`
/// bounds the decoded size before anything is allocated.
pub(crate) fn read(ext: &Value, view_length: u64, max_bytes: u64) -> Result<Compressed, String> {
    let int = |name: &str| -> Result<Option<u64>, String> {
        match ext.get(name) {
            None => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .ok_or_else(|| format!("{name} is not a whole number")),
        }
    };
    let required = |name: &str| int(name)?.ok_or_else(|| format!("has no {name}"));
    let buffer = usize::try_from(required("buffer")?).map_err(|_| "buffer is out of range")?;
    let byte_offset = int("byteOffset")?.unwrap_or(0);
    let byte_length = required("byteLength")?;
    let stride = required("byteStride")?;
    let count = required("count")?;
    let mode = match ext.get("mode").and_then(Value::as_str) {
        Some("ATTRIBUTES") => Mode::Attributes,
        Some("TRIANGLES") => Mode::Triangles,
        Some("INDICES") => Mode::Indices,
        _ => return Err("mode is not ATTRIBUTES, TRIANGLES or INDICES".into()),
    };
    let filter = match ext.get("filter").map(|f| f.as_str()) {
        None | Some(Some("NONE")) => Filter::None,
        Some(Some("OCTAHEDRAL")) => Filter::Octahedral,
        Some(Some("QUATERNION")) => Filter::Quaternion,
        Some(Some("EXPONENTIAL")) => Filter::Exponential,
        _ => return Err("filter is not NONE, OCTAHEDRAL, QUATERNION or EXPONENTIAL".into()),
    };
    let decoded = stride
        .checked_mul(count)
        .ok_or("byteStride × count overflows")?;
    if decoded != view_length {
        return Err(format!(
            "byteStride {stride} × count {count} is not the view's byteLength {view_length}"
        ));
    }
    if decoded > max_bytes {
        return Err(format!(
            "decodes to {decoded} bytes; at most {max_bytes} are decoded in one import"
        ));
    }
    let ok = match (mode, filter) {
        (Mode::Attributes, Filter::None) => stride % 4 == 0 && stride <= 256,
        (Mode::Attributes, Filter::Octahedral) => stride == 4 || stride == 8,
        (Mode::Attributes, Filter::Quaternion) => stride == 8,
        (Mode::Attributes, Filter::Exponential) => stride % 4 == 0 && stride <= 256,
        (Mode::Triangles, Filter::None) => (stride == 2 || stride == 4) && count % 3 == 0,
        (Mode::Indices, Filter::None) => stride == 2 || stride == 4,
        _ => false,
    };
    if !ok || stride == 0 {
        return Err(format!(
            "byteStride {stride} and count {count} do not fit its mode and filter"
        ));
    }
    // decoded ≤ max_bytes (< 2^32 here) bounds both.
    Ok(Compressed {
        buffer,
        byte_offset,
        byte_length,
        byte_stride: stride as usize,
        count: count as usize,
        mode,
        filter,
    })
}

/// Decodes `data` (the compressed bytes) as `c` describes.
pub(crate) fn decode(c: &Compressed, data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = match c.mode {
        Mode::Attributes => decode_attributes(c.count, c.byte_stride, data)?,
        Mode::Triangles => write_indices(&decode_triangles(c.count, data)?, c.byte_stride),
        Mode::Indices => write_indices(&decode_index_sequence(c.count, data)?, c.byte_stride),
    };
    match c.filter {
        Filter::None => {}
        Filter::Octahedral => octahedral(&mut out, c.byte_stride),
        Filter::Quaternion => quaternion(&mut out),
        Filter::Exponential => exponential(&mut out),
    }
    Ok(out)
}

const TRUNCATED: &str = "the compressed data ends early";

fn unzigzag8(v: u8) -> u8 {
    if v & 1 != 0 { !(v >> 1) } else { v >> 1 }
}

/// Mode 0. Header 0xa0, blocks of up to 256 elements (each byte position's deltas in groups of 16,
/// 2 header bits per group), then the tail: the baseline element, padded to at least 32 bytes.
pub(crate) fn decode_attributes(
    count: usize,
    stride: usize,
    data: &[u8],
) -> Result<Vec<u8>, String> {
    if stride == 0 || stride > 256 {
        return Err(format!("byteStride {stride} is not 1..=256"));
    }
    if data.first() != Some(&0xa0) {
        return Err("the attribute stream does not start with 0xa0".into());
    }
    let tail = stride.max(32);
    if data.len() < 1 + tail {
        return Err(TRUNCATED.into());
    }
    let end = data.len() - tail;
    let mut last = data[data.len() - stride..].to_vec();
    let mut out = vec![0u8; count * stride];
    let block_max = ((8192 / stride) & !15).min(256);
    let mut at = 1;
    let mut deltas = [0u8; 256];
    let mut first = 0;
    while first < count {
        let block = block_max.min(count - first);
        let groups = block.div_ceil(16);
        for k in 0..stride {
            let header_len = groups.div_ceil(4);
            let header = data
                .get(at..at + header_len)
                .filter(|_| at + header_len <= end);
            let header = header.ok_or(TRUNCATED)?;
            at += header_len;
            for g in 0..groups {
                let bits = (header[g / 4] >> ((g % 4) * 2)) & 3;
                let group = &mut deltas[g * 16..g * 16 + 16];
                at = decode_group(bits, group, data, at, end)?;
            }
            for (j, &delta) in deltas[..block].iter().enumerate() {
                let value = last[k].wrapping_add(unzigzag8(delta));
                out[(first + j) * stride + k] = value;
                last[k] = value;
            }
        }
        first += block;
    }
    if at != end {
        return Err("the attribute stream has bytes left before its tail".into());
    }
    Ok(out)
}

/// One group of 16 deltas in `bits` mode, read from `data[at..end]`; returns the position after it.
fn decode_group(
    bits: u8,
    group: &mut [u8],
    data: &[u8],
    at: usize,
    end: usize,
) -> Result<usize, String> {
    let take = |from: usize, n: usize| {
        data.get(from..from + n)
            .filter(|_| from + n <= end)
            .ok_or(TRUNCATED)
    };
    match bits {
        0 => {
            group.fill(0);
            Ok(at)
        }
        3 => {
            group.copy_from_slice(take(at, 16)?);
            Ok(at + 16)
        }
        _ => {
            // 2-bit (bits 1) or 4-bit (bits 2) deltas, most significant first; the all-ones value
            // says the delta is the next byte after the packed ones.
            let width = if bits == 1 { 2 } else { 4 };
            let packed_len = 16 * width / 8;
            let packed = take(at, packed_len)?;
            let sentinel = (1u8 << width) - 1;
            let per_byte = 8 / width;
            let mut extra = at + packed_len;
            for (i, slot) in group.iter_mut().enumerate() {
                let shift = 8 - width * (i % per_byte + 1);
                let v = (packed[i / per_byte] >> shift) & sentinel;
                *slot = if v == sentinel {
                    let byte = take(extra, 1)?[0];
                    extra += 1;
                    byte
                } else {
                    v
                };
            }
            Ok(extra)
        }
    }
}

/// Unsigned LEB128 (at most 5 bytes, a u32) at `*at`, advancing it; `end` bounds the read.
fn varint(data: &[u8], at: &mut usize, end: usize) -> Result<u32, String> {
    let mut value: u32 = 0;
    for shift in (0..35).step_by(7) {
        let byte = *data.get(*at).filter(|_| *at < end).ok_or(TRUNCATED)?;
        *at += 1;
        value |= u32::from(byte & 0x7f).wrapping_shl(shift);
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("a varint is longer than 5 bytes".into())
}

fn unzigzag32(v: u32) -> u32 {
    if v & 1 != 0 { !(v >> 1) } else { v >> 1 }
}

/// The triangle decoder's state: the high-water mark, the last explicit index and the two FIFOs.
struct TriangleState<'d> {
    data: &'d [u8],
    /// Where the extra data is read.
    at: usize,
    /// Where the extra data ends (the `codeaux` table follows).
    end: usize,
    next: u32,
    last: u32,
    edges: [(u32, u32); 16],
    edge_at: usize,
    vertices: [u32; 16],
    vertex_at: usize,
}

impl TriangleState<'_> {
    /// The edge `back` places before the newest (0 is the newest).
    fn edge(&self, back: usize) -> (u32, u32) {
        self.edges[(self.edge_at + 15 - back) & 15]
    }

    fn push_edge(&mut self, a: u32, b: u32) {
        self.edges[self.edge_at] = (a, b);
        self.edge_at = (self.edge_at + 1) & 15;
    }

    /// The vertex `back` places before the newest (0 is the newest).
    fn vertex(&self, back: usize) -> u32 {
        self.vertices[(self.vertex_at + 15 - back) & 15]
    }

    fn push_vertex(&mut self, v: u32) {
        self.vertices[self.vertex_at] = v;
        self.vertex_at = (self.vertex_at + 1) & 15;
    }

    fn take_next(&mut self) -> u32 {
        let v = self.next;
        self.next = v.wrapping_add(1);
        v
    }

    /// An index written as a zigzag delta from `last` (which it updates).
    fn explicit(&mut self) -> Result<u32, String> {
        let v = varint(self.data, &mut self.at, self.end)?;
        self.last = self.last.wrapping_add(unzigzag32(v));
        Ok(self.last)
    }

    fn byte(&mut self) -> Result<u8, String> {
        let byte = *self
            .data
            .get(self.at)
            .filter(|_| self.at < self.end)
            .ok_or(TRUNCATED)?;
        self.at += 1;
        Ok(byte)
    }

    /// One triangle from its code byte.
    fn triangle(&mut self, code: u8, codeaux: &[u8]) -> Result<[u32; 3], String> {
        if code < 0xf0 {
            // A recent edge and a third vertex: new, recent, next to `last`, or explicit.
            let (a, b) = self.edge(usize::from(code >> 4));
            let low = code & 15;
            let c = match low {
                0 => {
                    let c = self.take_next();
                    self.push_vertex(c);
                    c
                }
                1..=0xc => self.vertex(usize::from(low)),
                0xd | 0xe => {
                    self.last = if low == 0xd {
                        self.last.wrapping_sub(1)
                    } else {
                        self.last.wrapping_add(1)
                    };
                    self.push_vertex(self.last);
                    self.last
                }
                _ => {
                    let c = self.explicit()?;
                    self.push_vertex(c);
                    c
                }
            };
            self.push_edge(c, b);
            self.push_edge(a, c);
            return Ok([a, b, c]);
        }
        // Three vertices: from the codeaux table (0xf0..0xfd) or an extra byte (0xfe, 0xff).
        let explicit_allowed = code >= 0xfe;
        let aux = if explicit_allowed {
            let byte = self.byte()?;
            if byte == 0 {
                self.next = 0;
            }
            byte
        } else {
            codeaux[usize::from(code & 15)]
        };
        let a = if code == 0xff {
            self.explicit()?
        } else {
            self.take_next()
        };
        // Read before any push: slot 0 is `next`, 15 explicit (0xfe/0xff only), else the FIFO.
        let side = |state: &mut Self, slot: u8| -> Result<(u32, bool), String> {
            Ok(match slot {
                0 => (state.take_next(), true),
                15 if explicit_allowed => (state.explicit()?, true),
                _ => (state.vertex(usize::from(slot) - 1), false),
            })
        };
        let (b, push_b) = side(self, aux >> 4)?;
        let (c, push_c) = side(self, aux & 15)?;
        self.push_vertex(a);
        if push_b {
            self.push_vertex(b);
        }
        if push_c {
            self.push_vertex(c);
        }
        self.push_edge(b, a);
        self.push_edge(c, b);
        self.push_edge(a, c);
        Ok([a, b, c])
    }
}

/// Mode 1. Header 0xe1, one code byte per triangle, extra data, then the 16-byte `codeaux` table.
pub(crate) fn decode_triangles(count: usize, data: &[u8]) -> Result<Vec<u32>, String> {
    if !count.is_multiple_of(3) {
        return Err(format!("count {count} is not a multiple of 3"));
    }
    if data.first() != Some(&0xe1) {
        return Err("the triangle stream does not start with 0xe1".into());
    }
    let triangles = count / 3;
    if data.len() < 1 + triangles + 16 {
        return Err(TRUNCATED.into());
    }
    let end = data.len() - 16;
    let (codes, codeaux) = (&data[1..1 + triangles], &data[end..]);
    let mut state = TriangleState {
        data,
        at: 1 + triangles,
        end,
        next: 0,
        last: 0,
        // What the reference decoder starts from; a valid stream never reads it.
        edges: [(u32::MAX, u32::MAX); 16],
        edge_at: 0,
        vertices: [u32::MAX; 16],
        vertex_at: 0,
    };
    let mut out = Vec::with_capacity(count);
    for &code in codes {
        out.extend_from_slice(&state.triangle(code, codeaux)?);
    }
    if state.at != end {
        return Err("the triangle stream has bytes left before its tail".into());
    }
    Ok(out)
}

/// Mode 2. Header 0xd1, one varint per index (bit 0 picks one of two baselines, the rest is a
/// zigzag delta), then 4 reserved bytes.
pub(crate) fn decode_index_sequence(count: usize, data: &[u8]) -> Result<Vec<u32>, String> {
    if data.first() != Some(&0xd1) {
        return Err("the index stream does not start with 0xd1".into());
    }
    if data.len() < 1 + 4 {
        return Err(TRUNCATED.into());
    }
    let end = data.len() - 4;
    let mut at = 1;
    let mut last = [0u32; 2];
    let mut out = Vec::with_capacity(count.min(end));
    for _ in 0..count {
        let v = varint(data, &mut at, end)?;
        let baseline = (v & 1) as usize;
        let delta = if v & 2 != 0 { !(v >> 2) } else { v >> 2 };
        last[baseline] = last[baseline].wrapping_add(delta);
        out.push(last[baseline]);
    }
    if at != end {
        return Err("the index stream has bytes left before its tail".into());
    }
    Ok(out)
}

/// Indices as little-endian u16 (truncated, as the reference decoder writes them) or u32.
fn write_indices(indices: &[u32], stride: usize) -> Vec<u8> {
    if stride == 2 {
        indices
            .iter()
            .flat_map(|&i| (i as u16).to_le_bytes())
            .collect()
    } else {
        indices.iter().flat_map(|&i| i.to_le_bytes()).collect()
    }
}

/// Filter 1: octahedral unit vectors, four 8-bit (stride 4) or 16-bit (stride 8) signed components.
fn octahedral(data: &mut [u8], stride: usize) {
    let wide = stride == 8;
    let max = if wide { 32767.0 } else { 127.0 };
    for element in data.chunks_exact_mut(stride) {
        let get = |e: &[u8], i: usize| -> f32 {
            if wide {
                f32::from(i16::from_le_bytes([e[2 * i], e[2 * i + 1]]))
            } else {
                f32::from(e[i] as i8)
            }
        };
        let one = get(element, 2);
        let (mut x, mut y) = (get(element, 0) / one, get(element, 1) / one);
        let z = 1.0 - x.abs() - y.abs();
        let t = z.min(0.0);
        x -= t.copysign(x);
        y -= t.copysign(y);
        let len = (x * x + y * y + z * z).sqrt();
        let values = [x / len, y / len, z / len].map(|v| {
            let v = (v * max).round();
            if v.is_finite() { v } else { 0.0 } // a zero "one" is out of range: unspecified
        });
        for (i, v) in values.into_iter().enumerate() {
            if wide {
                element[2 * i..2 * i + 2].copy_from_slice(&(v as i16).to_le_bytes());
            } else {
                element[i] = (v as i8) as u8;
            }
        }
    }
}

/// Filter 2: unit quaternions, three 16-bit components and the largest one's index.
fn quaternion(data: &mut [u8]) {
    let range = std::f32::consts::FRAC_1_SQRT_2;
    for element in data.chunks_exact_mut(8) {
        let c = |i: usize| i16::from_le_bytes([element[2 * i], element[2 * i + 1]]);
        let last = c(3);
        let one = f32::from(last | 3);
        let [x, y, z] = [c(0), c(1), c(2)].map(|v| f32::from(v) / one * range);
        let w = (1.0 - x * x - y * y - z * z).max(0.0).sqrt();
        let max_component = (last & 3) as usize;
        let mut out = [0i16; 4];
        for (offset, v) in [(1, x), (2, y), (3, z), (0, w)] {
            out[(max_component + offset) % 4] = (v * 32767.0).round() as i16;
        }
        for (i, v) in out.into_iter().enumerate() {
            element[2 * i..2 * i + 2].copy_from_slice(&v.to_le_bytes());
        }
    }
}

/// Filter 3: 32-bit values of an 8-bit exponent and a 24-bit mantissa, to f32.
fn exponential(data: &mut [u8]) {
    for value in data.chunks_exact_mut(4) {
        let input = i32::from_le_bytes([value[0], value[1], value[2], value[3]]);
        let e = input >> 24;
        let m = (input << 8) >> 8;
        let decoded = (2.0f64.powi(e) * f64::from(m)) as f32;
        value.copy_from_slice(&decoded.to_le_bytes());
    }
}

#[cfg(test)]
mod tests;
