//! Walks a v1 update's structure before yrs decodes it.
//!
//! yrs 0.28.1 trusts what an update declares: it reserves memory for a declared block, client or
//! value count before reading a single entry (`try_reserve`, so only counts too big for the
//! address space fail), and decodes nested `Any` values by recursion with no depth limit. So a
//! 10-byte update declaring ten million blocks grows a wasm instance's memory by about 240 MB,
//! which a wasm instance never gives back, before the update is refused for running out of bytes;
//! and a few megabytes of nested arrays overflow the stack (a trap on wasm, an abort natively,
//! where no guard can catch it). This walk reads the same wire format (lib0 v1, as Yjs writes it)
//! without allocating, refuses a count larger than the bytes left could hold and nesting deeper
//! than [`MAX_DEPTH`], and only then is the update handed to yrs.
//!
//! It checks shape, not meaning: whatever yrs would refuse anyway it may let through (yrs still
//! decodes it, under the guard), but nothing it accepts makes yrs reserve more than a small
//! multiple of the update's own size.

use yrs::encoding::read::{Cursor, Read};

/// Deepest nesting of `Any` arrays and maps accepted (a scene's values nest two levels; JSON
/// from other Yjs clients rarely more than a few dozen).
pub(crate) const MAX_DEPTH: usize = 256;

/// The wire format's block kinds and flags (Yjs `structs`, yrs `block.rs`).
const BLOCK_GC: u8 = 0;
const BLOCK_SKIP: u8 = 10;
const CONTENT_BINARY: u8 = 3;
const CONTENT_ANY: u8 = 8;
/// lib0's tag of a `Uint8Array` value.
const ANY_BUFFER: u8 = 116;
const HAS_ORIGIN: u8 = 0b1000_0000;
const HAS_RIGHT_ORIGIN: u8 = 0b0100_0000;
const HAS_PARENT_SUB: u8 = 0b0010_0000;

struct Walk<'a> {
    cursor: Cursor<'a>,
    /// Some client's blocks start after clock 0 or hold a skip (a range of unknown blocks).
    gap: bool,
    /// Where each binary block (`ContentBinary`, a Yjs `Uint8Array` value) sits: the offsets of its
    /// info byte and of its content. Noted only for [`v2_hazards`] (`None` otherwise), so checking
    /// an incoming update allocates nothing.
    binaries: Option<Vec<(usize, usize)>>,
}

type Walked = Result<(), String>;

