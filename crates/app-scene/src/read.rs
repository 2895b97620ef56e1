//! Reads: nodes, snapshots, the light, world matrices. Readers never trust the document: malformed
//! values are clamped or replaced and reported once through [`SceneDoc::drain_problems`]; a node
//! whose kind is unknown is skipped.

use std::cmp::Ordering;
use std::sync::Arc;

use app_core::glam::{Mat4, Vec3};
use app_core::{AssetId, DirectionalLight, Node, NodeId, Shape, ShapeKind};
use yrs::{Any, Map, MapRef, Out, ReadTxn};

use crate::SceneDoc;
use crate::schema::{self, Fixes, NodeNumbers, key};
use crate::tree::{effective_ancestors, node_map, stored_order};

/// Sizes read in place of a missing or invalid one.
const DEFAULT_SIZE: f32 = 1.0;

fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

fn positive(any: Option<Any>, what: &str, fix: &mut Fixes<'_>) -> f32 {
    match any
        .as_ref()
        .and_then(schema::any_f32)
        .filter(|&v| schema::is_size(v))
    {
        Some(v) => v,
        None => {
            fix.problems.push(format!(
                "{}: {what} is not a number within {:e}..{:e}; using 1",
                fix.subject,
                app_core::MIN_SIZE,
                app_core::WORLD_LIMIT
            ));
            DEFAULT_SIZE
        }
    }
}

/// Decodes the node stored under `id`; `None` (with a problem) if it is not a valid node.
/// Also returns its depth in the resolved tree.
pub(crate) fn read_node<T: ReadTxn>(
    txn: &T,
    nodes: &MapRef,
    id: &str,
    problems: &mut Vec<String>,
) -> Option<(Node, usize)> {
    let out = nodes.get(txn, id)?;
    let Ok(node_id) = NodeId::new(id) else {
        problems.push(format!(
            "node id {:?}… ({} bytes) is not a valid id; skipping the node",
            short(id),
            id.len()
        ));
        return None;
    };
    let subject = format!("node {id:?}");
    let Out::YMap(map) = out else {
        problems.push(format!("{subject}: is not a map; skipping it"));
        return None;
    };
    let get = |k: &str| schema::out_any(map.get(txn, k));
    let kind = match get(key::KIND) {
        Some(Any::String(kind)) => ShapeKind::parse(&kind).ok_or_else(|| short(&kind)),
        _ => Err("(none)".to_owned()),
    };
    let kind = match kind {
        Ok(kind) => kind,
        Err(kind) => {
            problems.push(format!(
                "{subject}: unknown kind {kind:?}; skipping the node"
            ));
            return None;
        }
    };
    let mut fix = Fixes {
        subject: &subject,
        problems,
    };
    let shape = match kind {
        ShapeKind::Sphere => Shape::Sphere {
            radius: positive(get(key::RADIUS), "radius", &mut fix),
        },
        ShapeKind::Plane => Shape::Plane {
            size: positive(get(key::SIZE), "size", &mut fix),
        },
        ShapeKind::Box => {
            let extents = get(key::EXTENTS)
                .and_then(|a| schema::any_f32s::<3>(&a))
                .map(Vec3::from)
                .filter(|e| e.to_array().into_iter().all(schema::is_size));
            Shape::Box {
                extents: extents.unwrap_or_else(|| {
                    fix.problems.push(format!(
                        "{subject}: extents are not 3 numbers within 1e-6..1e6; using 1"
                    ));
                    Vec3::splat(DEFAULT_SIZE)
                }),
            }
        }
        ShapeKind::Mesh => read_mesh_shape(&get, &mut fix),
        ShapeKind::Group => Shape::Group,
    };
    let transform = schema::decode_transform(get(key::TRANSFORM).as_ref(), &mut fix);
    let material = schema::decode_material(get(key::MATERIAL).as_ref(), &mut fix);
    let name = schema::decode_name(get(key::NAME).as_ref(), &mut fix);
    let visible = schema::decode_visible(get(key::VISIBLE).as_ref(), &mut fix);
    // Decoded for its problems only; the parent comes from the resolved tree.
    schema::decode_placement(get(key::PLACEMENT).as_ref(), &mut fix);
    let ancestors = effective_ancestors(txn, nodes, id);
    let parent = ancestors.first().and_then(|p| NodeId::new(p.as_ref()).ok());
    let node = Node {
        id: node_id,
        name,
        parent,
        transform,
        shape,
        material,
        visible,
    };
    Some((node, ancestors.len()))
}

