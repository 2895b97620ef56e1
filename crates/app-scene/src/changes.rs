//! The change stream: what observers recorded, turned into `app-core` changes. Cost is proportional
//! to the nodes changed (plus their subtrees when a placement moved), not to the document.
//!
//! A drain runs in phases, one function each: take what observers noted (`SceneDoc::take_observed`),
//! re-resolve cycles a placement change may have closed or opened (`break_cycles`), mark everything
//! below a moved node (`mark_subtrees`), read each marked node and classify it as added, updated or
//! removed (`read_and_classify`), and put the result in the promised order (`order_output`).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use app_core::{NodeFields, SceneChange};
use yrs::{MapRef, ReadTxn, Transact};

use crate::SceneDoc;
use crate::observe::{Pending, lock};
use crate::read::read_node;
use crate::tree::{TreeIndex, cycle_from};

const MOVED: NodeFields = NodeFields::TRANSFORM;
const REPLACED: NodeFields = NodeFields::PLACEMENT;

/// The nodes a drain reports, with what changed on each.
type Touched = HashMap<Arc<str>, Pending>;

impl SceneDoc {
    /// Changes since the last drain, local and remote alike: removals first, then additions and
    /// updates parents-first, each carrying the whole node, then (whenever the `lights` map
    /// changed) `LightChanged` and `BackgroundChanged`. When a node's transform or placement
    /// changes, every node below it is reported too (with `TRANSFORM`), so a renderer keeping world
    /// matrices can update them.
    pub fn drain_changes(&mut self) -> Vec<SceneChange> {
        // Staged nodes (`batch.rs`) are changes too: written first, their observers note them. On an
        // error a transaction is open elsewhere, and they are reported by a later drain.
        let _ = self.flush_staged();
        let (touched, light, assets) = self.take_observed();
        if touched.is_empty() && !light && assets.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<SceneChange> = assets
            .iter()
            .filter_map(|k| app_core::AssetId::parse(k).ok())
            .map(SceneChange::AssetAdded)
            .collect();
        if !touched.is_empty() {
            match self.node_changes(touched) {
                Ok(changes) => out.extend(changes),
                Err(touched) => {
                    // Unreachable while no transaction outlives a call; keep the record for next time.
                    self.restore_observed(touched, light, assets);
                    return Vec::new();
                }
            }
        }
        if light {
            // The observer records that `lights` changed, not which key: report both values
            // (consumers compare them; each is cheap to read).
            out.push(SceneChange::LightChanged(self.light()));
            out.push(SceneChange::BackgroundChanged(self.background()));
        }
        out
    }

    /// Takes what observers recorded since the last drain, leaving the record empty: the touched
    /// nodes, whether the light changed and the assets added. Held only briefly, as observers write
    /// to it mid-transaction.
    fn take_observed(&self) -> (Touched, bool, Vec<Arc<str>>) {
        let mut observed = lock(&self.observed);
        (
            std::mem::take(&mut observed.changes),
            std::mem::take(&mut observed.light),
            std::mem::take(&mut observed.assets),
        )
    }

    /// Puts a record that could not be drained back, merged with anything observers noted since,
    /// so the next drain reports it.
    fn restore_observed(&self, touched: Touched, light: bool, assets: Vec<Arc<str>>) {
        let mut observed = lock(&self.observed);
        observed.changes.extend(touched);
        observed.light |= light;
        observed.assets.extend(assets);
    }

    /// The node changes for `touched`: removals, then additions and updates parents-first. Gives
    /// `touched` back untouched if no read transaction can be opened.
    fn node_changes(&mut self, mut touched: Touched) -> Result<Vec<SceneChange>, Touched> {
        let mut tree = self.tree();
        // Not `read_txn` (it borrows all of `self`); `drain_changes` flushed staged nodes.
        let Ok(txn) = self.doc.try_transact() else {
            return Err(touched);
        };
        break_cycles(&txn, &self.nodes, &mut tree, &mut touched);
        mark_subtrees(&tree, &mut touched);
        // The tree guard borrows all of `self`; release it before `emitted` is written.
        drop(tree);
        let classified = read_and_classify(&txn, &self.nodes, &mut self.emitted, touched);
        drop(txn);
        self.report(classified.problems);
        Ok(order_output(classified.removed, classified.present))
    }
}

/// Adds `fields` to what is reported for `id`, reporting it if it was not already.
fn mark(touched: &mut Touched, id: &Arc<str>, fields: NodeFields) {
    touched.entry(id.clone()).or_default().fields |= fields;
}

