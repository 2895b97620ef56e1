//! Feeds the renderer the assets it asks for, from the document. Plain Rust (tested natively); the
//! only part it leaves to its caller is decoding images, which the browser does (`image_decode.rs`)
//! and native tests do with the `png` crate.
//!
//! Contract: every asset id the renderer announces (`Renderer::take_wanted_assets`) is looked up in
//! the document once. A mesh or surface is decoded and handed over at once (a surface then announces
//! its images, which are looked up in the same pass); an image comes back as an [`ImageJob`]; an id
//! the document does not hold yet is remembered and looked up again when the change stream reports
//! it (`SceneChange::AssetAdded`). Bytes that do not decode as any asset are dropped: the nodes using
//! them stay undrawn (a mesh) or untextured (an image), and the engine keeps running.

use std::collections::HashSet;

use app_core::{AssetId, ImageAsset, MeshAsset, SceneChange, Surface};
use app_render::Renderer;
use app_scene::SceneDoc;

/// An image to decode and then hand to `Renderer::insert_image`.
#[derive(Debug, Clone)]
pub struct ImageJob {
    /// The image asset's id.
    pub id: AssetId,
    /// The encoded image and its size.
    pub image: ImageAsset,
}

/// Assets announced by the renderer that the document did not hold when they were looked up.
#[derive(Debug, Default)]
pub struct AssetFeed {
    missing: HashSet<AssetId>,
    /// Ids whose bytes were not a valid asset (reported once each).
    rejected: HashSet<AssetId>,
}

impl AssetFeed {
    /// Hands `renderer` every asset it wants that `scene` holds, including those among `changes`'
    /// `AssetAdded` that an earlier pass found missing, and returns the images to decode.
    pub fn feed(
        &mut self,
        scene: &SceneDoc,
        renderer: &mut Renderer,
        changes: &[SceneChange],
    ) -> Vec<ImageJob> {
        let mut queue: Vec<AssetId> = changes
            .iter()
            .filter_map(|c| match c {
                SceneChange::AssetAdded(id) if self.missing.remove(id) => Some(*id),
                _ => None,
            })
            .collect();
        queue.extend(renderer.take_wanted_assets());
        let mut jobs = Vec::new();
        while let Some(id) = queue.pop() {
            let Some(bytes) = scene.asset(&id) else {
                self.missing.insert(id);
                continue;
            };
            if let Ok(mesh) = MeshAsset::decode(&bytes) {
                renderer.insert_mesh(id, &mesh);
            } else if let Ok(surface) = Surface::decode(&bytes) {
                renderer.insert_surface(id, surface);
                queue.extend(renderer.take_wanted_assets());
            } else if let Ok(image) = ImageAsset::decode(&bytes) {
                jobs.push(ImageJob { id, image });
            } else {
                self.rejected.insert(id);
            }
        }
        jobs
    }

    /// Ids waiting for their bytes to arrive.
    pub fn missing(&self) -> usize {
        self.missing.len()
    }

    /// Ids whose bytes are not a valid asset.
    pub fn rejected(&self) -> usize {
        self.rejected.len()
    }
}
