//! Replays the fuzz corpus and every saved crasher (`tests/fuzz/{corpus,crashers}/<target>/`)
//! through the same checks as the cargo-fuzz targets in `fuzz/`, on stable with plain `cargo test`:
//! a crash the fuzzer found stays fixed. Also replays `tests/fuzz/yrs-panics/*.bin` (updates that
//! panic plain yrs 0.28.1), which `SceneDoc` must refuse without panicking.
//!
//! `FUZZ_WRITE_SEEDS=1 cargo test -p app-scene --test fuzz_replay write_seeds -- --ignored` writes
//! the hand-made seed inputs the corpus started from.

// A test file: its helpers may unwrap, expect and panic too (clippy.toml allows it in #[test] fns only).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod fuzz_checks;

use std::path::{Path, PathBuf};

use arbitrary::{Arbitrary, Unstructured};

use fuzz_checks::api::Session;
use fuzz_checks::document::HostileDocument;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fuzz")
}

/// Every file under `tests/fuzz/<kind>/<target>/`, sorted.
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = fuzz_dir().join(kind).join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && !p
                            .file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Decodes bytes as libfuzzer-sys does for a typed target: `None` where it would skip the input.
fn structured<T: for<'a> Arbitrary<'a>>(bytes: &[u8]) -> Option<T> {
    if bytes.len() < T::size_hint(0).0 {
        return None;
    }
    T::arbitrary_take_rest(Unstructured::new(bytes)).ok()
}

/// Runs `check` on every corpus and crasher file of `target`, naming the file that fails.
fn replay(target: &str, check: impl Fn(&[u8])) {
    fuzz_checks::install_panic_hook();
    let mut count = 0;
    for kind in ["corpus", "crashers"] {
        for path in inputs(kind, target) {
            let bytes = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&bytes)));
            assert!(outcome.is_ok(), "{} fails its checks", path.display());
            count += 1;
        }
    }
    assert!(
        count > 0,
        "no corpus for {target} under {}",
        fuzz_dir().display()
    );
}

#[test]
fn apply_update_corpus() {
    replay("apply_update", fuzz_checks::apply_update);
}

#[test]
fn sync_message_corpus() {
    replay("sync_message", fuzz_checks::sync_message);
}

#[test]
fn read_document_corpus() {
    replay("read_document", |bytes| {
        if let Some(input) = structured::<HostileDocument>(bytes) {
            fuzz_checks::document::read_document(&input);
        }
    });
}

#[test]
fn api_sequence_corpus() {
    replay("api_sequence", |bytes| {
        if let Some(session) = structured::<Session>(bytes) {
            fuzz_checks::api::api_sequence(&session);
        }
    });
}

/// Updates that make plain yrs panic (`v1-*.bin`, `v2-*.bin`, written by `tests/yrs_panics.rs`) go
/// through the `apply_update` checks as v1 and v2, into an empty and a non-empty document, and an
/// empty document refuses each in its own encoding.
#[test]
fn yrs_panics_are_refused() {
    fuzz_checks::install_panic_hook();
    let Ok(entries) = std::fs::read_dir(fuzz_dir().join("yrs-panics")) else {
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .collect();
    files.sort();
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        for selector in 0..4u8 {
            let input = [&[selector][..], &bytes].concat();
            let outcome = std::panic::catch_unwind(|| fuzz_checks::apply_update(&input));
            assert!(
                outcome.is_ok(),
                "{} (selector {selector}) fails",
                path.display()
            );
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut empty = fuzz_checks::new_doc(fuzz_checks::SUBJECT_ID);
        let result = if name.starts_with("v2-") {
            empty.apply_update_v2(&bytes)
        } else {
            empty.apply_update_v1(&bytes)
        };
        assert!(result.is_err(), "{name} is accepted");
        assert!(empty.is_empty(), "{name} left something behind");
    }
}

/// Writes the seed inputs (valid updates and messages, a few structured inputs) into the corpus.
#[test]
#[ignore = "writes files; run by hand with FUZZ_WRITE_SEEDS=1"]
fn write_seeds() {
    if std::env::var_os("FUZZ_WRITE_SEEDS").is_none() {
        return;
    }
    let write = |target: &str, name: &str, bytes: &[u8]| {
        let dir = fuzz_dir().join("corpus").join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("seed-{name}")), bytes).unwrap();
    };
    let base = fuzz_checks::base_doc();
    let mut other = fuzz_checks::new_doc(42);
    let a = other.add_sphere([0.5; 3], 2.0).unwrap();
    other.set_name(a.as_str(), "peer").unwrap();
    let (v1, v2) = (base.encode_state_v1(), base.encode_state_v2());
    let (o1, o2) = (other.encode_state_v1(), other.encode_state_v2());
    for (selector, name, bytes) in [
        (0u8, "base-v1-into-base", &v1),
        (1, "base-v2-into-base", &v2),
        (2, "base-v1-into-empty", &v1),
        (3, "base-v2-into-empty", &v2),
        (0, "peer-v1-into-base", &o1),
        (1, "peer-v2-into-base", &o2),
    ] {
        write("apply_update", name, &[&[selector][..], bytes].concat());
    }
    use app_scene::protocol::{awareness_message, query_awareness_message, update_message};
    let step1 = other.sync_step1();
    let step2 = {
        let mut fresh = fuzz_checks::new_doc(43);
        fresh.handle_sync_message(&step1).unwrap().replies.remove(0)
    };
    let awareness = [1u8, 42, 1, 2, b'{', b'}'];
    for (name, message) in [
        ("step1", step1),
        ("step2", step2),
        ("update", update_message(&o1)),
        ("awareness", awareness_message(&awareness)),
        ("query-awareness", query_awareness_message()),
        (
            "auth-denied",
            vec![2, 0, 6, b'n', b'o', b' ', b'w', b'a', b'y'],
        ),
    ] {
        for selector in [0u8, 1] {
            write(
                "sync_message",
                &format!("{name}-{selector}"),
                &[&[selector][..], &message].concat(),
            );
        }
    }
    // Structured targets: random bytes decode to something; a few lengths give a start.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for target in ["read_document", "api_sequence"] {
        for len in [64usize, 256, 1024] {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            write(target, &format!("random-{len}"), &bytes);
        }
    }
}