impl Walk<'_> {
    fn left(&self) -> usize {
        self.cursor.buf.len() - self.cursor.next
    }

    fn var(&mut self, what: &str) -> Result<u64, String> {
        self.cursor
            .read_var::<u64>()
            .map_err(|e| format!("{what}: {e}"))
    }

    /// A declared count of entries, each at least `min_bytes` long: refused if the bytes left
    /// cannot hold that many.
    fn count(&mut self, min_bytes: usize, what: &str) -> Result<u64, String> {
        let count = self.var(what)?;
        let room = self.left() / min_bytes;
        if count > room as u64 {
            return Err(format!(
                "the update declares {count} {what} in {} bytes",
                self.left()
            ));
        }
        Ok(count)
    }

    fn bytes(&mut self, len: usize, what: &str) -> Walked {
        // Checked here: yrs's `Cursor::read_exact` adds `len` to its position unchecked.
        if len > self.left() {
            return Err(format!(
                "{what}: {len} bytes declared, {} left",
                self.left()
            ));
        }
        self.cursor
            .read_exact(len)
            .map(drop)
            .map_err(|e| format!("{what}: {e}"))
    }

    /// A length-prefixed byte string (strings, buffers, JSON text): bounds-checked, never copied.
    fn buf(&mut self, what: &str) -> Walked {
        let len = self.var(what)?;
        let len = usize::try_from(len).map_err(|_| format!("{what}: length {len}"))?;
        self.bytes(len, what)
    }

    /// Skips a lib0 signed varint without computing it: yrs's reader shifts past 64 bits and
    /// negates `i64::MIN` on some inputs, which panics where overflow checks are on (the fuzzer).
    fn skip_signed_var(&mut self) -> Walked {
        // yrs gives up after 11 bytes (6 value bits, then 7 per byte, beyond 70 bits).
        for _ in 0..11 {
            let byte = self
                .cursor
                .read_u8()
                .map_err(|e| format!("an integer: {e}"))?;
            if byte & 0x80 == 0 {
                return Ok(());
            }
        }
        Err("an integer longer than 11 bytes".to_owned())
    }

    fn id(&mut self) -> Walked {
        self.var("an id's client")?;
        self.var("an id's clock").map(drop)
    }

    fn update(&mut self) -> Walked {
        // A client's entry is at least its block count, client id and clock.
        let clients = self.count(3, "clients")?;
        for _ in 0..clients {
            // A block is at least two bytes: its info byte and a length or some content.
            let blocks = self.count(2, "blocks")?;
            self.var("a client id")?;
            self.gap |= self.var("a clock")? > 0;
            for _ in 0..blocks {
                self.block()?;
            }
        }
        self.delete_set()
    }

    fn block(&mut self) -> Walked {
        let info_at = self.cursor.next;
        let info = self.cursor.read_u8().map_err(|e| format!("a block: {e}"))?;
        if info == BLOCK_GC || info == BLOCK_SKIP {
            self.gap |= info == BLOCK_SKIP;
            return self.var("a block length").map(drop);
        }
        if info & HAS_ORIGIN != 0 {
            self.id()?;
        }
        if info & HAS_RIGHT_ORIGIN != 0 {
            self.id()?;
        }
        if info & (HAS_ORIGIN | HAS_RIGHT_ORIGIN) == 0 {
            if self.var("a parent")? == 1 {
                self.buf("a root name")?;
            } else {
                self.id()?;
            }
            if info & HAS_PARENT_SUB != 0 {
                self.buf("a key")?;
            }
        }
        if let (CONTENT_BINARY, Some(binaries)) = (info & 0b1111, &mut self.binaries) {
            binaries.push((info_at, self.cursor.next));
        }
        self.content(info & 0b1111)
    }

    fn content(&mut self, kind: u8) -> Walked {
        match kind {
            // Deleted: a length.
            1 => self.var("deleted content").map(drop),
            // JSON (only Yjs before v13 wrote it) and subdocuments: no scene holds either, and yrs
            // 0.28.1's v2 encoder writes both wrongly (the bytes do not read back, or read back as
            // other content), so a document holding one could not be saved as v2.
            2 => Err("the update holds JSON content (written by Yjs before v13 only), which a scene document does not use".to_owned()),
            // Binary, string, embed (JSON text).
            3..=5 => self.buf("content"),
            // Format: a key and a JSON value.
            6 => {
                self.buf("a format key")?;
                self.buf("a format value")
            }
            // A shared type: its kind, and an element's name.
            7 => {
                let type_ref = self.cursor.read_u8().map_err(|e| format!("a type: {e}"))?;
                if type_ref == 3 {
                    self.buf("an element name")?;
                }
                Ok(())
            }
            // Any: a count, then that many values.
            8 => {
                let n = self.count(1, "values")?;
                (0..n).try_for_each(|_| self.any(0))
            }
            9 => Err("the update holds a subdocument, which a scene document does not use".to_owned()),
            other => Err(format!("unknown content kind {other}")),
        }
    }

    fn any(&mut self, depth: usize) -> Walked {
        if depth > MAX_DEPTH {
            return Err(format!("values nested deeper than {MAX_DEPTH} levels"));
        }
        let tag = self.cursor.read_u8().map_err(|e| format!("a value: {e}"))?;
        match tag {
            // undefined, null, false, true
            127 | 126 | 121 | 120 => Ok(()),
            // integer (lib0 signed varint)
            125 => self.skip_signed_var(),
            124 => self.bytes(4, "a float32"),
            123 | 122 => self.bytes(8, "a float64 or bigint"),
            119 | 116 => self.buf("a string or buffer"),
            // map: a count, then key and value pairs (each at least 2 bytes)
            118 => {
                let n = self.count(2, "map entries")?;
                (0..n).try_for_each(|_| {
                    self.buf("a map key")?;
                    self.any(depth + 1)
                })
            }
            // array: a count, then values
            117 => {
                let n = self.count(1, "array items")?;
                (0..n).try_for_each(|_| self.any(depth + 1))
            }
            other => Err(format!("unknown value tag {other}")),
        }
    }

    fn delete_set(&mut self) -> Walked {
        // A client's entry: its id and a range count.
        let clients = self.count(2, "deleted clients")?;
        for _ in 0..clients {
            self.var("a client id")?;
            let ranges = self.count(2, "deleted ranges")?;
            for _ in 0..ranges {
                self.var("a deleted clock")?;
                self.var("a deleted length")?;
            }
        }
        Ok(())
    }
}

