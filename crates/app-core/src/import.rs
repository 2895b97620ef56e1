//! An imported model as plain values: what an importer (`app-gltf`) produces and `app-scene` writes
//! into the document in one transaction. Nothing here has been written anywhere yet.
//!
//! The importer runs in its own wasm module, loaded on the first import (it is most of a glTF
//! parser's size), so a model crosses between modules as bytes: [`ImportedScene::encode`] and
//! [`ImportedScene::decode`]. Encoding: tag `YSMODEL1`; asset count (u32), each id (16 bytes), length
//! (u32) and bytes; node count (u32), each name (u32 length + UTF-8), parent (u32, `u32::MAX` for none),
//! transform (10 f32: translation, rotation xyzw, scale), shape (u8: 0 group, 1 mesh; a mesh then has
//! its mesh id (16 bytes), a surface presence byte and id), material (8 f32); ignored count (u32),
//! each a u32 length + UTF-8. The decoder checks lengths and UTF-8; `SceneDoc::import` checks the rest.

use glam::{Quat, Vec3};

use crate::asset::bytes::{Reader, Writer};
use crate::{AssetError, AssetId, Material, Shape, Transform};

/// Most encoded asset bytes one import may add (meshes, surfaces and images together): 31 MiB, so the
/// update that carries the import to peers, with its nodes and framing, fits the sync layer's 32 MiB
/// message limit. The importer refuses a bigger model naming this limit, and so does the document.
pub const MAX_IMPORT_BYTES: usize = (32 << 20) - (1 << 20);

const TAG: &[u8; 8] = b"YSMODEL1";
const WHAT: &str = "imported model";

/// One node of an imported model.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedNode {
    /// Display name (may be empty).
    pub name: String,
    /// Index of the parent in [`ImportedScene::nodes`] (always a lower index), or `None` for a root of
    /// the model.
    pub parent: Option<usize>,
    /// Placement relative to the parent.
    pub transform: Transform,
    /// What is drawn: [`Shape::Mesh`] or [`Shape::Group`].
    pub shape: Shape,
    /// Factors (base color, metallic, roughness, emissive).
    pub material: Material,
}

/// A whole imported model.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportedScene {
    /// Encoded assets (mesh, surface and image), each once, with its content id.
    pub assets: Vec<(AssetId, Vec<u8>)>,
    /// Nodes, parents before children; siblings in file order.
    pub nodes: Vec<ImportedNode>,
    /// What the file held that was not imported (animations, skins, cameras, …), one entry per kind.
    pub ignored: Vec<String>,
}

impl ImportedScene {
    /// Total bytes of the encoded assets.
    pub fn asset_bytes(&self) -> usize {
        self.assets.iter().map(|(_, bytes)| bytes.len()).sum()
    }
}

fn write_str(w: &mut Writer, s: &str) {
    w.u32(s.len() as u32);
    w.bytes(s.as_bytes());
}

fn read_str(r: &mut Reader<'_>) -> Result<String, AssetError> {
    let len = r.u32()? as usize;
    String::from_utf8(r.take(len)?.to_vec())
        .map_err(|_| AssetError::invalid(WHAT, "a name is not UTF-8"))
}

fn read_id(r: &mut Reader<'_>) -> Result<AssetId, AssetError> {
    let mut id = [0; 16];
    id.copy_from_slice(r.take(16)?);
    Ok(AssetId(id))
}

/// A count that must fit in what is left (each item takes at least `min_bytes`), checked before
/// anything is allocated for it.
fn count(r: &mut Reader<'_>, min_bytes: usize) -> Result<usize, AssetError> {
    let n = r.u32()? as usize;
    if n.saturating_mul(min_bytes) > r.remaining() {
        return Err(AssetError::invalid(WHAT, "a count is larger than the data"));
    }
    Ok(n)
}