/// Brings the cycle breakers in `tree` up to date after placement changes and marks every node whose
/// resolved parent changed as a result. A placement change can close or open a cycle, and the member
/// made a root to break it reads with a different parent, so its members must be reported too.
fn break_cycles<T: ReadTxn>(txn: &T, nodes: &MapRef, tree: &mut TreeIndex, touched: &mut Touched) {
    let placed: Vec<Arc<str>> = touched
        .iter()
        .filter(|(_, p)| p.structural || p.fields.contains(NodeFields::PLACEMENT))
        .map(|(id, _)| id.clone())
        .collect();
    if placed.is_empty() {
        return;
    }
    let mut cycle_members = Vec::new();
    for id in &placed {
        if let Some(cycle) = cycle_from(txn, nodes, id) {
            // Every reader picks the same breaker (the smallest id), from the document alone.
            if let Some(breaker) = cycle.iter().min() {
                tree.breakers.insert(breaker.clone());
            }
            cycle_members.extend(cycle);
        }
    }
    // A breaker whose cycle was opened (or now has a smaller member) reads with its stored parent again.
    let breakers: Vec<Arc<str>> = tree.breakers.iter().cloned().collect();
    for b in breakers {
        let cycle = cycle_from(txn, nodes, &b);
        let still = cycle.is_some_and(|c| c.contains(&b) && c.iter().min() == Some(&b));
        if !still {
            tree.breakers.remove(&b);
            cycle_members.push(b);
        }
    }
    for id in &cycle_members {
        mark(touched, id, REPLACED | MOVED);
    }
}

/// Marks everything below a moved, added or removed node as moved: its world transform changed.
/// Direct children of an added or removed node are also marked replaced, as their resolved parent
/// appeared or vanished.
fn mark_subtrees(tree: &TreeIndex, touched: &mut Touched) {
    let moved: Vec<(Arc<str>, bool)> = touched
        .iter()
        .filter(|(_, p)| {
            p.structural
                || p.fields
                    .intersects(NodeFields::PLACEMENT | NodeFields::TRANSFORM | NodeFields::VISIBLE)
        })
        .map(|(id, p)| (id.clone(), p.structural))
        .collect();
    let mut below = Vec::new();
    for (id, structural) in &moved {
        for child in tree.children(id) {
            if *structural {
                mark(touched, child, REPLACED);
            }
            below.push(child.clone());
        }
    }
    for id in tree.stored_subtree(below) {
        mark(touched, &id, MOVED);
    }
}

/// The touched nodes as read from the document, sorted into what the change stream reports.
struct Classified {
    /// Problems readers found in the document, for `SceneDoc::report`.
    problems: Vec<String>,
    /// Nodes announced before that no longer read as valid nodes.
    removed: Vec<Arc<str>>,
    /// Additions and updates, each with the node's depth in the tree.
    present: Vec<(usize, SceneChange)>,
}

/// Reads every touched node and classifies it against `emitted` (the nodes announced so far, kept in
/// step here): new to consumers is an addition, known and still valid an update, known and no longer
/// readable a removal. A node added and removed between two drains is never reported.
fn read_and_classify<T: ReadTxn>(
    txn: &T,
    nodes: &MapRef,
    emitted: &mut HashSet<Arc<str>>,
    touched: Touched,
) -> Classified {
    let mut classified = Classified {
        problems: Vec::new(),
        removed: Vec::new(),
        present: Vec::new(),
    };
    for (id, pending) in touched {
        match read_node(txn, nodes, &id, &mut classified.problems) {
            Some((node, depth)) => {
                let change = if emitted.insert(id) {
                    SceneChange::NodeAdded(node)
                } else if pending.structural {
                    // The entry was replaced wholesale: any field may differ.
                    SceneChange::NodeUpdated {
                        node,
                        fields: NodeFields::ALL,
                    }
                } else {
                    SceneChange::NodeUpdated {
                        node,
                        fields: pending.fields,
                    }
                };
                classified.present.push((depth, change));
            }
            None => {
                if emitted.remove(&id) {
                    classified.removed.push(id);
                }
            }
        }
    }
    classified
}

/// The changes in the order `SceneDoc::drain_changes` promises: removals first, then additions and
/// updates by depth, so every parent comes before its children (a renderer can compute a child's
/// world matrix from its parent's). Ties are broken by id, so the order never depends on hashing.
fn order_output(
    mut removed: Vec<Arc<str>>,
    mut present: Vec<(usize, SceneChange)>,
) -> Vec<SceneChange> {
    removed.sort();
    let mut out: Vec<SceneChange> = removed
        .into_iter()
        .filter_map(|id| app_core::NodeId::new(id.as_ref()).ok())
        .map(SceneChange::NodeRemoved)
        .collect();
    let id_of = |c: &SceneChange| match c {
        SceneChange::NodeAdded(n) | SceneChange::NodeUpdated { node: n, .. } => Some(n.id.clone()),
        _ => None,
    };
    present.sort_by_cached_key(|(depth, change)| (*depth, id_of(change)));
    out.extend(present.into_iter().map(|(_, change)| change));
    out
}
