//! Writing an imported model ([`ImportedScene`], from `app-gltf`) into the document: its assets under
//! the `assets` root map (each once: content-addressed) and its nodes as ordinary nodes, all in one
//! local transaction that is its own undo step.
//!
//! Everything is validated before anything is written, with the rules of the edit calls (finite,
//! in-range transforms and materials, names within the limit) plus the import's own: every asset's
//! bytes match its id and decode as their kind, mesh nodes name assets of the right kind, parents
//! come before children, and the assets not already in the document fit [`MAX_IMPORT_BYTES`]. An
//! error adds nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use app_core::{
    AssetId, ImportedNode, ImportedScene, MeshAsset, NodeId, Shape, Surface, check_coordinate,
    check_emissive, check_size, check_unit,
};
use yrs::{Any, In, Map, MapPrelim};

use crate::doc::{VerifiedAssets, write};
use crate::edit::{existing, fresh_id};
use crate::schema::{self, MAX_NAME_BYTES};
use crate::{SceneDoc, SceneError};

/// Most new asset bytes one import may add (`app_core::MAX_IMPORT_BYTES`, shared with the importer):
/// 32 MiB less 1 MiB for the nodes and the update's own framing, so the update that carries the
/// import to peers fits the sync layer's 32 MiB message limit (`protocol::MAX_MESSAGE_BYTES`).
pub use app_core::MAX_IMPORT_BYTES;

/// Most nodes one import may add.
pub const MAX_IMPORT_NODES: usize = 100_000;

fn lock_verified(verified: &Mutex<VerifiedAssets>) -> MutexGuard<'_, VerifiedAssets> {
    verified
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn bad(problem: impl Into<String>) -> SceneError {
    SceneError::Import(problem.into())
}

/// What kind of asset each id of the import is, after checking its bytes.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Mesh,
    Surface,
    Image,
}

fn check_assets(scene: &ImportedScene) -> Result<HashMap<AssetId, Kind>, SceneError> {
    let mut kinds = HashMap::new();
    for (id, bytes) in &scene.assets {
        if !id.verify(bytes) {
            return Err(bad(format!("asset {id} does not match its bytes")));
        }
        let kind = if MeshAsset::decode(bytes).is_ok() {
            Kind::Mesh
        } else if Surface::decode(bytes).is_ok() {
            Kind::Surface
        } else if app_core::ImageAsset::decode(bytes).is_ok() {
            Kind::Image
        } else {
            return Err(bad(format!("asset {id} is not a mesh, surface or image")));
        };
        kinds.insert(*id, kind);
    }
    Ok(kinds)
}

fn check_node(
    index: usize,
    node: &ImportedNode,
    kinds: &HashMap<AssetId, Kind>,
    present: &dyn Fn(&AssetId) -> bool,
) -> Result<(), SceneError> {
    let which = |what: &str| format!("node {index} ({:?}): {what}", node.name);
    if node.parent.is_some_and(|p| p >= index) {
        return Err(bad(which("its parent does not come before it")));
    }
    if node.name.len() > MAX_NAME_BYTES {
        return Err(bad(which("name is too long")));
    }
    let t = &node.transform;
    for v in t.translation.to_array() {
        check_coordinate("translation", f64::from(v)).map_err(|e| bad(which(&e.to_string())))?;
    }
    for v in t.scale.to_array() {
        check_size("scale", f64::from(v)).map_err(|e| bad(which(&e.to_string())))?;
    }
    if !t.rotation.is_finite() || (t.rotation.length() - 1.0).abs() > 1e-3 {
        return Err(bad(which("rotation is not a unit quaternion")));
    }
    let m = &node.material;
    let unit = m
        .base_color
        .to_array()
        .into_iter()
        .chain([m.metallic, m.roughness]);
    for v in unit {
        check_unit("material", f64::from(v)).map_err(|e| bad(which(&e.to_string())))?;
    }
    for v in m.emissive.to_array() {
        check_emissive("emissive", f64::from(v)).map_err(|e| bad(which(&e.to_string())))?;
    }
    if let Shape::Mesh { mesh, surface } = &node.shape {
        let is = |id: &AssetId, kind: Kind| kinds.get(id) == Some(&kind) || present(id);
        if !is(mesh, Kind::Mesh) || surface.as_ref().is_some_and(|s| !is(s, Kind::Surface)) {
            return Err(bad(which("names an asset the import does not hold")));
        }
    } else if node.shape != Shape::Group {
        return Err(bad(which("is neither a mesh nor a group")));
    }
    Ok(())
}

