//! Nodes staged inside a batch (`src/batch.rs`) are invisible to a read transaction opened straight on
//! the document. This test fails when a new one appears outside the places that flush first.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)] // test code

use std::path::Path;

/// Files allowed to open the live document's transactions directly, and how many times: the staging
/// code itself, the tree index refresh (staging takes the order from it), the staging path of
/// `add_node`, and the change drain (which flushes at its start).
const ALLOWED: &[(&str, usize)] = &[
    ("batch.rs", 1),
    ("doc.rs", 1),
    ("edit.rs", 1),
    ("changes.rs", 1),
];

fn direct_reads(source: &str) -> usize {
    let squashed: String = source.split_whitespace().collect();
    squashed.matches("self.doc.try_transact(").count()
}

#[test]
fn reads_of_the_live_document_go_through_read_txn() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let n = direct_reads(&std::fs::read_to_string(&path).unwrap());
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let allowed = ALLOWED.iter().find(|(f, _)| *f == name).map_or(0, |a| a.1);
                if n > allowed {
                    found.push(format!("{name}: {n} (allowed {allowed})"));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "use SceneDoc::read_txn, which writes staged nodes first: {found:?}"
    );
}

#[test]
fn the_check_sees_a_direct_read() {
    assert_eq!(
        direct_reads("let t = self\n    .doc\n    .try_transact()?;"),
        1
    );
    assert_eq!(direct_reads("let t = self.read_txn()?;"), 0);
}
