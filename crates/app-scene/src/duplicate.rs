//! Duplicating a subtree (`engine.duplicate(id)`): a deep copy under the same parent, right after the
//! original, with new ids and every stored value copied as stored, in one local transaction.

use std::collections::HashSet;
use std::sync::Arc;

use app_core::NodeId;
use yrs::{Any, In, Map, MapPrelim, MapRef, Out, TransactionMut};

use crate::doc::write;
use crate::edit::{existing, fresh_id};
use crate::schema::{self, key};
use crate::tree::{TreeIndex, effective_ancestors, node_map, stored_order};
use crate::{SceneDoc, SceneError};

/// The children of `id` as readers resolve them (a cycle breaker is not below its stored parent),
/// in sibling order: order key, then id.
fn resolved_children(
    txn: &TransactionMut<'_>,
    nodes: &MapRef,
    tree: &TreeIndex,
    id: &Arc<str>,
) -> Vec<Arc<str>> {
    let mut children: Vec<(Arc<str>, Arc<str>)> = tree
        .children(id)
        .filter(|child| effective_ancestors(txn, nodes, child).first() == Some(id))
        .map(|child| (stored_order(txn, nodes, child), child.clone()))
        .collect();
    children.sort();
    children.into_iter().map(|(_, child)| child).collect()
}

/// One node of a subtree being copied.
struct Copy {
    /// The node copied.
    from: Arc<str>,
    /// The copy's id.
    id: String,
    /// The copy's placement.
    placement: Any,
}

impl SceneDoc {
    /// Copies the subtree rooted at `id` (the node and everything below it as readers resolve the
    /// tree) and returns the copy's root. The copy sits under the same parent, right after the
    /// original among its siblings; every node gets a new id (the scheme of `add_sphere`), every
    /// stored key is copied as stored (numbers stay exactly as set; keys this crate does not know
    /// too), and children keep their order (they get fresh order keys under their copied parent).
    /// Values that are shared types (not this schema; a peer may write them) are not copied. One
    /// transaction, so one undo step (merged with edits just before, like every edit). Errors if
    /// `id` is unknown.
    pub fn duplicate(&mut self, id: &str) -> Result<NodeId, SceneError> {
        NodeId::new(id)?;
        let parent = self
            .node(id)
            .ok_or_else(|| SceneError::UnknownNode(id.to_owned()))?
            .parent;
        let siblings = self.children(parent.as_ref().map(NodeId::as_str));
        let next = siblings
            .iter()
            .skip_while(|s| s.as_str() != id)
            .nth(1)
            .cloned();
        let mut tree = self.tree();
        let mut counter = self.next_counter;
        let (nodes, keys, client_id) = (&self.nodes, &self.keys, self.client_id);
        let copied = write((&self.doc, &self.nodes, &self.meta, &self.staged), |txn| {
            existing(txn, nodes, id)?;
            let valid = |k: Arc<str>| crate::order::is_valid(&k).then(|| k.to_string());
            let low = valid(stored_order(txn, nodes, id));
            let high = next.and_then(|n| valid(stored_order(txn, nodes, n.as_str())));
            // As in `move_before`: equal or malformed neighbour keys leave no room between them.
            let order = crate::order::key_between(low.as_deref(), high.as_deref())
                .or_else(|| crate::order::key_between(low.as_deref(), None))
                .unwrap_or_else(|| tree.next_order());
            let root = Copy {
                from: Arc::from(id),
                id: fresh_id(txn, nodes, client_id, &mut counter),
                placement: schema::placement_any(parent.as_ref(), &order),
            };
            // Parents first; a resolved tree is a forest, `seen` only guards the walk.
            let mut plan = vec![root];
            let mut seen: HashSet<Arc<str>> = HashSet::from([Arc::from(id)]);
            let mut at = 0;
            while let Some(node) = plan.get(at) {
                let (from, copy_id) = (node.from.clone(), NodeId::new(node.id.clone())?);
                let mut order: Option<String> = None;
                for child in resolved_children(txn, nodes, &tree, &from) {
                    if !seen.insert(child.clone()) {
                        continue;
                    }
                    let key = crate::order::key_between(order.as_deref(), None)
                        .unwrap_or_else(|| tree.next_order());
                    plan.push(Copy {
                        from: child,
                        id: fresh_id(txn, nodes, client_id, &mut counter),
                        placement: schema::placement_any(Some(&copy_id), &key),
                    });
                    order = Some(key);
                }
                at += 1;
            }
            for node in plan.iter() {
                let Some(source) = node_map(txn, nodes, &node.from) else {
                    continue;
                };
                let mut fields: Vec<(Arc<str>, In)> = source
                    .iter(txn)
                    .filter_map(|(k, value)| match value {
                        Out::Any(any) if k != key::PLACEMENT => {
                            let any = if k == key::KIND {
                                keys.intern_kind(any)
                            } else {
                                any
                            };
                            Some((keys.intern(k), In::Any(any)))
                        }
                        _ => None,
                    })
                    .collect();
                fields.push((keys.placement.clone(), In::Any(node.placement.clone())));
                nodes.insert(txn, node.id.as_str(), MapPrelim::from_iter(fields));
            }
            Ok((plan.swap_remove(0).id, order))
        });
        if let Ok((_, order)) = &copied {
            tree.note_order(order);
        }
        drop(tree);
        self.next_counter = self.next_counter.max(counter);
        Ok(NodeId::new(copied?.0)?)
    }
}
