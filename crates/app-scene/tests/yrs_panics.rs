//! Updates that make plain yrs 0.28.1 panic, kept in `tests/fuzz/yrs-panics/` (`v1-*.bin`,
//! `v2-*.bin`): each must still panic a bare `yrs::Doc` *while applying* (so the files stay real
//! crashers, e.g. for the browser guard test `tests/guard.test.mjs`, where a panic is a trap) and must
//! be rejected by `SceneDoc` without harming it (natively, where the panic is caught).
//!
//! How they were found: random byte mutations of valid SceneDoc updates (`find_yrs_panics`, 400,000
//! mutants from `common::mutate_nudging`, the mutator of `hostile.rs` plus small-number nudges) made
//! yrs panic only in a *later* `encode_state_as_update_*` (the pending-update merge,
//! `transaction.rs:408`; SceneDoc never calls it) and, in debug builds only, on integer overflow. Apply-time panics that survive a release
//! build (no overflow checks, as in the wasm bundle) came from varying the *numbers* of a valid update
//! instead: an item whose length reaches `u32::MAX` makes the next item of that client start at a
//! wrapped clock, and yrs's block lookup divides by zero (`block_store.rs:60`) while integrating it.
//! `crashers` below builds those from a valid update's layout; `write_crashers` writes the files:
//!
//! ```sh
//! cargo test -p app-scene --test yrs_panics -- --ignored --nocapture write_crashers
//! cargo test -p app-scene --test yrs_panics -- --ignored --nocapture find_yrs_panics   # the mutation search
//! ```

// A test file: its helpers may unwrap, expect and panic too (clippy.toml allows it in #[test] fns only).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use app_scene::{SceneDoc, SceneError};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, ReadTxn, StateVector, Transact, Update};

use common::{XorShift, last_panic, mutate_nudging, quiet_yrs_panics, sample_scene};

/// Update encodings, as the file names say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Version {
    V1,
    V2,
}

/// Where plain yrs panicked on an update.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Stage {
    /// While decoding or applying it (traps a wasm engine at once).
    Apply(String),
    /// Accepted, then encoding the document panicked.
    Encode(String),
}

/// Applies `update` to a bare yrs document holding `base` (a v1 update, possibly empty), as any
/// yrs user would, then encodes the whole document. Returns where it panicked, if it did.
fn plain_yrs_panics(base: &[u8], update: &[u8], version: Version) -> Option<Stage> {
    let doc = Doc::new();
    if !base.is_empty() {
        let base = Update::decode_v1(base).expect("the base is a valid update");
        doc.transact_mut()
            .apply_update(base)
            .expect("the base applies");
    }
    let applied = catch_unwind(AssertUnwindSafe(|| {
        let decoded = match version {
            Version::V1 => Update::decode_v1(update),
            Version::V2 => Update::decode_v2(update),
        };
        if let Ok(decoded) = decoded {
            let mut txn = doc.transact_mut();
            let _ = txn.apply_update(decoded);
        }
    }));
    if applied.is_err() {
        return Some(Stage::Apply(last_panic()));
    }
    let encoded = catch_unwind(AssertUnwindSafe(|| {
        let txn = doc.transact();
        txn.encode_state_as_update_v1(&StateVector::default());
        txn.encode_state_as_update_v2(&StateVector::default());
    }));
    encoded.err().map(|_| Stage::Encode(last_panic()))
}

/// Another peer's scene, for the "non-empty document" case.
fn other_scene() -> SceneDoc {
    let mut d = SceneDoc::with_client_id(99);
    let a = d.add_box([1.0; 3], [2.0; 3]).unwrap();
    d.set_base_color(a.as_str(), [0.2, 0.4, 0.6]).unwrap();
    d.add_sphere([0.0; 3], 0.5).unwrap();
    d
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fuzz/yrs-panics")
}