/// Checks that `update` (lib0 v1) declares no more entries than its bytes can hold and nests
/// values at most [`MAX_DEPTH`] deep. Reads, never allocates.
pub(crate) fn check_v1(update: &[u8]) -> Result<(), String> {
    walk(update, None).map(drop)
}

/// Checks that a v1 state vector declares no more entries than its bytes can hold (yrs reserves
/// for the declared count first) and holds nothing else.
pub(crate) fn check_state_vector_v1(state_vector: &[u8]) -> Result<(), String> {
    let mut walk = Walk {
        cursor: Cursor::new(state_vector),
        gap: false,
        binaries: None,
    };
    // An entry is a client id and a clock.
    let entries = walk.count(2, "state vector entries")?;
    for _ in 0..entries {
        walk.var("a client id")?;
        walk.var("a clock")?;
    }
    if walk.left() > 0 {
        return Err(format!("{} bytes after the state vector", walk.left()));
    }
    Ok(())
}

/// What yrs 0.28.1's v2 encoder cannot write, found in a document's whole state (v1).
pub(crate) struct V2Hazards {
    /// Some client's blocks start after clock 0 or include a skip: in a document's whole state
    /// (`encode_diff` from an empty state vector) the store holds one.
    pub gap: bool,
    /// `update` with every binary block rewritten as a one-value `Any` block holding the same
    /// bytes (Yjs reads both as the same `Uint8Array`), if it has any. yrs 0.28.1's v2 encoder
    /// writes a binary block's length twice (`EncoderV2::write_all` prefixes a length of its own
    /// to what `write_buf` already prefixed), so every value after it reads back wrong.
    pub without_binaries: Option<Vec<u8>>,
}

/// Walks a document's whole state (lib0 v1, as [`check_v1`]) for what yrs's v2 encoder gets wrong.
pub(crate) fn v2_hazards(update: &[u8]) -> Result<V2Hazards, String> {
    let walked = walk(update, Some(Vec::new()))?;
    let binaries = walked.binaries.unwrap_or_default();
    let without_binaries = (!binaries.is_empty()).then(|| {
        let mut out = Vec::with_capacity(update.len() + 2 * binaries.len());
        let mut from = 0;
        for &(info_at, content_at) in &binaries {
            out.extend_from_slice(&update[from..info_at]);
            // Same flags, content kind Any; then one value, tagged as a buffer, whose bytes (a
            // length and the data) are the binary content's, unchanged.
            out.push((update[info_at] & !0b1111) | CONTENT_ANY);
            out.extend_from_slice(&update[info_at + 1..content_at]);
            out.extend_from_slice(&[1, ANY_BUFFER]);
            from = content_at;
        }
        out.extend_from_slice(&update[from..]);
        out
    });
    Ok(V2Hazards {
        gap: walked.gap,
        without_binaries,
    })
}

