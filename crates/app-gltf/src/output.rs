//! What an import accumulates: the encoded assets (each once, within [`MAX_IMPORT_BYTES`]) and the
//! notes on what was skipped.
//!
//! Contract:
//! - [`Output::add`] stores bytes under their content id once; the running total of stored bytes
//!   never exceeds [`MAX_IMPORT_BYTES`] (the add that would fails naming the limit).
//! - [`Output::reserve`] fails *before* a mesh is decoded when its estimated encoding would not fit,
//!   so a small file declaring a huge mesh costs no memory; [`Output::charge_work`] bounds the total
//!   geometry decoded, so many primitives sharing one big accessor under different keys cannot make
//!   an import slow.
//! - [`Ignored`] keeps one entry per kind of skipped thing, in the order first seen, with a count and
//!   up to [`MAX_NAMES`] examples.

use std::collections::HashSet;

use app_core::AssetId;

use crate::MAX_IMPORT_BYTES;
use crate::error::{ImportError, invalid};

/// Examples kept per ignored kind ("node 3, node 7, …").
const MAX_NAMES: usize = 3;

/// Geometry bytes an import may decode in all (estimated encodings), four times the asset limit: a
/// model whose distinct primitives share geometry decodes some of it more than once.
const MAX_WORK_BYTES: usize = 4 * MAX_IMPORT_BYTES;

/// Encoded assets, deduplicated, within the size limit.
#[derive(Default)]
pub(crate) struct Output {
    /// The assets, in the order first added.
    pub assets: Vec<(AssetId, Vec<u8>)>,
    seen: HashSet<AssetId>,
    bytes: usize,
    work: usize,
    /// What was skipped.
    pub ignored: Ignored,
}

impl Output {
    /// Stores `bytes` (once per content) and returns their id; `what` names the asset for the error.
    pub fn add(
        &mut self,
        bytes: Vec<u8>,
        what: &dyn Fn() -> String,
    ) -> Result<AssetId, ImportError> {
        let id = AssetId::of(&bytes);
        self.add_with_id(id, bytes, what)?;
        Ok(id)
    }

    /// Whether `id` is stored already.
    pub fn has(&self, id: &AssetId) -> bool {
        self.seen.contains(id)
    }

    /// [`Output::add`] for bytes whose id the caller computed already.
    pub fn add_with_id(
        &mut self,
        id: AssetId,
        bytes: Vec<u8>,
        what: &dyn Fn() -> String,
    ) -> Result<(), ImportError> {
        if self.seen.contains(&id) {
            return Ok(());
        }
        self.reserve(bytes.len(), what)?;
        self.bytes += bytes.len();
        self.seen.insert(id);
        self.assets.push((id, bytes));
        Ok(())
    }

    /// Fails unless `more` bytes would still fit the limit.
    pub fn reserve(&self, more: usize, what: &dyn Fn() -> String) -> Result<(), ImportError> {
        let needed = self.bytes.saturating_add(more);
        if needed > MAX_IMPORT_BYTES {
            return Err(ImportError::TooLarge {
                what: what(),
                needed,
                limit: MAX_IMPORT_BYTES,
            });
        }
        Ok(())
    }

    /// Counts `bytes` of geometry about to be decoded against the import's decoding budget.
    pub fn charge_work(
        &mut self,
        bytes: usize,
        what: &dyn Fn() -> String,
    ) -> Result<(), ImportError> {
        self.work = self.work.saturating_add(bytes);
        if self.work > MAX_WORK_BYTES {
            return Err(invalid(format!(
                "{}: the model's primitives need more than {MAX_WORK_BYTES} bytes of geometry decoded \
                 in all (many primitives repeat the same large data)",
                what()
            )));
        }
        Ok(())
    }
}

struct Entry {
    kind: String,
    count: Option<usize>,
    names: Vec<String>,
}

/// What the file held that was not imported, one entry per kind.
#[derive(Default)]
pub(crate) struct Ignored(Vec<Entry>);

impl Ignored {
    fn entry(&mut self, kind: &str, counted: bool) -> &mut Entry {
        let at = match self.0.iter().position(|e| e.kind == kind) {
            Some(at) => at,
            None => {
                self.0.push(Entry {
                    kind: kind.to_string(),
                    count: counted.then_some(0),
                    names: Vec::new(),
                });
                self.0.len() - 1
            }
        };
        // In range: found above, or the entry just pushed.
        &mut self.0[at]
    }

    /// Notes one more thing of `kind` ("points/lines primitives (3)").
    pub fn count(&mut self, kind: &str) {
        self.count_by(kind, 1);
    }

    /// Notes `n` more things of `kind` (nothing when `n` is 0).
    pub fn count_by(&mut self, kind: &str, n: usize) {
        if n > 0 {
            let e = self.entry(kind, true);
            e.count = Some(e.count.unwrap_or(0) + n);
        }
    }

    /// Notes one more thing of `kind`, naming it ("shear in node matrices (2: node 3, node 7)").
    pub fn named(&mut self, kind: &str, name: String) {
        let e = self.entry(kind, true);
        e.count = Some(e.count.unwrap_or(0) + 1);
        if e.names.len() < MAX_NAMES && !e.names.contains(&name) {
            e.names.push(name);
        }
    }

    /// Notes `kind` once, without a count ("KHR_lights_punctual").
    pub fn flag(&mut self, kind: &str) {
        self.entry(kind, false);
    }

    /// The entries as the user reads them.
    pub fn into_strings(self) -> Vec<String> {
        self.0
            .into_iter()
            .map(|e| match e.count {
                None => e.kind,
                Some(n) if e.names.is_empty() => format!("{} ({n})", e.kind),
                Some(n) => {
                    let more = if n > e.names.len() { ", …" } else { "" };
                    format!("{} ({n}: {}{more})", e.kind, e.names.join(", "))
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_entries_count_and_name() {
        let mut ignored = Ignored::default();
        ignored.count_by("animations", 2);
        ignored.flag("KHR_lights_punctual");
        ignored.flag("KHR_lights_punctual");
        for i in 0..5 {
            ignored.named("shear in node matrices", format!("node {i}"));
        }
        ignored.count_by("skins", 0);
        assert_eq!(
            ignored.into_strings(),
            [
                "animations (2)",
                "KHR_lights_punctual",
                "shear in node matrices (5: node 0, node 1, node 2, …)"
            ]
        );
    }

    #[test]
    fn assets_are_stored_once_within_the_limit() {
        let mut out = Output::default();
        let a = out.add(vec![1, 2, 3], &|| "a".into()).unwrap();
        let b = out.add(vec![1, 2, 3], &|| "b".into()).unwrap();
        assert_eq!(a, b);
        assert_eq!(out.assets.len(), 1);
        let err = out
            .reserve(MAX_IMPORT_BYTES, &|| "mesh 0".into())
            .unwrap_err();
        assert!(
            err.to_string().contains(&MAX_IMPORT_BYTES.to_string()),
            "{err}"
        );
    }
}
