//! What `on_change` reports: the ids of nodes added, changed and removed since the last report,
//! gathered from the change stream each drain already reads (no document walk of its own). Plain
//! Rust, tested natively. Leaf.
//!
//! Several drains may fall between two reports (a `pick` or `select` drains too, between frames), so
//! ids are merged: a node added and then changed is only added; added and then removed is neither;
//! removed and then added again (undo of a removal) is changed.

use std::collections::HashSet;

use app_core::SceneChange;

/// A set of node ids. Unordered: [`IdSet`]s are sorted when reported ([`sorted`]); a `BTreeSet` would
/// add its node code to the bundle for this one type (about 3 KB), and a sorted `Vec` would make a
/// 10,000-node load quadratic.
pub type IdSet = HashSet<String>;

/// The ids of `set`, sorted.
pub fn sorted(set: &IdSet) -> Vec<&str> {
    let mut ids: Vec<&str> = set.iter().map(String::as_str).collect();
    ids.sort_unstable();
    ids
}

/// Node ids by what happened to them since the last [`ChangeSummary::take`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ChangeSummary {
    /// Nodes that appeared.
    pub added: IdSet,
    /// Nodes whose fields changed (and were not added in the same period).
    pub changed: IdSet,
    /// Nodes that are gone (and were there before the period).
    pub removed: IdSet,
}

impl ChangeSummary {
    /// Records one change of the stream.
    pub fn note(&mut self, change: &SceneChange) {
        match change {
            SceneChange::NodeAdded(node) => {
                let id = node.id.to_string();
                if self.removed.remove(&id) {
                    self.changed.insert(id);
                } else {
                    self.added.insert(id);
                }
            }
            SceneChange::NodeUpdated { node, .. } => {
                let id = node.id.as_str();
                if !self.added.contains(id) {
                    self.changed.insert(id.to_string());
                }
            }
            SceneChange::NodeRemoved(id) => {
                let id = id.to_string();
                self.changed.remove(&id);
                if !self.added.remove(&id) {
                    self.removed.insert(id);
                }
            }
            // Not about nodes: the picture changes, `on_change` has nothing to name.
            _ => {}
        }
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }

    /// Everything recorded so far, leaving this empty.
    pub fn take(&mut self) -> ChangeSummary {
        std::mem::take(self)
    }
}

#[cfg(test)]
mod tests {
    use app_core::{Node, NodeFields, NodeId, Shape, Transform};

    use super::*;

    fn node(id: &str) -> Node {
        Node::new(
            NodeId::new(id).unwrap(),
            Shape::Sphere { radius: 1.0 },
            Transform::IDENTITY,
        )
    }

    fn ids(set: &IdSet) -> Vec<&str> {
        sorted(set)
    }

    #[test]
    fn merges_what_happened_between_reports() {
        let mut summary = ChangeSummary::default();
        let updated = |id| SceneChange::NodeUpdated {
            node: node(id),
            fields: NodeFields::TRANSFORM,
        };
        summary.note(&SceneChange::NodeAdded(node("a")));
        summary.note(&updated("a"));
        summary.note(&updated("b"));
        summary.note(&SceneChange::NodeAdded(node("c")));
        summary.note(&SceneChange::NodeRemoved(NodeId::new("c").unwrap()));
        summary.note(&SceneChange::NodeRemoved(NodeId::new("d").unwrap()));
        summary.note(&updated("e"));
        summary.note(&SceneChange::NodeRemoved(NodeId::new("e").unwrap()));
        summary.note(&SceneChange::NodeRemoved(NodeId::new("f").unwrap()));
        summary.note(&SceneChange::NodeAdded(node("f")));
        let taken = summary.take();
        assert_eq!(ids(&taken.added), ["a"]);
        assert_eq!(ids(&taken.changed), ["b", "f"]);
        assert_eq!(ids(&taken.removed), ["d", "e"]);
        assert!(summary.is_empty());
    }
}
