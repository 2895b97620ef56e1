//! The change stream: what observers recorded, turned into `app-core` changes. Cost is proportional
//! to the nodes changed (plus their subtrees when a placement moved), not to the document.

use std::collections::HashMap;
use std::sync::Arc;

use app_core::{NodeFields, SceneChange};
use yrs::Transact;

use crate::SceneDoc;
use crate::observe::{Pending, lock};
use crate::read::read_node;
use crate::tree::cycle_from;

const MOVED: NodeFields = NodeFields::TRANSFORM;
const REPLACED: NodeFields = NodeFields::PLACEMENT;

impl SceneDoc {
    /// Changes since the last drain, local and remote alike: removals first, then additions and
    /// updates parents-first. Each carries the whole node. When a node's transform or placement
    /// changes, every node below it is reported too (with `TRANSFORM`), so a renderer keeping world
    /// matrices can update them.
    pub fn drain_changes(&mut self) -> Vec<SceneChange> {
        let (mut touched, light) = {
            let mut observed = lock(&self.observed);
            (
                std::mem::take(&mut observed.changes),
                std::mem::take(&mut observed.light),
            )
        };
        if touched.is_empty() && !light {
            return Vec::new();
        }
        let mut out = Vec::new();
        if !touched.is_empty() {
            let mut tree = self.tree();
            let Ok(txn) = self.doc.try_transact() else {
                // Unreachable while no transaction outlives a call; keep the record for next time.
                drop(tree);
                let mut observed = lock(&self.observed);
                observed.changes.extend(touched);
                observed.light |= light;
                return Vec::new();
            };
            let mark =
                |touched: &mut HashMap<Arc<str>, Pending>, id: &Arc<str>, fields: NodeFields| {
                    touched.entry(id.clone()).or_default().fields |= fields;
                };

            // A placement change can close or open a cycle; its members' resolved parents change.
            let placed: Vec<Arc<str>> = touched
                .iter()
                .filter(|(_, p)| p.structural || p.fields.contains(NodeFields::PLACEMENT))
                .map(|(id, _)| id.clone())
                .collect();
            if !placed.is_empty() {
                let mut cycle_members = Vec::new();
                for id in &placed {
                    if let Some(cycle) = cycle_from(&txn, &self.nodes, id) {
                        if let Some(breaker) = cycle.iter().min() {
                            tree.breakers.insert(breaker.clone());
                        }
                        cycle_members.extend(cycle);
                    }
                }
                let breakers: Vec<Arc<str>> = tree.breakers.iter().cloned().collect();
                for b in breakers {
                    let cycle = cycle_from(&txn, &self.nodes, &b);
                    let still = cycle.is_some_and(|c| c.contains(&b) && c.iter().min() == Some(&b));
                    if !still {
                        tree.breakers.remove(&b);
                        cycle_members.push(b);
                    }
                }
                for id in &cycle_members {
                    mark(&mut touched, id, REPLACED | MOVED);
                }
            }

            // Everything below a moved, added or removed node moves in world space.
            let moved: Vec<(Arc<str>, bool)> = touched
                .iter()
                .filter(|(_, p)| {
                    p.structural
                        || p.fields
                            .intersects(NodeFields::PLACEMENT | NodeFields::TRANSFORM)
                })
                .map(|(id, p)| (id.clone(), p.structural))
                .collect();
            let mut below = Vec::new();
            for (id, structural) in &moved {
                for child in tree.children(id) {
                    if *structural {
                        // The child's resolved parent appeared or vanished.
                        mark(&mut touched, child, REPLACED);
                    }
                    below.push(child.clone());
                }
            }
            for id in tree.stored_subtree(below) {
                mark(&mut touched, &id, MOVED);
            }
            drop(tree);

            let mut problems = Vec::new();
            let mut removed = Vec::new();
            let mut present = Vec::new();
            for (id, pending) in touched {
                match read_node(&txn, &self.nodes, &id, &mut problems) {
                    Some((node, depth)) => {
                        let change = if self.emitted.insert(id) {
                            SceneChange::NodeAdded(node)
                        } else if pending.structural {
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
                        present.push((depth, change));
                    }
                    None => {
                        if self.emitted.remove(&id) {
                            removed.push(id);
                        }
                    }
                }
            }
            drop(txn);
            self.report(problems);
            removed.sort();
            out.extend(
                removed
                    .into_iter()
                    .filter_map(|id| app_core::NodeId::new(id.as_ref()).ok())
                    .map(SceneChange::NodeRemoved),
            );
            let id_of = |c: &SceneChange| match c {
                SceneChange::NodeAdded(n) | SceneChange::NodeUpdated { node: n, .. } => {
                    Some(n.id.clone())
                }
                _ => None,
            };
            present.sort_by_cached_key(|(depth, change)| (*depth, id_of(change)));
            out.extend(present.into_iter().map(|(_, change)| change));
        }
        if light {
            out.push(SceneChange::LightChanged(self.light()));
        }
        out
    }
}