impl ImportedScene {
    /// The bytes that carry this model from the importer's module to the engine's.
    pub fn encode(&self) -> Vec<u8> {
        // Room for the assets (nearly all of it) and a little per node, made once: a model's
        // megabytes copied by repeated growth showed in the import's profile (`bench/gltf-profile.mjs`).
        let assets: usize = self.assets.iter().map(|(_, b)| 20 + b.len()).sum();
        let mut w = Writer(Vec::with_capacity(64 + assets + 128 * self.nodes.len()));
        w.tag(TAG);
        w.u32(self.assets.len() as u32);
        for (id, bytes) in &self.assets {
            w.bytes(&id.0);
            w.u32(bytes.len() as u32);
            w.bytes(bytes);
        }
        w.u32(self.nodes.len() as u32);
        for node in &self.nodes {
            write_str(&mut w, &node.name);
            w.u32(node.parent.map_or(u32::MAX, |p| p as u32));
            let t = &node.transform;
            w.f32s(&t.translation.to_array());
            w.f32s(&t.rotation.to_array());
            w.f32s(&t.scale.to_array());
            match &node.shape {
                Shape::Mesh { mesh, surface } => {
                    w.u8(1);
                    w.bytes(&mesh.0);
                    w.u8(u8::from(surface.is_some()));
                    if let Some(surface) = surface {
                        w.bytes(&surface.0);
                    }
                }
                _ => w.u8(0),
            }
            let m = &node.material;
            w.f32s(&m.base_color.to_array());
            w.f32s(&[m.metallic, m.roughness]);
            w.f32s(&m.emissive.to_array());
        }
        w.u32(self.ignored.len() as u32);
        for ignored in &self.ignored {
            write_str(&mut w, ignored);
        }
        w.0
    }

    /// Reads bytes from [`ImportedScene::encode`]; fails, naming the problem, on anything else.
    pub fn decode(bytes: &[u8]) -> Result<Self, AssetError> {
        let mut r = Reader::new(bytes, TAG, WHAT)?;
        let mut scene = ImportedScene::default();
        for _ in 0..count(&mut r, 20)? {
            let id = read_id(&mut r)?;
            let len = r.u32()? as usize;
            scene.assets.push((id, r.take(len)?.to_vec()));
        }
        for _ in 0..count(&mut r, 77)? {
            let name = read_str(&mut r)?;
            let parent = match r.u32()? {
                u32::MAX => None,
                p => Some(p as usize),
            };
            let [t] = r.f32_groups::<10>(1)?[..] else {
                return Err(AssetError::invalid(WHAT, "a transform ends early"));
            };
            let transform = Transform {
                translation: Vec3::new(t[0], t[1], t[2]),
                rotation: Quat::from_xyzw(t[3], t[4], t[5], t[6]),
                scale: Vec3::new(t[7], t[8], t[9]),
            };
            let shape = match r.u8()? {
                0 => Shape::Group,
                1 => {
                    let mesh = read_id(&mut r)?;
                    let surface = match r.u8()? {
                        0 => None,
                        _ => Some(read_id(&mut r)?),
                    };
                    Shape::Mesh { mesh, surface }
                }
                _ => return Err(AssetError::invalid(WHAT, "a node's shape is unknown")),
            };
            let [m] = r.f32_groups::<8>(1)?[..] else {
                return Err(AssetError::invalid(WHAT, "a material ends early"));
            };
            let material = Material {
                base_color: Vec3::new(m[0], m[1], m[2]),
                metallic: m[3],
                roughness: m[4],
                emissive: Vec3::new(m[5], m[6], m[7]),
            };
            scene.nodes.push(ImportedNode {
                name,
                parent,
                transform,
                shape,
                material,
            });
        }
        for _ in 0..count(&mut r, 4)? {
            scene.ignored.push(read_str(&mut r)?);
        }
        r.finish()?;
        Ok(scene)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_round_trip_and_every_truncation_fails() {
        let mesh = AssetId::of(b"mesh");
        let scene = ImportedScene {
            assets: vec![(mesh, b"mesh".to_vec()), (AssetId::of(b"s"), b"s".to_vec())],
            nodes: vec![
                ImportedNode {
                    name: "root ✓".into(),
                    parent: None,
                    transform: Transform::from_translation(Vec3::X),
                    shape: Shape::Group,
                    material: Material::default(),
                },
                ImportedNode {
                    name: String::new(),
                    parent: Some(0),
                    transform: Transform::IDENTITY,
                    shape: Shape::Mesh {
                        mesh,
                        surface: Some(AssetId::of(b"s")),
                    },
                    material: Material::default(),
                },
            ],
            ignored: vec!["animations (2)".into()],
        };
        let bytes = scene.encode();
        assert_eq!(ImportedScene::decode(&bytes).unwrap(), scene);
        for len in 0..bytes.len() {
            assert!(ImportedScene::decode(&bytes[..len]).is_err(), "{len}");
        }
        let mut huge = bytes.clone();
        huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(ImportedScene::decode(&huge).is_err());
    }
}