/// The crashers in `tests/fuzz/yrs-panics/`, with their encoding from the file name.
fn crasher_files() -> Vec<(String, Version, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(corpus_dir())
        .expect("tests/fuzz/yrs-panics exists")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_name()?.to_str()?.to_owned();
            let version = if name.starts_with("v1-") {
                Version::V1
            } else if name.starts_with("v2-") {
                Version::V2
            } else {
                return None;
            };
            name.ends_with(".bin")
                .then(|| (name, version, std::fs::read(&path).expect("readable")))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn each_crasher_still_panics_plain_yrs() {
    quiet_yrs_panics();
    let files = crasher_files();
    assert!(files.len() >= 3, "expected at least 3 crashers");
    let base = other_scene().encode_state_v1();
    for (name, version, bytes) in &files {
        // yrs hashes with random seeds; a crasher must panic every time, not by luck.
        for _ in 0..5 {
            for base in [&[][..], &base[..]] {
                let stage = plain_yrs_panics(base, bytes, *version);
                assert!(
                    matches!(stage, Some(Stage::Apply(_))),
                    "{name} (base {} bytes) no longer panics yrs while applying: {stage:?}",
                    base.len()
                );
            }
        }
    }
}

#[test]
fn scene_doc_rejects_each_crasher_and_is_unharmed() {
    quiet_yrs_panics();
    for (name, version, bytes) in crasher_files() {
        for non_empty in [false, true] {
            let mut d = SceneDoc::with_client_id(5);
            if non_empty {
                d.apply_update_v1(&other_scene().encode_state_v1()).unwrap();
                d.add_plane([0.0; 3], 3.0).unwrap();
            }
            let before = d.encode_state_v1();
            let result = match version {
                Version::V1 => d.apply_update_v1(&bytes),
                Version::V2 => d.apply_update_v2(&bytes),
            };
            assert!(
                matches!(result, Err(SceneError::BadUpdate(_))),
                "{name}: {result:?}"
            );
            assert_eq!(d.encode_state_v1(), before, "{name} changed the document");
            // Still fully usable.
            d.encode_state_v2();
            d.snapshot();
            d.drain_changes();
            d.add_sphere([0.0; 3], 1.0).unwrap();
            let mut peer = SceneDoc::with_client_id(6);
            peer.apply_update_v1(&d.encode_state_v1()).unwrap();
            assert_eq!(peer.node_ids(), d.node_ids(), "{name}");
        }
    }
}

/// A varint (lib0 `writeVarUint`).
fn var(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn string(out: &mut Vec<u8>, s: &str) {
    var(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// One item of a v1 update whose parent is a root type (optionally a key in it, as SceneDoc's node
/// entries are): the layout of a valid update's item, without origins.
fn root_item(out: &mut Vec<u8>, content_ref: u8, root: &str, key: Option<&str>) {
    out.push(content_ref | if key.is_some() { 0x20 } else { 0 });
    var(out, 1); // parent is a named root type
    string(out, root);
    if let Some(key) = key {
        string(out, key);
    }
}

/// `ContentDeleted` of `len` (ref 1).
fn deleted(out: &mut Vec<u8>, root: &str, key: Option<&str>, len: u64) {
    root_item(out, 1, root, key);
    var(out, len);
}

/// `ContentAny` of strings (ref 8; `119` is lib0's string tag).
fn any_strings(out: &mut Vec<u8>, root: &str, key: Option<&str>, values: &[&str]) {
    root_item(out, 8, root, key);
    var(out, values.len() as u64);
    for v in values {
        out.push(119);
        string(out, v);
    }
}

/// The crashers as v1 updates: one client whose item lengths add up to `u32::MAX` or just past it,
/// so the next item starts at a wrapped clock. Decoding accepts them; integrating them divides by
/// zero in yrs's block lookup.
fn crafted_v1() -> Vec<Vec<u8>> {
    let update = |client: u64, items: &dyn Fn(&mut Vec<u8>) -> u64| {
        let mut body = Vec::new();
        let count = items(&mut body);
        let mut out = Vec::new();
        var(&mut out, 1); // one client
        var(&mut out, count);
        var(&mut out, client);
        var(&mut out, 0); // first clock
        out.extend(body);
        var(&mut out, 0); // empty delete set
        out
    };
    let max = u64::from(u32::MAX);
    vec![
        // A root text-like type: a deleted run of u32::MAX, then two values.
        update(1, &|o| {
            deleted(o, "t", None, max);
            any_strings(o, "t", None, &["v", "w"]);
            2
        }),
        // SceneDoc's own roots: node entries in `nodes`, the length one short of the limit.
        update(0x51, &|o| {
            deleted(o, "nodes", Some("n1"), max - 1);
            any_strings(o, "nodes", Some("n2"), &["a", "b", "c"]);
            2
        }),
        // Two halves that reach the limit together, then the light.
        update(0xbeef, &|o| {
            deleted(o, "lights", Some("sun"), 0x8000_0000);
            deleted(o, "lights", Some("moon"), 0x7fff_ffff);
            any_strings(o, "lights", Some("sun"), &["x", "y"]);
            3
        }),
    ]
}

/// The v1 crashers and the same updates re-encoded as v2.
fn crafted() -> Vec<(String, Version, Vec<u8>)> {
    let mut out = Vec::new();
    let v1 = crafted_v1();
    for (i, bytes) in v1.iter().enumerate() {
        out.push((format!("v1-{:03}.bin", i + 1), Version::V1, bytes.clone()));
    }
    for (i, bytes) in v1.iter().enumerate() {
        // Decoding succeeds (the wrap happens in release builds without a panic); the v2 encoder
        // writes the same blocks.
        let Ok(update) = Update::decode_v1(bytes) else {
            continue;
        };
        out.push((
            format!("v2-{:03}.bin", i + 1),
            Version::V2,
            update.encode_v2(),
        ));
    }
    out
}

/// Writes [`crafted`] to `tests/fuzz/yrs-panics/` (run in a build without overflow checks, e.g.
/// `CARGO_PROFILE_DEV_OVERFLOW_CHECKS=false`: a debug build panics on the wrap while decoding, before
/// the v2 files can be made). Only crashers that reliably panic while applying are written.
#[test]
#[ignore = "regenerates tests/fuzz/yrs-panics/"]
fn write_crashers() {
    quiet_yrs_panics();
    let base = other_scene().encode_state_v1();
    let dir = corpus_dir();
    std::fs::create_dir_all(&dir).unwrap();
    for (name, version, bytes) in crafted() {
        match reliable_apply_panic(&base, &bytes, version) {
            Some(site) => {
                std::fs::write(dir.join(&name), &bytes).unwrap();
                println!("{name}: {} bytes, panics at {site}", bytes.len());
            }
            None => println!("{name}: does not panic reliably; not written"),
        }
    }
}

/// True if `update` panics a bare document while applying, empty and non-empty, every time tried.
fn reliable_apply_panic(base: &[u8], update: &[u8], version: Version) -> Option<String> {
    let mut site = None;
    for _ in 0..3 {
        for b in [&[][..], base] {
            match plain_yrs_panics(b, update, version) {
                Some(Stage::Apply(s)) => site = Some(s),
                _ => return None,
            }
        }
    }
    site
}

/// Removes byte runs (halving the run length down to 1) while the update still panics at `site`.
fn shrink(base: &[u8], update: Vec<u8>, version: Version, site: &str) -> Vec<u8> {
    let mut best = update;
    let mut run = best.len() / 2;
    while run >= 1 {
        let mut start = 0;
        while start + run <= best.len() {
            let mut candidate = best.clone();
            candidate.drain(start..start + run);
            if reliable_apply_panic(base, &candidate, version).as_deref() == Some(site) {
                best = candidate;
            } else {
                start += run;
            }
        }
        run /= 2;
    }
    best
}

/// Finds crashers (see the module comment). Writes `target/yrs-panics/{v1,v2}-NNN.bin` and prints
/// each one's panic site. `YRS_PANICS_TRIES` mutations per encoding (default 200,000).
#[test]
#[ignore = "a search, not a check: run it to regenerate tests/fuzz/yrs-panics/"]
fn find_yrs_panics() {
    quiet_yrs_panics();
    let tries: usize = std::env::var("YRS_PANICS_TRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/yrs-panics");
    std::fs::create_dir_all(&out).unwrap();
    let base = other_scene().encode_state_v1();
    let source = sample_scene();
    for (version, seed) in [
        (Version::V1, 0x9e37_79b9_7f4a_7c15_u64),
        (Version::V2, 0x2545_f491_4f6c_dd1d),
    ] {
        let valid = match version {
            Version::V1 => source.encode_state_v1(),
            Version::V2 => source.encode_state_v2(),
        };
        let prefix = match version {
            Version::V1 => "v1",
            Version::V2 => "v2",
        };
        let mut rng = XorShift(seed);
        let mut sites: Vec<String> = Vec::new();
        let mut hits = 0;
        let mut first = 0;
        let mut encode_sites: Vec<String> = Vec::new();
        for _ in 0..tries {
            let update = mutate_nudging(&mut rng, &valid);
            // Cheap first test (empty document once), then the reliable one.
            match plain_yrs_panics(&[], &update, version) {
                Some(Stage::Apply(_)) => first += 1,
                Some(Stage::Encode(site)) => {
                    if !encode_sites.contains(&site) {
                        println!("{prefix}: accepted, then encoding panicked at {site}");
                        encode_sites.push(site);
                    }
                    continue;
                }
                None => continue,
            }
            let Some(site) = reliable_apply_panic(&base, &update, version) else {
                continue;
            };
            hits += 1;
            if sites.contains(&site) {
                continue;
            }
            let small = shrink(&base, update, version, &site);
            sites.push(site.clone());
            let name = format!("{prefix}-{:03}.bin", sites.len());
            std::fs::write(out.join(&name), &small).unwrap();
            println!("{name}: {} bytes, panics at {site}", small.len());
        }
        println!(
            "{prefix}: {first} apply panics on an empty document, {hits} reliable ones, in {tries} mutations"
        );
    }
}