impl SceneDoc {
    /// The bytes of asset `id`, if the document holds them and they match the id (a peer may store
    /// anything under any key). Each stored buffer is hashed once: an import's own (checked before
    /// writing) and one read before are known by identity, and a peer's write is a new buffer.
    pub fn asset(&self, id: &AssetId) -> Option<Vec<u8>> {
        let txn = self.read_txn().ok()?;
        let yrs::Out::Any(Any::Buffer(bytes)) = self.assets.get(&txn, &id.to_hex())? else {
            return None;
        };
        let mut verified = lock_verified(&self.verified_assets);
        let known = verified
            .get(id)
            .is_some_and(|checked| Weak::ptr_eq(checked, &Arc::downgrade(&bytes)));
        if !known {
            if !id.verify(&bytes) {
                return None;
            }
            verified.insert(*id, Arc::downgrade(&bytes));
        }
        Some(bytes.to_vec())
    }

    /// Writes `scene` under `parent` (or at the root), after every node already there, and returns
    /// the ids of the model's roots in order. One local transaction and its own undo step (the undo
    /// step before it is closed, and so is this one). Assets already in the document are not written
    /// again. Errors, adding nothing, when anything in `scene` is invalid (see the module docs) or
    /// `parent` is unknown.
    pub fn import(
        &mut self,
        scene: &ImportedScene,
        parent: Option<&str>,
    ) -> Result<Vec<NodeId>, SceneError> {
        if scene.nodes.len() > MAX_IMPORT_NODES {
            return Err(bad(format!(
                "{} nodes; the limit is {MAX_IMPORT_NODES}",
                scene.nodes.len()
            )));
        }
        let kinds = check_assets(scene)?;
        let parent = parent.map(NodeId::new).transpose()?;
        let order = self.tree().next_order();
        let mut counter = self.next_counter;
        let (nodes, assets, keys, client_id, verified_assets) = (
            &self.nodes,
            &self.assets,
            &self.keys,
            self.client_id,
            &self.verified_assets,
        );
        self.undo.reset();
        let roots = write((&self.doc, &self.nodes, &self.meta, &self.staged), |txn| {
            if let Some(parent) = &parent {
                existing(txn, nodes, parent.as_str())?;
            }
            let present = |id: &AssetId| assets.contains_key(txn, &id.to_hex());
            for (index, node) in scene.nodes.iter().enumerate() {
                check_node(index, node, &kinds, &present)?;
            }
            let new: Vec<&(AssetId, Vec<u8>)> =
                scene.assets.iter().filter(|(id, _)| !present(id)).collect();
            let new_bytes: usize = new.iter().map(|(_, bytes)| bytes.len()).sum();
            if new_bytes > MAX_IMPORT_BYTES {
                return Err(bad(format!(
                    "its data is {new_bytes} bytes; the limit is {MAX_IMPORT_BYTES} bytes (32 MiB less 1 MiB)"
                )));
            }
            let mut verified = lock_verified(verified_assets);
            for (id, bytes) in new {
                // Checked against its id by `check_assets` above.
                let buffer: Arc<[u8]> = Arc::from(bytes.as_slice());
                verified.insert(*id, Arc::downgrade(&buffer));
                assets.insert(txn, id.to_hex(), Any::Buffer(buffer));
            }
            drop(verified);
            let mut ids: Vec<NodeId> = Vec::with_capacity(scene.nodes.len());
            let mut last_child: HashMap<Option<usize>, String> = HashMap::new();
            let mut roots = Vec::new();
            for node in &scene.nodes {
                let id = NodeId::new(fresh_id(txn, nodes, client_id, &mut counter))?;
                // Siblings in file order; the model's first root after everything already there.
                let key = match last_child.get(&node.parent) {
                    Some(previous) => crate::order::key_between(Some(previous), None),
                    None if node.parent.is_none() => Some(order.clone()),
                    None => crate::order::key_between(None, None),
                }
                // Only unreachable key spaces fail; any valid key keeps the document well formed.
                .unwrap_or_else(|| order.clone());
                last_child.insert(node.parent, key.clone());
                let parent_id = match node.parent {
                    Some(p) => ids.get(p),
                    None => parent.as_ref(),
                };
                let mut fields: Vec<(Arc<str>, In)> = vec![
                    (keys.kind.clone(), keys.kind_value(node.shape.kind()).into()),
                    (
                        keys.placement.clone(),
                        schema::placement_any(parent_id, &key).into(),
                    ),
                    (
                        keys.transform.clone(),
                        schema::transform_any(&node.transform).into(),
                    ),
                    (
                        keys.material.clone(),
                        schema::material_any(&node.material).into(),
                    ),
                ];
                if !node.name.is_empty() {
                    fields.push((keys.name.clone(), Any::from(node.name.as_str()).into()));
                }
                if let Shape::Mesh { mesh, surface } = &node.shape {
                    if let Some(k) = keys.shape(node.shape.kind()) {
                        fields.push((k, Any::from(mesh.to_hex()).into()));
                    }
                    if let Some(surface) = surface {
                        fields.push((keys.surface.clone(), Any::from(surface.to_hex()).into()));
                    }
                }
                nodes.insert(txn, id.as_str(), MapPrelim::from_iter(fields));
                if node.parent.is_none() {
                    roots.push(id.clone());
                }
                ids.push(id);
            }
            Ok((roots, last_child.get(&None).cloned()))
        });
        self.undo.reset();
        let (roots, last_root_order) = roots?;
        if let Some(order) = last_root_order {
            self.tree().note_order(&order);
        }
        self.next_counter = self.next_counter.max(counter);
        Ok(roots)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app_core::{ImportedNode, Material, Transform};

    #[test]
    fn an_imported_asset_is_read_back_as_the_buffer_already_checked() {
        let mesh = MeshAsset {
            positions: vec![[0.0; 3], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
            normals: vec![[0.0, 0.0, 1.0]; 3],
            indices: vec![0, 1, 2],
            ..MeshAsset::default()
        }
        .encode()
        .unwrap();
        let id = AssetId::of(&mesh);
        let mut doc = SceneDoc::with_client_id(1);
        let scene = ImportedScene {
            assets: vec![(id, mesh.clone())],
            nodes: vec![ImportedNode {
                name: String::new(),
                parent: None,
                transform: Transform::IDENTITY,
                shape: Shape::Mesh {
                    mesh: id,
                    surface: None,
                },
                material: Material::default(),
            }],
            ignored: Vec::new(),
        };
        doc.import(&scene, None).unwrap();
        // yrs hands back the very buffer the import wrote, so `asset` skips hashing it again.
        let txn = doc.read_txn().unwrap();
        let Some(yrs::Out::Any(Any::Buffer(stored))) = doc.assets.get(&txn, &id.to_hex()) else {
            panic!("the asset is stored as a buffer");
        };
        drop(txn);
        let checked = lock_verified(&doc.verified_assets)
            .get(&id)
            .cloned()
            .unwrap();
        assert!(Weak::ptr_eq(&checked, &Arc::downgrade(&stored)));
        assert_eq!(doc.asset(&id), Some(mesh));
    }
}
