//! Connects the scene document to the renderer: document changes in, GPU cache updates out. Plain Rust
//! so it is tested natively; the wasm `Engine` calls it once per frame.

use app_core::{Node, SceneChange};
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
                upsert(scene, renderer, node);
            }
            SceneChange::NodeRemoved(id) => renderer.remove_node(id),
            SceneChange::LightChanged(light) => renderer.set_light(*light),
            SceneChange::BackgroundChanged(rgb) => renderer.set_background(*rgb),
            // Assets reach the renderer when it asks for them (`asset_feed.rs`).
            SceneChange::AssetAdded(_) => {}
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
        upsert(scene, renderer, &node);
    }
}

/// Draws `node` where its ancestors place it, unless it or an ancestor is hidden (a hidden node
/// hides its subtree; the change stream reports the subtree when a visibility changes).
fn upsert(scene: &SceneDoc, renderer: &mut Renderer, node: &Node) {
    let (world_from_parent, ancestors_visible) =
        scene.world_from_parent_and_shown(node.id.as_str());
    if node.visible && !ancestors_visible {
        let hidden = Node {
            visible: false,
            ..node.clone()
        };
        renderer.upsert_node(&hidden, world_from_parent);
    } else {
        renderer.upsert_node(node, world_from_parent);
    }
}