/// A mesh node's assets. A missing or malformed mesh id reads as a group (nothing drawn, children
/// kept), a malformed surface id as the default surface; both are reported. The assets themselves are
/// not looked up here: they may arrive after the node (see `SceneChange::AssetAdded`).
fn read_mesh_shape(get: &impl Fn(&str) -> Option<Any>, fix: &mut Fixes<'_>) -> Shape {
    let asset = |k: &str| match get(k) {
        Some(Any::String(text)) => AssetId::parse(&text).ok(),
        _ => None,
    };
    let Some(mesh) = asset(key::MESH) else {
        fix.problems.push(format!(
            "{}: mesh is not an asset id; drawing nothing",
            fix.subject
        ));
        return Shape::Group;
    };
    let surface = asset(key::SURFACE);
    if surface.is_none() && get(key::SURFACE).is_some() {
        fix.problems.push(format!(
            "{}: surface is not an asset id; using the default surface",
            fix.subject
        ));
    }
    Shape::Mesh { mesh, surface }
}

impl SceneDoc {
    /// Whether a node `id` exists with a valid kind: one lookup, without reading or validating its
    /// fields as [`SceneDoc::node`] does (what a per-frame check needs, e.g. "is the node we announce
    /// dragging still there").
    pub fn contains(&self, id: &str) -> bool {
        self.read_txn()
            .is_ok_and(|txn| crate::tree::node_kind(&txn, &self.nodes, id).is_some())
    }

    /// The node `id`, if it exists and is valid.
    pub fn node(&self, id: &str) -> Option<Node> {
        let txn = self.read_txn().ok()?;
        let mut problems = Vec::new();
        let node = read_node(&txn, &self.nodes, id, &mut problems).map(|(node, _)| node);
        self.report(problems);
        node
    }

    /// The numbers of node `id` as stored, in f64: what the edit calls were given (set 1.6, read
    /// 1.6), where [`SceneDoc::node`] gives the f32 values drawn. `None` where `node` is `None`.
    /// A value the f32 reader clamps or replaces reads as what that reader uses (see
    /// [`NodeNumbers`]).
    pub fn node_numbers(&self, id: &str) -> Option<NodeNumbers> {
        let txn = self.read_txn().ok()?;
        let mut problems = Vec::new();
        let node = read_node(&txn, &self.nodes, id, &mut problems).map(|(node, _)| node);
        self.report(problems);
        let node = node?;
        let map = node_map(&txn, &self.nodes, id)?;
        let get = |k: &str| schema::out_any(map.get(&txn, k));
        // `read_node` has reported what these decoders would find.
        let mut reported = Vec::new();
        let mut fix = Fixes {
            subject: "",
            problems: &mut reported,
        };
        let transform = schema::decode_transform_numbers(get(key::TRANSFORM).as_ref(), &mut fix);
        let material = schema::decode_material_numbers(get(key::MATERIAL).as_ref(), &mut fix);
        let (radius, extents, size) = schema::shape_numbers(&node.shape, get);
        Some(NodeNumbers {
            translation: transform.translation,
            rotation: transform.rotation,
            scale: transform.scale,
            color: material.color,
            metallic: material.metallic,
            roughness: material.roughness,
            emissive: material.emissive,
            radius,
            extents,
            size,
        })
    }

    /// Ids of every valid node, sorted.
    pub fn node_ids(&self) -> Vec<NodeId> {
        self.snapshot().into_iter().map(|node| node.id).collect()
    }

    /// Every valid node, sorted by id, parents resolved (cycles broken, dangling parents dropped).
    pub fn snapshot(&self) -> Vec<Node> {
        let Ok(txn) = self.read_txn() else {
            return Vec::new();
        };
        let mut problems = Vec::new();
        let mut out: Vec<Node> = self
            .nodes
            .keys(&txn)
            .filter_map(|id| read_node(&txn, &self.nodes, id, &mut problems).map(|(node, _)| node))
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        self.report(problems);
        out
    }

