//! An imported model as plain values: what an importer (`app-gltf`) produces and `app-scene` writes
//! into the document in one transaction. Nothing here has been written anywhere yet.

use crate::{AssetId, Material, Shape, Transform};

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
