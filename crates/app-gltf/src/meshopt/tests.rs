//! The codec against streams written by a small encoder here (every attribute group mode, both index
//! baselines, several blocks), a triangle stream worked out by hand through every code the
//! specification lists, the specification's own example, and broken streams.

use super::*;

#[path = "../../tests/common/meshopt_encode.rs"]
mod encode;
use encode::{encode_attributes, encode_index_sequence};

/// Varied bytes from a fixed seed.
fn noise(n: usize, seed: u32) -> Vec<u8> {
    let mut x = seed;
    (0..n)
        .map(|i| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            // Runs of equal and of nearby values as well as noise, so every group mode occurs.
            match (i / 512) % 3 {
                0 => 7,
                1 => (i as u8 / 16).wrapping_add((x >> 30) as u8),
                _ => (x >> 24) as u8,
            }
        })
        .collect()
}

#[test]
fn the_specifications_4_bit_example_decodes() {
    // From the extension's Appendix A: 16 deltas, two of them explicit bytes after the sentinels.
    let bytes = [0x17, 0x5f, 0xf0, 0xbc, 0x77, 0xa9, 0x21, 0x00, 0x34, 0xb5];
    let mut group = [0u8; 16];
    let at = decode_group(2, &mut group, &bytes, 0, bytes.len()).unwrap();
    assert_eq!(at, bytes.len());
    let deltas: Vec<i8> = group.iter().map(|&d| unzigzag8(d) as i8).collect();
    assert_eq!(
        deltas,
        [-1, -4, -3, 26, -91, 0, -6, 6, -4, -4, 5, -5, 1, -1, 0, 0]
    );
}

