//! Test encoders for `EXT_meshopt_compression` streams (modes ATTRIBUTES and INDICES), shared by the
//! codec's unit tests (`src/meshopt/tests.rs`) and the importer's (`tests/meshopt.rs`).

pub fn zigzag8(v: u8) -> u8 {
    if v & 0x80 != 0 { !(v << 1) } else { v << 1 }
}

pub fn varint(mut v: u32, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Mode 0, choosing for each group of 16 deltas the smallest of the four encodings, so that a stream
/// of varied data uses all of them.
pub fn encode_attributes(data: &[u8], stride: usize, modes: &mut [usize; 4]) -> Vec<u8> {
    let count = data.len() / stride;
    let mut out = vec![0xa0];
    let block_max = ((8192 / stride) & !15).min(256);
    let mut last = vec![0u8; stride];
    let mut first = 0;
    while first < count {
        let block = block_max.min(count - first);
        let groups = block.div_ceil(16);
        for k in 0..stride {
            let mut deltas = vec![0u8; groups * 16];
            for j in 0..block {
                let v = data[(first + j) * stride + k];
                deltas[j] = zigzag8(v.wrapping_sub(last[k]));
                last[k] = v;
            }
            let mut header = vec![0u8; groups.div_ceil(4)];
            let mut body = Vec::new();
            for (g, group) in deltas.chunks(16).enumerate() {
                let max = *group.iter().max().unwrap();
                let bits: u8 = if max == 0 {
                    0
                } else if group.iter().filter(|&&d| d >= 3).count() <= 4 {
                    1
                } else if group.iter().filter(|&&d| d >= 15).count() <= 8 {
                    2
                } else {
                    3
                };
                header[g / 4] |= bits << ((g % 4) * 2);
                modes[usize::from(bits)] += 1;
                match bits {
                    0 => {}
                    3 => body.extend_from_slice(group),
                    _ => {
                        let width = if bits == 1 { 2 } else { 4 };
                        let sentinel = (1u8 << width) - 1;
                        let per_byte = 8 / width;
                        let mut packed = vec![0u8; 16 / per_byte];
                        let mut extra = Vec::new();
                        for (i, &d) in group.iter().enumerate() {
                            let v = if d >= sentinel {
                                extra.push(d);
                                sentinel
                            } else {
                                d
                            };
                            packed[i / per_byte] |= v << (8 - width * (i % per_byte + 1));
                        }
                        body.extend(packed);
                        body.extend(extra);
                    }
                }
            }
            out.extend(header);
            out.extend(body);
        }
        first += block;
    }
    // The tail: the baseline element (zeros), padded to 32 bytes.
    out.extend(vec![0u8; stride.max(32)]);
    out
}

/// Mode 2: deltas from baseline 0, except every third index from baseline 1.
pub fn encode_index_sequence(indices: &[u32]) -> Vec<u8> {
    let mut out = vec![0xd1];
    let mut last = [0u32; 2];
    for (i, &index) in indices.iter().enumerate() {
        let baseline = usize::from(i % 3 == 2);
        let delta = index.wrapping_sub(last[baseline]) as i32;
        let zz = ((delta << 1) ^ (delta >> 31)) as u32;
        varint((zz << 1) | baseline as u32, &mut out);
        last[baseline] = index;
    }
    out.extend([0; 4]);
    out
}
