//! The node tree: parent links as stored, how cycles and dangling parents are resolved when reading,
//! and an index of children kept in step with the document.
//!
//! Two peers reparenting concurrently (A under B, B under A) can store a cycle. Every reader resolves
//! it the same way, from the document alone: the member of the cycle with the smallest id becomes a
//! root. A parent that does not exist (removed concurrently) or is not a valid node also makes a root.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use app_core::{NodeId, ShapeKind};
use yrs::{Any, Map, MapRef, Out, ReadTxn};

use crate::order;
use crate::schema::key;

/// The node map stored under `id`, if any.
pub(crate) fn node_map<T: ReadTxn>(txn: &T, nodes: &MapRef, id: &str) -> Option<MapRef> {
    match nodes.get(txn, id) {
        Some(Out::YMap(map)) => Some(map),
        _ => None,
    }
}

/// The kind of the node stored under `id`, if it is a valid node.
pub(crate) fn node_kind<T: ReadTxn>(txn: &T, nodes: &MapRef, id: &str) -> Option<ShapeKind> {
    if NodeId::new(id).is_err() {
        return None;
    }
    match node_map(txn, nodes, id)?.get(txn, key::KIND) {
        Some(Out::Any(Any::String(kind))) => ShapeKind::parse(&kind),
        _ => None,
    }
}

/// A stored placement: parent id and order key, each only if it is a string.
type Placement = (Option<Arc<str>>, Option<Arc<str>>);

/// The stored placement array of a node, if well formed.
fn stored_placement<T: ReadTxn>(txn: &T, map: &MapRef) -> Option<Placement> {
    let Some(Out::Any(Any::Array(items))) = map.get(txn, key::PLACEMENT) else {
        return None;
    };
    if items.len() != 2 {
        return None;
    }
    let parent = match &items[0] {
        Any::String(p) => Some(p.clone()),
        _ => None,
    };
    let order = match &items[1] {
        Any::String(o) => Some(o.clone()),
        _ => None,
    };
    Some((parent, order))
}

/// The stored parent of `id`, if it names another valid node.
pub(crate) fn stored_parent<T: ReadTxn>(txn: &T, nodes: &MapRef, id: &str) -> Option<Arc<str>> {
    let map = node_map(txn, nodes, id)?;
    let parent = stored_placement(txn, &map)?.0?;
    (parent.as_ref() != id && node_kind(txn, nodes, &parent).is_some()).then_some(parent)
}

/// The stored order key of `id` ("" if missing or malformed; such nodes sort first).
pub(crate) fn stored_order<T: ReadTxn>(txn: &T, nodes: &MapRef, id: &str) -> Arc<str> {
    node_map(txn, nodes, id)
        .and_then(|map| stored_placement(txn, &map))
        .and_then(|(_, order)| order)
        .filter(|o| o.len() <= order::MAX_KEY_LEN)
        .unwrap_or_else(|| Arc::from(""))
}

/// Ancestors of `id` as resolved for reading, nearest first (empty for a root). Cost is the depth.
pub(crate) fn effective_ancestors<T: ReadTxn>(txn: &T, nodes: &MapRef, id: &str) -> Vec<Arc<str>> {
    let mut path: Vec<Arc<str>> = Vec::new();
    let mut seen: HashSet<Arc<str>> = HashSet::new();
    let mut next = stored_parent(txn, nodes, id);
    while let Some(parent) = next {
        if parent.as_ref() == id || seen.contains(&parent) {
            // A cycle. `full` is the walk including `id`; the cycle is its tail from `parent`.
            let full: Vec<&str> = std::iter::once(id)
                .chain(path.iter().map(|p| p.as_ref()))
                .collect();
            let start = full.iter().position(|&n| n == parent.as_ref()).unwrap_or(0);
            let breaker = (start..full.len())
                .min_by_key(|&i| full[i])
                .unwrap_or(start);
            // The breaker is a root: keep the ancestors up to and including it.
            path.truncate(breaker);
            return path;
        }
        seen.insert(parent.clone());
        path.push(parent.clone());
        next = stored_parent(txn, nodes, &parent);
    }
    path
}

/// If walking up from `id` runs into a cycle, its members.
pub(crate) fn cycle_from<T: ReadTxn>(txn: &T, nodes: &MapRef, id: &str) -> Option<Vec<Arc<str>>> {
    let mut path: Vec<Arc<str>> = vec![Arc::from(id)];
    let mut seen: HashSet<Arc<str>> = path.iter().cloned().collect();
    let mut next = stored_parent(txn, nodes, id);
    while let Some(parent) = next {
        if seen.contains(&parent) {
            let start = path.iter().position(|p| *p == parent).unwrap_or(0);
            return Some(path.split_off(start));
        }
        seen.insert(parent.clone());
        path.push(parent.clone());
        next = stored_parent(txn, nodes, &parent);
    }
    None
}

/// Index of children by stored parent, plus the largest order key seen, so appends and subtree walks
/// cost what they touch. Updated from the ids observers mark dirty; roots take no space here.
#[derive(Debug, Default)]
pub(crate) struct TreeIndex {
    parent_of: HashMap<Arc<str>, Arc<str>>,
    children: HashMap<Arc<str>, HashSet<Arc<str>>>,
    max_order: Option<String>,
    /// Nodes currently made roots to break a cycle (their stored parent is ignored).
    pub breakers: HashSet<Arc<str>>,
}

impl TreeIndex {
    /// Re-reads the placement of `id` (gone if the node is gone).
    pub fn refresh<T: ReadTxn>(&mut self, txn: &T, nodes: &MapRef, id: &Arc<str>) {
        if let Some(old) = self.parent_of.remove(id)
            && let Some(set) = self.children.get_mut(&old)
        {
            set.remove(id);
            if set.is_empty() {
                self.children.remove(&old);
            }
        }
        let Some(map) = node_map(txn, nodes, id) else {
            return;
        };
        let Some((parent, order)) = stored_placement(txn, &map) else {
            return;
        };
        if let Some(order) = order {
            self.note_order(&order);
        }
        if let Some(parent) = parent.filter(|p| p != id) {
            self.children
                .entry(parent.clone())
                .or_default()
                .insert(id.clone());
            self.parent_of.insert(id.clone(), parent);
        }
    }

    /// Remembers `order` if it is the largest valid key so far.
    pub fn note_order(&mut self, order: &str) {
        if order::is_valid(order) && self.max_order.as_deref().is_none_or(|max| order > max) {
            self.max_order = Some(order.to_owned());
        }
    }

    /// A key after every key seen, for appending.
    pub fn next_order(&self) -> String {
        order::key_between(self.max_order.as_deref(), None)
            // Only reachable after ~10^47 appends; any valid key keeps the document well formed.
            .unwrap_or_else(|| "a0".to_owned())
    }

    /// Children of `id` by stored parent (may include cycle breakers, which read as roots).
    pub fn children(&self, id: &str) -> impl Iterator<Item = &Arc<str>> {
        self.children.get(id).into_iter().flatten()
    }

    /// `ids` and everything below them by stored parent, each once (cycles included).
    pub fn stored_subtree(&self, ids: impl IntoIterator<Item = Arc<str>>) -> Vec<Arc<str>> {
        let mut seen: HashSet<Arc<str>> = HashSet::new();
        let mut stack: Vec<Arc<str>> = ids.into_iter().collect();
        let mut out = Vec::new();
        while let Some(id) = stack.pop() {
            if seen.insert(id.clone()) {
                stack.extend(self.children(&id).cloned());
                out.push(id);
            }
        }
        out
    }
}
