//! Local edits. Every call validates its arguments and the target node before writing anything, then
//! writes in one local transaction (one undo step, merged with edits less than 500 ms before it).
//!
//! Numbers are validated as f32 (what the renderer draws) but stored as the f64 the caller gave, so
//! they read back as set ([`SceneDoc::node_numbers`]). An edit of one part of an atomic value (the
//! translation of a transform) keeps the other parts as stored.

use std::sync::Arc;

use app_core::glam::{Quat, Vec3};
use app_core::{
    DirectionalLight, NodeId, ShapeKind, ValueError, check_coordinate, check_emissive,
    check_finite, check_size, check_unit,
};
use yrs::{Any, In, Map, MapPrelim, MapRef, Transact, TransactionMut};

use crate::batch::StagedNode;
use crate::doc::{busy, write};
use crate::schema::{self, MAX_NAME_BYTES, MaterialNumbers, TransformNumbers, key};
use crate::tree::{effective_ancestors, node_kind, node_map, stored_order};
use crate::{SceneDoc, SceneError};

type Check = fn(&'static str, f64) -> Result<f32, ValueError>;

fn vec3(names: [&'static str; 3], v: [f64; 3], check: Check) -> Result<Vec3, SceneError> {
    Ok(Vec3::new(
        check(names[0], v[0])?,
        check(names[1], v[1])?,
        check(names[2], v[2])?,
    ))
}

/// `v` as given, once each value passes `check`.
fn checked3(names: [&'static str; 3], v: [f64; 3], check: Check) -> Result<[f64; 3], SceneError> {
    vec3(names, v, check)?;
    Ok(v)
}

/// `v` as given, once it passes `check`.
fn checked(name: &'static str, v: f64, check: Check) -> Result<f64, SceneError> {
    check(name, v)?;
    Ok(v)
}

const TRANSLATION: [&str; 3] = ["translation.x", "translation.y", "translation.z"];
const EXTENTS: [&str; 3] = ["extents.x", "extents.y", "extents.z"];

const RGB: [&str; 3] = ["red", "green", "blue"];

/// The node map and kind of an existing, valid node.
pub(crate) fn existing(
    txn: &TransactionMut<'_>,
    nodes: &MapRef,
    id: &str,
) -> Result<(MapRef, ShapeKind), SceneError> {
    NodeId::new(id)?;
    match (node_map(txn, nodes, id), node_kind(txn, nodes, id)) {
        (Some(map), Some(kind)) => Ok((map, kind)),
        _ => Err(SceneError::UnknownNode(id.to_owned())),
    }
}

/// Writes `value` under `k` unless it is already there (a repeated slider value costs nothing).
fn put(txn: &mut TransactionMut<'_>, map: &MapRef, k: Arc<str>, value: Any) {
    if schema::out_any(map.get(txn, &k)).as_ref() != Some(&value) {
        map.insert(txn, k, value);
    }
}

/// The node's transform as stored (invalid parts as readers fix them).
fn current_transform(txn: &TransactionMut<'_>, map: &MapRef) -> TransformNumbers {
    let mut ignored = Vec::new();
    let mut fix = schema::Fixes {
        subject: "",
        problems: &mut ignored,
    };
    schema::decode_transform_numbers(
        schema::out_any(map.get(txn, key::TRANSFORM)).as_ref(),
        &mut fix,
    )
}

/// The node's material as stored (invalid parts as readers fix them).
fn current_material(txn: &TransactionMut<'_>, map: &MapRef) -> MaterialNumbers {
    let mut ignored = Vec::new();
    let mut fix = schema::Fixes {
        subject: "",
        problems: &mut ignored,
    };
    schema::decode_material_numbers(
        schema::out_any(map.get(txn, key::MATERIAL)).as_ref(),
        &mut fix,
    )
}

/// A new node id: this replica's client id and the next counter value (the scheme of every node
/// this crate adds). Unique across peers; the check covers a reused client id.
pub(crate) fn fresh_id(
    txn: &impl yrs::ReadTxn,
    nodes: &MapRef,
    client_id: u64,
    counter: &mut u64,
) -> String {
    loop {
        *counter += 1;
        let candidate = format!("{client_id:x}-{counter}");
        if !nodes.contains_key(txn, &candidate) {
            break candidate;
        }
    }
}

impl SceneDoc {
    fn add_node(
        &mut self,
        kind: ShapeKind,
        translation: [f64; 3],
        size: Any,
    ) -> Result<NodeId, SceneError> {
        let translation = checked3(TRANSLATION, translation, check_coordinate)?;
        let keys = &self.keys;
        // `name`, `visible` and `material` start at their defaults, which readers assume when the key
        // is absent: three fewer items per node (heap and bytes).
        let fields = |order: &str| {
            let mut fields: Vec<(Arc<str>, Any)> = vec![
                (keys.kind.clone(), keys.kind_value(kind)),
                (keys.placement.clone(), schema::placement_any(None, order)),
                (
                    keys.transform.clone(),
                    TransformNumbers {
                        translation,
                        ..TransformNumbers::IDENTITY
                    }
                    .to_any(),
                ),
            ];
            if let Some(shape_key) = keys.shape(kind) {
                fields.push((shape_key, size));
            }
            fields
        };
        let (nodes, client_id) = (&self.nodes, self.client_id);
        let id = if self.batch.is_some() {
            // Inside a batch: staged, written with the others (`batch.rs`). Ids come from this
            // replica's counter, so staged ones never collide; the document is checked for the rest.
            let order = self.tree_without_staged().next_order();
            let txn = self.doc.try_transact().map_err(busy)?;
            let id = fresh_id(&txn, nodes, client_id, &mut self.next_counter);
            drop(txn);
            self.stage_node(StagedNode {
                id: id.clone(),
                fields: fields(&order),
            });
            self.tree_without_staged().note_order(&order);
            id
        } else {
            let order = self.tree().next_order();
            let counter = &mut self.next_counter;
            let id = write((&self.doc, &self.nodes, &self.meta, &self.staged), |txn| {
                let id = fresh_id(txn, nodes, client_id, counter);
                let fields = fields(&order).into_iter().map(|(k, v)| (k, In::from(v)));
                nodes.insert(txn, id.as_str(), MapPrelim::from_iter(fields));
                Ok(id)
            })?;
            self.tree().note_order(&order);
            id
        };
        Ok(NodeId::new(id)?)
    }

    /// Adds a root sphere. Errors on a non-finite translation or a radius that is not > 0.
    pub fn add_sphere(&mut self, translation: [f64; 3], radius: f64) -> Result<NodeId, SceneError> {
        let radius = checked("radius", radius, check_size)?;
        self.add_node(ShapeKind::Sphere, translation, Any::from(radius))
    }

    /// Adds a root box of full size `extents` (each > 0).
    pub fn add_box(
        &mut self,
        translation: [f64; 3],
        extents: [f64; 3],
    ) -> Result<NodeId, SceneError> {
        let extents = checked3(EXTENTS, extents, check_size)?;
        self.add_node(ShapeKind::Box, translation, schema::numbers_any(&extents))
    }

    /// Adds a root horizontal plane of side `size` (> 0).
    pub fn add_plane(&mut self, translation: [f64; 3], size: f64) -> Result<NodeId, SceneError> {
        let size = checked("size", size, check_size)?;
        self.add_node(ShapeKind::Plane, translation, Any::from(size))
    }

    fn set_shape(&mut self, id: &str, kind: ShapeKind, value: Any) -> Result<(), SceneError> {
        let (nodes, keys) = (&self.nodes, &self.keys);
        write((&self.doc, &self.nodes, &self.meta, &self.staged), |txn| {
            let (map, actual) = existing(txn, nodes, id)?;
            if actual != kind {
                let (expected, actual) = (kind.as_str(), actual.as_str());
                return Err(SceneError::WrongKind {
                    id: id.to_owned(),
                    expected,
                    actual,
                });
            }
            if let Some(shape_key) = keys.shape(kind) {
                put(txn, &map, shape_key, value);
            }
            Ok(())
        })
    }

    /// Sets a sphere's radius (> 0). Errors if `id` is unknown or not a sphere.
    pub fn set_sphere_radius(&mut self, id: &str, radius: f64) -> Result<(), SceneError> {
        let radius = checked("radius", radius, check_size)?;
        self.set_shape(id, ShapeKind::Sphere, Any::from(radius))
    }

    /// Sets a box's full extents (each > 0). Errors if `id` is unknown or not a box.
    pub fn set_box_extents(&mut self, id: &str, extents: [f64; 3]) -> Result<(), SceneError> {
        let extents = checked3(EXTENTS, extents, check_size)?;
        self.set_shape(id, ShapeKind::Box, schema::numbers_any(&extents))
    }

    /// Sets a plane's side length (> 0). Errors if `id` is unknown or not a plane.
    pub fn set_plane_size(&mut self, id: &str, size: f64) -> Result<(), SceneError> {
        let size = checked("size", size, check_size)?;
        self.set_shape(id, ShapeKind::Plane, Any::from(size))
    }

    fn edit_transform(
        &mut self,
        id: &str,
        f: impl FnOnce(&mut TransformNumbers),
    ) -> Result<(), SceneError> {
        let (nodes, keys) = (&self.nodes, &self.keys);
        write((&self.doc, &self.nodes, &self.meta, &self.staged), |txn| {
            let (map, _) = existing(txn, nodes, id)?;
            let mut transform = current_transform(txn, &map);
            f(&mut transform);
            put(txn, &map, keys.transform.clone(), transform.to_any());
            Ok(())
        })
    }

    /// Sets a node's translation (relative to its parent).
    pub fn set_translation(&mut self, id: &str, translation: [f64; 3]) -> Result<(), SceneError> {
        let t = checked3(TRANSLATION, translation, check_coordinate)?;
        self.edit_transform(id, |transform| transform.translation = t)
    }

    /// Sets a node's rotation from a quaternion `[x, y, z, w]` (normalised here, in f64; must be
    /// non-zero).
    pub fn set_rotation(&mut self, id: &str, xyzw: [f64; 4]) -> Result<(), SceneError> {
        let [x, y, z] = vec3(
            ["rotation.x", "rotation.y", "rotation.z"],
            [xyzw[0], xyzw[1], xyzw[2]],
            check_finite,
        )?
        .to_array();
        let w = check_finite("rotation.w", xyzw[3])?;
        let q = Quat::from_xyzw(x, y, z, w);
        let len = q.length();
        if !(len.is_finite() && len > 1e-6) {
            return Err(SceneError::ZeroRotation);
        }
        let len = xyzw.iter().map(|v| v * v).sum::<f64>().sqrt();
        let q = xyzw.map(|v| v / len);
        self.edit_transform(id, |transform| transform.rotation = q)
    }

    /// Sets a node's per-axis scale (each > 0).
    pub fn set_scale(&mut self, id: &str, scale: [f64; 3]) -> Result<(), SceneError> {
        let s = checked3(["scale.x", "scale.y", "scale.z"], scale, check_size)?;
        self.edit_transform(id, |transform| transform.scale = s)
    }

    fn edit_material(
        &mut self,
        id: &str,
        f: impl FnOnce(&mut MaterialNumbers),
    ) -> Result<(), SceneError> {
        let (nodes, keys) = (&self.nodes, &self.keys);
        write((&self.doc, &self.nodes, &self.meta, &self.staged), |txn| {
            let (map, _) = existing(txn, nodes, id)?;
            let mut material = current_material(txn, &map);
            f(&mut material);
            put(txn, &map, keys.material.clone(), material.to_any());
            Ok(())
        })
    }

    /// Sets a node's base color (linear RGB, each 0..1).
    pub fn set_base_color(&mut self, id: &str, rgb: [f64; 3]) -> Result<(), SceneError> {
        let c = checked3(RGB, rgb, check_unit)?;
        self.edit_material(id, |m| m.color = c)
    }

    /// Sets a node's metallic and roughness (each 0..1).
    pub fn set_metallic_roughness(
        &mut self,
        id: &str,
        metallic: f64,
        roughness: f64,
    ) -> Result<(), SceneError> {
        let (metallic, roughness) = (
            checked("metallic", metallic, check_unit)?,
            checked("roughness", roughness, check_unit)?,
        );
        self.edit_material(id, |m| {
            m.metallic = metallic;
            m.roughness = roughness;
        })
    }

    /// Sets a node's emissive radiance (linear RGB, HDR: each 0..=[`app_core::MAX_EMISSIVE`]).
    pub fn set_emissive(&mut self, id: &str, rgb: [f64; 3]) -> Result<(), SceneError> {
        let e = checked3(
            ["emissive.red", "emissive.green", "emissive.blue"],
            rgb,
            check_emissive,
        )?;
        self.edit_material(id, |m| m.emissive = e)
    }

    /// Sets a node's display name (at most [`MAX_NAME_BYTES`] bytes).
    pub fn set_name(&mut self, id: &str, name: &str) -> Result<(), SceneError> {
        if name.len() > MAX_NAME_BYTES {
            return Err(SceneError::NameTooLong {
                len: name.len(),
                max: MAX_NAME_BYTES,
            });
        }
        let (nodes, keys) = (&self.nodes, &self.keys);
        write((&self.doc, &self.nodes, &self.meta, &self.staged), |txn| {
            let (map, _) = existing(txn, nodes, id)?;
            put(txn, &map, keys.name.clone(), Any::from(name));
            Ok(())
        })
    }

    /// Shows or hides a node (hidden nodes stay in the document).
    pub fn set_visible(&mut self, id: &str, visible: bool) -> Result<(), SceneError> {
        let (nodes, keys) = (&self.nodes, &self.keys);
        write((&self.doc, &self.nodes, &self.meta, &self.staged), |txn| {
            let (map, _) = existing(txn, nodes, id)?;
            put(txn, &map, keys.visible.clone(), Any::Bool(visible));
            Ok(())
        })
    }

    /// Sets the directional light: direction (non-zero), color (each 0..1), intensity (>= 0).
    pub fn set_light(
        &mut self,
        direction: [f64; 3],
        color: [f64; 3],
        intensity: f64,
    ) -> Result<(), SceneError> {
        let direction = vec3(
            ["direction.x", "direction.y", "direction.z"],
            direction,
            check_finite,
        )?;
        if direction.length_squared() == 0.0 {
            return Err(SceneError::ZeroDirection);
        }
        let color = vec3(RGB, color, check_unit)?;
        let intensity = check_finite("intensity", intensity)?;
        if intensity < 0.0 {
            return Err(ValueError::NotPositive {
                what: "intensity",
                value: f64::from(intensity),
            }
            .into());
        }
        let light = DirectionalLight {
            direction_in_world: direction,
            color,
            intensity,
        };
        let lights = &self.lights;
        write((&self.doc, &self.nodes, &self.meta, &self.staged), |txn| {
            let current = schema::out_any(lights.get(txn, schema::SUN));
            if current.as_ref() != Some(&schema::light_any(&light)) {
                lights.insert(txn, schema::SUN, schema::light_any(&light));
            }
            Ok(())
        })
    }

    /// Sets the background: the clear radiance behind the scene, linear RGB, each 0..1. Document
    /// state (synced, undoable like the light), stored as given.
    pub fn set_background(&mut self, rgb: [f64; 3]) -> Result<(), SceneError> {
        let rgb = checked3(
            ["background.red", "background.green", "background.blue"],
            rgb,
            check_unit,
        )?;
        let lights = &self.lights;
        write((&self.doc, &self.nodes, &self.meta, &self.staged), |txn| {
            put(
                txn,
                lights,
                Arc::from(schema::BACKGROUND),
                schema::background_any(rgb),
            );
            Ok(())
        })
    }

    /// Moves `id` under `parent` (`None`: make it a root), after its new siblings. Errors if either
    /// node is unknown or `parent` is `id` or one of its descendants.
    pub fn set_parent(&mut self, id: &str, parent: Option<&str>) -> Result<(), SceneError> {
        let mut tree = self.tree();
        let order = tree.next_order();
        let (nodes, keys) = (&self.nodes, &self.keys);
        write((&self.doc, &self.nodes, &self.meta, &self.staged), |txn| {
            let (map, _) = existing(txn, nodes, id)?;
            let parent = match parent {
                None => None,
                Some(p) => {
                    existing(txn, nodes, p)?;
                    if p == id
                        || effective_ancestors(txn, nodes, p)
                            .iter()
                            .any(|a| a.as_ref() == id)
                    {
                        return Err(SceneError::Cycle {
                            id: id.to_owned(),
                            parent: p.to_owned(),
                        });
                    }
                    Some(NodeId::new(p)?)
                }
            };
            put(
                txn,
                &map,
                keys.placement.clone(),
                schema::placement_any(parent.as_ref(), &order),
            );
            Ok(())
        })?;
        tree.note_order(&order);
        Ok(())
    }

    /// Reorders `id` among its siblings: just before `before` (a sibling), or last if `None`.
    pub fn move_before(&mut self, id: &str, before: Option<&str>) -> Result<(), SceneError> {
        let parent = self
            .node(id)
            .ok_or_else(|| SceneError::UnknownNode(id.to_owned()))?
            .parent;
        let siblings = self.children(parent.as_ref().map(NodeId::as_str));
        let tree = self.tree();
        let (nodes, placement_key) = (&self.nodes, &self.keys.placement);
        let order = write((&self.doc, &self.nodes, &self.meta, &self.staged), |txn| {
            let (map, _) = existing(txn, nodes, id)?;
            let sibling_keys: Vec<(NodeId, Arc<str>)> = siblings
                .into_iter()
                .filter(|s| s.as_str() != id)
                .map(|s| {
                    let k = stored_order(txn, nodes, s.as_str());
                    (s, k)
                })
                .collect();
            let valid = |k: &Arc<str>| crate::order::is_valid(k).then(|| k.to_string());
            let (low, high) = match before {
                None => (sibling_keys.last().and_then(|(_, k)| valid(k)), None),
                Some(b) => {
                    existing(txn, nodes, b)?;
                    let at = sibling_keys
                        .iter()
                        .position(|(s, _)| s.as_str() == b)
                        .ok_or_else(|| SceneError::NotSibling {
                            id: id.to_owned(),
                            other: b.to_owned(),
                        })?;
                    let low = at.checked_sub(1).and_then(|i| valid(&sibling_keys[i].1));
                    (low, valid(&sibling_keys[at].1))
                }
            };
            // Equal or malformed neighbour keys (concurrent peers, hostile data) leave no room
            // between them; fall back to a key after the lower one, which stays well formed.
            let order = crate::order::key_between(low.as_deref(), high.as_deref())
                .or_else(|| crate::order::key_between(low.as_deref(), None))
                .unwrap_or_else(|| tree.next_order());
            let placement = schema::placement_any(parent.as_ref(), &order);
            put(txn, &map, placement_key.clone(), placement);
            Ok(order)
        })?;
        drop(tree);
        self.tree().note_order(&order);
        Ok(())
    }

    /// Removes a node and its whole subtree. Errors if `id` is unknown. A removal always starts a
    /// new undo step.
    pub fn remove_node(&mut self, id: &str) -> Result<(), SceneError> {
        // yrs 0.28.1 (like Yjs 13) redoes a map entry that was overwritten and whose map was
        // deleted *in the same undo step* with its origin in the deleted map, not the restored
        // one: the undoing replica shows the value, its encoded state (and so every peer) does
        // not. Starting a new step here keeps overwrites and the deletion of their node apart;
        // the overwritten entries are then restored by a later step, after the map is (see
        // `Item::redo` in yrs's block.rs and `tests/undo.rs`). Staged nodes go in the step before.
        self.flush_staged().map_err(busy)?;
        self.undo.reset();
        let tree = self.tree();
        let nodes = &self.nodes;
        write((&self.doc, &self.nodes, &self.meta, &self.staged), |txn| {
            existing(txn, nodes, id)?;
            // Walk the tree as readers see it (a forest, so no node twice): a child that breaks a
            // cycle is a root, not below us.
            let mut stack: Vec<Arc<str>> = vec![Arc::from(id)];
            let mut doomed = Vec::new();
            while let Some(node) = stack.pop() {
                for child in tree.children(&node) {
                    let ancestors = effective_ancestors(txn, nodes, child);
                    if ancestors.first() == Some(&node) {
                        stack.push(child.clone());
                    }
                }
                doomed.push(node);
            }
            for node in doomed {
                nodes.remove(txn, &node);
            }
            Ok(())
        })
    }
}
