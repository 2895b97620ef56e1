//! Connects the scene document to the renderer: document changes in, GPU cache updates out. Plain Rust
//! so it is tested natively; the wasm `Engine` calls it once per frame.

use app_core::SceneChange;
use app_render::Renderer;
use app_scene::SceneDoc;

/// Applies every change made to `scene` since the last call to `renderer`. Returns how many changes
/// there were. Cost follows the number of changes, not the size of the document.
pub fn apply_scene_changes(scene: &mut SceneDoc, renderer: &mut Renderer) -> usize {
    let changes = scene.drain_changes();
    apply_changes(scene, renderer, &changes);
    changes.len()
}

/// Applies `changes`, drained from `scene` by the caller (who may also look at them), to
/// `renderer`. World matrices are read from `scene`.
pub fn apply_changes(scene: &SceneDoc, renderer: &mut Renderer, changes: &[SceneChange]) {
    for change in changes {
        match change {
            SceneChange::NodeAdded(node) | SceneChange::NodeUpdated { node, .. } => {
                renderer.upsert_node(node, scene.world_from_parent(node.id.as_str()));
            }
            SceneChange::NodeRemoved(id) => renderer.remove_node(id),
            SceneChange::LightChanged(light) => renderer.set_light(*light),
            SceneChange::BackgroundChanged(rgb) => renderer.set_background(*rgb),
        }
    }
}

/// Fills a freshly created renderer from the whole document: the path after device loss or a backend
/// switch. Pending changes are drained first so they are not applied twice.
pub fn rebuild_renderer(scene: &mut SceneDoc, renderer: &mut Renderer) {
    scene.drain_changes();
    renderer.set_light(scene.light());
    renderer.set_background(scene.background());
    for node in scene.snapshot() {
        renderer.upsert_node(&node, scene.world_from_parent(node.id.as_str()));
    }
}
