//! `Renderer::frame_key`: equal keys must mean the same image (app-wasm skips drawing a frame whose key
//! equals the last drawn one), so every change that alters the picture must change the key, and
//! nothing else may.

// Test code: failing loudly is the point (CLAUDE.md invariant 6 covers the library, not its tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use app_core::glam::{Mat4, Vec3};
use app_core::{DirectionalLight, Node, NodeId, Shape, Transform};
use app_render::{AovMode, OFFSCREEN_FORMAT, Renderer, wgpu};

const SIZE: u32 = 64;

fn sphere(id: &str, x: f32) -> Node {
    Node::new(
        NodeId::new(id).unwrap(),
        Shape::Sphere { radius: 0.5 },
        Transform::from_translation(Vec3::new(x, 0.5, 0.0)),
    )
}

fn key(renderer: &Renderer) -> app_render::FrameKey {
    renderer.frame_key(OFFSCREEN_FORMAT, SIZE, SIZE)
}

/// Asserts `change` alters the key, and that the key is then stable until the next change.
fn changes_key(renderer: &mut Renderer, what: &str, change: impl FnOnce(&mut Renderer)) {
    let before = key(renderer);
    change(renderer);
    let after = key(renderer);
    assert_ne!(before, after, "{what} must change the frame key");
    assert_eq!(after, key(renderer), "{what}: the key is stable afterwards");
}

#[test]
fn the_key_follows_every_change_to_the_picture_and_nothing_else() {
    let mut renderer = support::renderer();
    renderer.upsert_node(&sphere("a", 0.0), Mat4::IDENTITY);
    renderer.upsert_node(&sphere("b", 2.0), Mat4::IDENTITY);
    let first = key(&renderer);
    assert_eq!(first, key(&renderer), "asking twice gives the same key");

    // Drawing (and reading back) does not change what the next frame would show.
    let image = support::render(&mut renderer, SIZE, SIZE);
    assert_eq!(
        first,
        key(&renderer),
        "drawing a frame leaves the key as it was"
    );
    assert_eq!(
        support::render(&mut renderer, SIZE, SIZE).pixels,
        image.pixels,
        "an equal key draws the same image"
    );

    // Rewriting a node with identical values is not a change.
    renderer.upsert_node(&sphere("a", 0.0), Mat4::IDENTITY);
    assert_eq!(first, key(&renderer), "an identical upsert changes nothing");

    changes_key(&mut renderer, "moving a node", |r| {
        r.upsert_node(&sphere("a", 0.25), Mat4::IDENTITY)
    });
    changes_key(&mut renderer, "adding a node", |r| {
        r.upsert_node(&sphere("c", -2.0), Mat4::IDENTITY)
    });
    changes_key(&mut renderer, "removing the node in the last slot", |r| {
        r.remove_node(&NodeId::new("c").unwrap())
    });
    changes_key(&mut renderer, "removing a node", |r| {
        r.remove_node(&NodeId::new("a").unwrap())
    });
    changes_key(&mut renderer, "hiding a node", |r| {
        let mut hidden = sphere("b", 2.0);
        hidden.visible = false;
        r.upsert_node(&hidden, Mat4::IDENTITY)
    });
    renderer.upsert_node(&sphere("b", 2.0), Mat4::IDENTITY);
    changes_key(&mut renderer, "orbiting the camera", |r| {
        r.camera.yaw_rad += 0.1
    });
    changes_key(&mut renderer, "a peer's highlight", |r| {
        r.set_peer_highlights(&[(NodeId::new("b").unwrap(), Vec3::new(0.0, 1.0, 0.0))])
    });
    changes_key(&mut renderer, "selecting a node", |r| {
        r.set_selected(Some(&NodeId::new("b").unwrap()))
    });
    // The local selection wins over a peer's highlight: another peer color on it shows nothing new.
    let selected = key(&renderer);
    renderer.set_peer_highlights(&[(NodeId::new("b").unwrap(), Vec3::new(0.0, 0.0, 1.0))]);
    assert_eq!(
        selected,
        key(&renderer),
        "a hidden highlight change is no change"
    );
    changes_key(&mut renderer, "switching the AOV", |r| {
        r.set_aov(AovMode::Normal)
    });
    changes_key(&mut renderer, "changing the light", |r| {
        r.set_light(DirectionalLight {
            intensity: 2.0,
            ..DirectionalLight::default()
        })
    });

    let now = key(&renderer);
    assert_ne!(
        now,
        renderer.frame_key(OFFSCREEN_FORMAT, SIZE * 2, SIZE),
        "another size is another frame"
    );
    assert_ne!(
        now,
        renderer.frame_key(wgpu::TextureFormat::Bgra8UnormSrgb, SIZE, SIZE),
        "another output format is another frame"
    );
}