    /// Number of entries in the `nodes` map (valid or not); O(1).
    pub fn len(&self) -> usize {
        self.read_txn()
            .map_or(0, |txn| self.nodes.len(&txn) as usize)
    }

    /// True if the document holds no node entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Children of `parent` (`None`: the roots) in sibling order (order key, then id).
    pub fn children(&self, parent: Option<&str>) -> Vec<NodeId> {
        let candidates: Vec<Arc<str>> = match parent {
            Some(p) => self.tree().children(p).cloned().collect(),
            None => match self.read_txn() {
                Ok(txn) => self.nodes.keys(&txn).map(Arc::from).collect(),
                Err(_) => return Vec::new(),
            },
        };
        let Ok(txn) = self.read_txn() else {
            return Vec::new();
        };
        let mut out: Vec<(Arc<str>, NodeId)> = candidates
            .into_iter()
            .filter(|c| crate::tree::node_kind(&txn, &self.nodes, c).is_some())
            .filter(|c| {
                effective_ancestors(&txn, &self.nodes, c)
                    .first()
                    .map(|a| a.as_ref())
                    == parent
            })
            .filter_map(|c| {
                Some((
                    stored_order(&txn, &self.nodes, &c),
                    NodeId::new(c.as_ref()).ok()?,
                ))
            })
            .collect();
        out.sort_by(|a, b| match a.0.cmp(&b.0) {
            Ordering::Equal => a.1.cmp(&b.1),
            other => other,
        });
        out.into_iter().map(|(_, id)| id).collect()
    }

    /// The directional light (the default light if the document has none).
    pub fn light(&self) -> DirectionalLight {
        let Ok(txn) = self.read_txn() else {
            return DirectionalLight::default();
        };
        let mut problems = Vec::new();
        let any = schema::out_any(self.lights.get(&txn, schema::SUN));
        let light = schema::decode_light(
            any.as_ref(),
            &mut Fixes {
                subject: "light",
                problems: &mut problems,
            },
        );
        self.report(problems);
        light
    }

    /// The background: the clear radiance behind the scene, linear RGB, each 0..1
    /// ([`app_core::DEFAULT_BACKGROUND`] if the document sets none or holds a malformed one).
    pub fn background(&self) -> Vec3 {
        let Ok(txn) = self.read_txn() else {
            return app_core::DEFAULT_BACKGROUND;
        };
        let mut problems = Vec::new();
        let background = schema::decode_background(
            self.lights.get(&txn, schema::BACKGROUND),
            &mut Fixes {
                subject: "scene",
                problems: &mut problems,
            },
        );
        self.report(problems);
        background
    }

    /// The matrix from `id`'s parent space to world space: the product of its resolved ancestors'
    /// transforms (identity for a root or an unknown id). Cost is the depth; cycles are broken.
    pub fn world_from_parent(&self, id: &str) -> Mat4 {
        self.world_from_parent_and_shown(id).0
    }

    /// Whether every ancestor of `id` is visible (a hidden node hides its subtree, as in three.js).
    /// Cost is the depth; cycles are broken.
    pub fn ancestors_visible(&self, id: &str) -> bool {
        self.world_from_parent_and_shown(id).1
    }

    /// [`SceneDoc::world_from_parent`] and [`SceneDoc::ancestors_visible`] in one walk up the tree.
    pub fn world_from_parent_and_shown(&self, id: &str) -> (Mat4, bool) {
        let Ok(txn) = self.read_txn() else {
            return (Mat4::IDENTITY, true);
        };
        let mut problems = Vec::new();
        let mut world = Mat4::IDENTITY;
        let mut shown = true;
        for ancestor in effective_ancestors(&txn, &self.nodes, id).iter().rev() {
            if let Some(map) = crate::tree::node_map(&txn, &self.nodes, ancestor) {
                let subject = format!("node {ancestor:?}");
                let mut fix = Fixes {
                    subject: &subject,
                    problems: &mut problems,
                };
                let any = schema::out_any(map.get(&txn, key::TRANSFORM));
                world *= schema::decode_transform(any.as_ref(), &mut fix).parent_from_local();
                let visible = schema::out_any(map.get(&txn, key::VISIBLE));
                shown &= schema::decode_visible(visible.as_ref(), &mut fix);
            }
        }
        self.report(problems);
        (world, shown)
    }
}
