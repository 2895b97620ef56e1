//! Native tests of the scene → renderer bridge on lavapipe: document edits reach the pixels, and a
//! renderer rebuilt from the document (device loss) draws the same image.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)] // test code

use app_render::{Renderer, RgbaImage};
use app_scene::SceneDoc;
use app_wasm::bridge::{apply_scene_changes, rebuild_renderer};

mod native;

use native::gpu;

fn render(renderer: &mut Renderer) -> RgbaImage {
    native::render(renderer, 96)
}

#[test]
fn edits_reach_the_pixels_and_a_rebuilt_renderer_draws_the_same_image() {
    let gpu = gpu();
    let mut scene = SceneDoc::with_client_id(1);
    let mut renderer = Renderer::new(&gpu);
    let empty = render(&mut renderer);

    let id = scene.add_sphere([0.0, 0.0, 0.0], 1.0).unwrap();
    assert_eq!(apply_scene_changes(&mut scene, &mut renderer), 1);
    let one = render(&mut renderer);
    assert_ne!(one, empty, "the added sphere is drawn");
    assert_eq!(
        apply_scene_changes(&mut scene, &mut renderer),
        0,
        "nothing changed since the last drain"
    );

    scene.set_sphere_radius(id.as_str(), 0.5).unwrap();
    scene.add_sphere([1.5, 0.0, 0.0], 0.4).unwrap();
    apply_scene_changes(&mut scene, &mut renderer);
    // Bounds only grow between refits (they still hold the radius-1 sphere), and the shadow map's
    // frustum is fitted to them; a rebuilt renderer starts with exact bounds. Refit so both fit the
    // same bounds and the comparison below is exact.
    renderer.refit_bounds();
    let edited = render(&mut renderer);
    assert_ne!(edited, one);

    // Device loss: drop every GPU resource, rebuild from the document alone.
    drop(renderer);
    let mut rebuilt = Renderer::new(&gpu);
    rebuild_renderer(&mut scene, &mut rebuilt);
    assert_eq!(
        render(&mut rebuilt),
        edited,
        "the document alone rebuilds the same picture"
    );

    scene.remove_node(id.as_str()).unwrap();
    apply_scene_changes(&mut scene, &mut rebuilt);
    assert_eq!(rebuilt.instance_count(), 1);
}

#[test]
fn remote_edits_are_drawn_like_local_ones() {
    let gpu = gpu();
    let mut alice = SceneDoc::with_client_id(1);
    let mut bob = SceneDoc::with_client_id(2);
    let mut bob_view = Renderer::new(&gpu);
    alice.add_sphere([0.0, 0.0, 0.0], 1.0).unwrap();
    bob.apply_update_v1(&alice.encode_state_v1()).unwrap();
    apply_scene_changes(&mut bob, &mut bob_view);
    assert_eq!(bob_view.instance_count(), 1);

    let mut alice_view = Renderer::new(&gpu);
    apply_scene_changes(&mut alice, &mut alice_view);
    assert_eq!(
        render(&mut alice_view),
        render(&mut bob_view),
        "both peers draw the same scene"
    );
}

#[test]
fn the_background_is_document_state_drawn_and_rebuilt() {
    assert_eq!(
        app_core::DEFAULT_BACKGROUND,
        app_render::DEFAULT_BACKGROUND,
        "a document without a background draws the renderer's default"
    );
    let gpu = gpu();
    let mut scene = SceneDoc::with_client_id(1);
    let mut renderer = Renderer::new(&gpu);
    scene.add_sphere([0.0, 0.0, 0.0], 0.5).unwrap();
    scene.end_undo_step();
    apply_scene_changes(&mut scene, &mut renderer);
    let default = render(&mut renderer);

    scene.set_background([0.5, 0.25, 0.125]).unwrap();
    apply_scene_changes(&mut scene, &mut renderer);
    assert_eq!(renderer.background(), glam::Vec3::new(0.5, 0.25, 0.125));
    let set = render(&mut renderer);
    assert!(set != default, "the background reaches the pixels");

    // Device loss: the rebuilt renderer takes the background from the document too.
    let mut rebuilt = Renderer::new(&gpu);
    rebuild_renderer(&mut scene, &mut rebuilt);
    assert_eq!(rebuilt.background(), glam::Vec3::new(0.5, 0.25, 0.125));
    assert!(render(&mut rebuilt) == set, "the rebuilt renderer draws it");

    // A peer draws it; undo brings the default back.
    let mut peer = SceneDoc::with_client_id(2);
    peer.apply_update_v1(&scene.encode_state_v1()).unwrap();
    let mut peer_view = Renderer::new(&gpu);
    apply_scene_changes(&mut peer, &mut peer_view);
    assert!(render(&mut peer_view) == set, "the peer draws it");
    scene.end_undo_step();
    assert!(scene.undo().unwrap());
    apply_scene_changes(&mut scene, &mut renderer);
    assert_eq!(renderer.background(), app_render::DEFAULT_BACKGROUND);
    assert!(
        render(&mut renderer) == default,
        "undone: the default again"
    );
}