fn walk(update: &[u8], binaries: Option<Vec<(usize, usize)>>) -> Result<Walk<'_>, String> {
    let mut walk = Walk {
        cursor: Cursor::new(update),
        gap: false,
        binaries,
    };
    walk.update()?;
    Ok(walk)
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::{Any, Array, Doc, Map, ReadTxn, Text, Transact};

    /// lib0's unsigned varint, as yrs writes it.
    fn var(n: u64, out: &mut Vec<u8>) {
        yrs::encoding::write::Write::write_var(out, n);
    }

    #[test]
    fn accepts_what_yrs_writes() {
        let doc = Doc::with_client_id(3);
        let map = doc.get_or_insert_map("nodes");
        let list = doc.get_or_insert_array("list");
        let text = doc.get_or_insert_text("text");
        {
            let mut txn = doc.transact_mut();
            map.insert(&mut txn, "a", Any::from(vec![Any::from(1.5), Any::Null]));
            map.insert(&mut txn, "b", yrs::MapPrelim::default());
            list.insert(&mut txn, 0, Any::from("x"));
            list.insert(&mut txn, 1, Any::from(true));
            text.insert(&mut txn, 0, "héllo");
            map.remove(&mut txn, "a");
            list.remove(&mut txn, 0);
        }
        let update = doc
            .transact()
            .encode_state_as_update_v1(&Default::default());
        check_v1(&update).unwrap();
        let hazards = v2_hazards(&update).unwrap();
        assert!(!hazards.gap && hazards.without_binaries.is_none());
        // An empty update: no clients, no deletions.
        check_v1(&[0, 0]).unwrap();
    }

    #[test]
    fn checks_state_vectors() {
        let doc = Doc::with_client_id(3);
        doc.get_or_insert_map("m")
            .insert(&mut doc.transact_mut(), "k", 1.0);
        check_state_vector_v1(&yrs::updates::encoder::Encode::encode_v1(
            &doc.transact().state_vector(),
        ))
        .unwrap();
        check_state_vector_v1(&[0]).unwrap();
        let mut bomb = Vec::new();
        var(1_000_000_000, &mut bomb);
        let error = check_state_vector_v1(&bomb).unwrap_err();
        assert!(error.contains("1000000000 state vector entries"), "{error}");
        assert!(
            check_state_vector_v1(&[1, 3, 1, 9])
                .unwrap_err()
                .contains("after")
        );
    }

    fn has_gap(update: &[u8]) -> Result<bool, String> {
        v2_hazards(update).map(|h| h.gap)
    }

    #[test]
    fn finds_gaps() {
        // Client 5: a skip of 3, then a GC of 1; no deletions.
        assert_eq!(
            has_gap(&[1, 2, 5, 0, BLOCK_SKIP, 3, BLOCK_GC, 1, 0]),
            Ok(true)
        );
        // Client 5 starting at clock 4 with a GC of 1.
        assert_eq!(has_gap(&[1, 1, 5, 4, BLOCK_GC, 1, 0]), Ok(true));
        assert_eq!(has_gap(&[1, 1, 5, 0, BLOCK_GC, 1, 0]), Ok(false));
    }

    #[test]
    fn rewrites_binary_blocks_as_buffers_that_yrs_writes_as_v2_correctly() {
        use yrs::updates::decoder::Decode;
        use yrs::updates::encoder::Encode;
        use yrs::{Out, Update};
        // Client 5 under root "r": a binary [1, 2, 3] (kind 3), then the integer 5 (kind 8).
        let update = [
            1, 2, 5, 0, 3, 1, 1, b'r', 3, 1, 2, 3, 8, 1, 1, b'r', 1, 125, 5, 0,
        ];
        // What yrs 0.28.1 does with it: its v2 encoding does not read back.
        let decoded = Update::decode_v1(&update).unwrap();
        assert!(Update::decode_v2(&decoded.encode_v2()).is_err());

        let rewritten = v2_hazards(&update).unwrap().without_binaries.unwrap();
        assert_eq!(
            rewritten,
            [
                1, 2, 5, 0, 8, 1, 1, b'r', 1, 116, 3, 1, 2, 3, 8, 1, 1, b'r', 1, 125, 5, 0
            ]
        );
        let v2 = Update::decode_v1(&rewritten).unwrap().encode_v2();
        let doc = Doc::new();
        doc.transact_mut()
            .apply_update(Update::decode_v2(&v2).unwrap())
            .unwrap();
        let list = doc.get_or_insert_array("r");
        let values: Vec<Out> = list.iter(&doc.transact()).collect();
        assert_eq!(values.len(), 2, "both values read back: {values:?}");
        // Neither has an origin, so the later one reads first.
        assert_eq!(values[1], Out::Any(Any::Buffer(vec![1u8, 2, 3].into())));
        assert!(
            v2_hazards(&[1, 1, 5, 0, BLOCK_GC, 1, 0])
                .unwrap()
                .without_binaries
                .is_none()
        );
    }

    #[test]
    fn refuses_a_declared_block_count_the_bytes_cannot_hold() {
        // One client declaring ten million blocks, then one GC block: 9 bytes.
        let mut update = vec![1];
        var(10_000_000, &mut update);
        update.extend([5, 0, BLOCK_GC, 1]);
        let error = check_v1(&update).unwrap_err();
        assert!(error.contains("10000000 blocks"), "{error}");
    }

    #[test]
    fn refuses_counts_in_values_and_delete_sets() {
        // An Any item (kind 8) under root "r" declaring 4 billion values.
        let mut any = vec![1, 1, 5, 0, 8, 1, 1, b'r'];
        var(4_000_000_000, &mut any);
        assert!(check_v1(&any).unwrap_err().contains("values"));
        // A delete set declaring a million clients in 3 bytes.
        let mut ds = vec![0];
        var(1_000_000, &mut ds);
        assert!(check_v1(&ds).unwrap_err().contains("deleted clients"));
    }

    #[test]
    fn walks_integers_yrs_would_overflow_on() {
        // An Any item holding one integer of 11 bytes: yrs's reader shifts it by 69 bits.
        let mut update = vec![1, 1, 5, 0, 8, 1, 1, b'r', 1, 125];
        update.extend([0xff; 10]);
        update.extend([0x01, 0]);
        check_v1(&update).unwrap();
        let mut longer = vec![1, 1, 5, 0, 8, 1, 1, b'r', 1, 125];
        longer.extend([0xff; 12]);
        longer.extend([0x01, 0]);
        assert!(check_v1(&longer).unwrap_err().contains("longer than 11"));
    }

    #[test]
    fn refuses_lengths_past_the_end() {
        // A root name declaring 2^64 - 1 bytes (yrs's cursor would overflow adding it).
        let mut update = vec![1, 1, 5, 0, 8, 1];
        var(u64::MAX, &mut update);
        let error = check_v1(&update).unwrap_err();
        assert!(error.contains("bytes declared"), "{error}");
    }

    #[test]
    fn refuses_deep_nesting() {
        // An Any item holding an array nested 1,000 levels deep.
        let mut update = vec![1, 1, 5, 0, 8, 1, 1, b'r', 1];
        for _ in 0..1000 {
            update.extend([117, 1]);
        }
        update.push(126);
        update.extend([0]);
        let error = check_v1(&update).unwrap_err();
        assert!(error.contains("nested deeper"), "{error}");
        // The same 100 levels deep is fine.
        let mut shallow = vec![1, 1, 5, 0, 8, 1, 1, b'r', 1];
        for _ in 0..100 {
            shallow.extend([117, 1]);
        }
        shallow.extend([126, 0]);
        check_v1(&shallow).unwrap();
    }
}