#[test]
fn varints_and_filters() {
    for (bytes, value) in [
        (&[0x7f][..], 0x7f),
        (&[0x81, 0x04], 0x201),
        // Little-endian groups, as meshoptimizer's decodeVByte reads them (the extension text's own
        // third example, 0xff 0xa0 0x05 => 0x1fd005, reads them the other way round).
        (&[0xff, 0xa0, 0x05], 0x1507f),
    ] {
        let mut at = 0;
        assert_eq!(varint(bytes, &mut at, bytes.len()).unwrap(), value);
        assert_eq!(at, bytes.len());
    }
    assert!(varint(&[0xff; 6], &mut 0, 6).is_err());
    assert!(varint(&[0x81], &mut 0, 1).is_err());
    // Exponential: 3 × 2^-2.
    let mut v = ((-2i32 << 24) | 3).to_le_bytes().to_vec();
    exponential(&mut v);
    assert_eq!(f32::from_le_bytes(v.try_into().unwrap()), 0.75);
    // Octahedral, 8-bit: (0, 0, one) is +z.
    let mut n = vec![0, 0, 127, 9];
    octahedral(&mut n, 4);
    assert_eq!(n, [0, 0, 127, 9]);
    // Quaternion: all three stored components 0, the largest (w, index 3) is 1.
    let mut q = [0i16, 0, 0, 0x7ffc | 3]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect::<Vec<u8>>();
    quaternion(&mut q);
    let out: Vec<i16> = q
        .chunks(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect();
    assert_eq!(out, [0, 0, 0, 32767]);
}

#[test]
fn attribute_streams_of_every_group_mode_and_several_blocks_round_trip() {
    // Strides 4..=256; counts across group (16) and block (8192 / stride, at most 256) edges.
    let mut modes = [0usize; 4];
    for (stride, count) in [(4, 1), (4, 17), (8, 300), (12, 1000), (64, 200), (256, 40)] {
        let data = noise(stride * count, stride as u32 * 31 + count as u32);
        let stream = encode_attributes(&data, stride, &mut modes);
        assert_eq!(
            decode_attributes(count, stride, &stream).unwrap(),
            data,
            "stride {stride}, count {count}"
        );
        // Any cut is refused, and so is a byte too many before the tail.
        for cut in [1, stream.len() / 2, stream.len() - 1] {
            assert!(decode_attributes(count, stride, &stream[..cut]).is_err());
        }
        let mut longer = stream.clone();
        longer.insert(stream.len() - stride.max(32), 0);
        assert!(decode_attributes(count, stride, &longer).is_err());
    }
    assert!(
        modes.iter().all(|&n| n > 0),
        "every group mode was used: {modes:?}"
    );
    assert!(
        decode_attributes(1, 4, &[0xa1; 40]).is_err(),
        "another header"
    );
}

#[test]
fn index_sequences_round_trip_on_both_baselines() {
    let indices: Vec<u32> = (0..500u32)
        .map(|i| (i * 7919) % 1000 + (i % 3) * 100_000)
        .collect();
    let stream = encode_index_sequence(&indices);
    assert_eq!(
        decode_index_sequence(indices.len(), &stream).unwrap(),
        indices
    );
    assert!(decode_index_sequence(indices.len() + 1, &stream).is_err());
    assert!(
        decode_index_sequence(indices.len() - 1, &stream).is_err(),
        "bytes left"
    );
    assert!(
        decode_index_sequence(1, &[0xd1, 0x80, 0, 0, 0]).is_err(),
        "varint runs into the tail"
    );
}

#[test]
fn a_triangle_stream_through_every_code() {
    // Worked out by hand from the specification (FIFO index 0 is the newest entry):
    //   0xf0 codeaux[0] = 0x00: three new vertices      (0, 1, 2)
    //   0x00: edge 0 (0, 2) and the next vertex         (0, 2, 3)
    //   0x12: edge 1 (3, 2) and vertex FIFO entry 2     (3, 2, 1)
    //   0x0f: edge 0 (3, 1) and 10, explicit (+10)      (3, 1, 10)
    //   0x0e: edge 0 (3, 10) and last + 1               (3, 10, 11)
    //   0x0d: edge 0 (3, 11) and last - 1               (3, 11, 10)
    //   0xfe, byte 0x00: next reset, three new          (0, 1, 2)
    //   0xff, byte 0xf1: 20 (+10), 5 (-15), FIFO 0      (20, 5, 2)
    //   0xf1 codeaux[1] = 0x21: next, FIFO 1, FIFO 0    (3, 20, 5)
    let mut stream = vec![0xe1, 0xf0, 0x00, 0x12, 0x0f, 0x0e, 0x0d, 0xfe, 0xff, 0xf1];
    stream.extend([0x14, 0x00, 0xf1, 0x14, 0x1d]);
    let mut codeaux = [0u8; 16];
    codeaux[1] = 0x21;
    stream.extend(codeaux);
    let expected = [
        0, 1, 2, 0, 2, 3, 3, 2, 1, 3, 1, 10, 3, 10, 11, 3, 11, 10, 0, 1, 2, 20, 5, 2, 3, 20, 5,
    ];
    assert_eq!(decode_triangles(27, &stream).unwrap(), expected);
    assert_eq!(
        write_indices(&expected, 2)[..6],
        [0, 0, 1, 0, 2, 0],
        "u16 output"
    );
    // Broken: a count that is not whole triangles, a cut, a byte left over, another header.
    assert!(decode_triangles(26, &stream).is_err());
    assert!(decode_triangles(27, &stream[..stream.len() - 1]).is_err());
    let mut longer = stream.clone();
    longer.insert(15, 0x00);
    assert!(decode_triangles(27, &longer).is_err());
    stream[0] = 0xe0;
    assert!(decode_triangles(27, &stream).is_err());
}

#[test]
fn hostile_streams_never_panic() {
    let mut x = 12_345u32;
    for len in 0..400 {
        let data: Vec<u8> = (0..len)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (x >> 16) as u8
            })
            .collect();
        for header in [0xa0, 0xe1, 0xd1] {
            let mut stream = data.clone();
            if let Some(first) = stream.first_mut() {
                *first = header;
            }
            let _ = decode_attributes(len % 40 + 1, 4 * (len % 8 + 1), &stream);
            let _ = decode_triangles(3 * (len % 30), &stream);
            let _ = decode_index_sequence(len % 50, &stream);
        }
    }
}
