//! Browser tests of the view API (headless Chromium, WebGPU on SwiftShader): AOV modes, camera input,
//! framing, picking and selection, node reads, device-loss recovery and engine lifetimes.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)] // test code

use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod common;

use app_wasm::Engine;
use common::{SIZE, engine, message, pixels};

fn get(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &key.into()).unwrap()
}

/// Pixels that differ between two images.
fn differing(a: &[u8], b: &[u8]) -> usize {
    a.chunks(4).zip(b.chunks(4)).filter(|(a, b)| a != b).count()
}

/// An engine showing a sphere at the origin and a box to its right, framed.
async fn two_node_engine() -> (Engine, String, String) {
    two_node_engine_with(engine().await)
}

/// [`two_node_engine`] on the given engine.
fn two_node_engine_with(engine: Engine) -> (Engine, String, String) {
    engine.resize(SIZE as f64, SIZE as f64, 1.0).unwrap();
    let sphere = engine.add_sphere(0.0, 0.0, 0.0, 1.0).unwrap();
    let cube = engine.add_box(2.5, 0.0, 0.0, 1.0, 1.0, 1.0).unwrap();
    engine.frame_all().unwrap();
    // Damping: a second of frames brings the camera to rest.
    for _ in 0..60 {
        engine.render_frame(1.0 / 60.0).unwrap();
    }
    (engine, sphere, cube)
}

#[wasm_bindgen_test]
async fn each_aov_mode_changes_the_image_and_unknown_modes_throw() {
    let (mut engine, _, _) = two_node_engine().await;
    let beauty = pixels(&mut engine).await;
    for mode in ["albedo", "normal", "depth", "object_id"] {
        engine.set_aov_mode(mode).unwrap();
        engine.render_frame(0.0).unwrap();
        let image = pixels(&mut engine).await;
        assert!(differing(&beauty, &image) > 500, "{mode} looks like beauty");
    }
    let error = message(engine.set_aov_mode("wireframe").unwrap_err());
    assert!(
        error.contains("wireframe") && error.contains("albedo"),
        "{error}"
    );
    engine.set_aov_mode("beauty").unwrap();
    engine.render_frame(0.0).unwrap();
    assert_eq!(
        pixels(&mut engine).await,
        beauty,
        "back to beauty, same picture"
    );
}

#[wasm_bindgen_test]
async fn picking_and_selection_follow_the_scene() {
    let (mut engine, sphere, cube) = two_node_engine().await;
    // Find each node's screen position by scanning the centre row with pick.
    let row = SIZE as f64 / 2.0;
    let hits: Vec<Option<String>> = (0..SIZE)
        .map(|x| engine.pick(x as f64 + 0.5, row).unwrap())
        .collect();
    assert!(
        hits.contains(&Some(sphere.clone())),
        "the sphere is on the centre row"
    );
    assert!(
        hits.contains(&Some(cube.clone())),
        "the box is on the centre row"
    );
    assert_eq!(
        engine.pick(0.5, 0.5).unwrap(),
        None,
        "the corner is background"
    );
    let sphere_x = hits
        .iter()
        .position(|h| h.as_ref() == Some(&sphere))
        .unwrap();
    let cube_x = hits.iter().position(|h| h.as_ref() == Some(&cube)).unwrap();
    assert!(sphere_x < cube_x, "the box is right of the sphere");

    let before = pixels(&mut engine).await;
    assert_eq!(engine.selected().unwrap(), None);
    engine.select(Some(sphere.clone())).unwrap();
    assert_eq!(engine.selected().unwrap(), Some(sphere.clone()));
    engine.render_frame(0.0).unwrap();
    let highlighted = pixels(&mut engine).await;
    assert!(
        differing(&before, &highlighted) > 100,
        "the highlight shows"
    );
    assert!(message(engine.select(Some("nope".into())).unwrap_err()).contains("nope"));
    assert_eq!(
        engine.selected().unwrap(),
        Some(sphere.clone()),
        "a failed select changes nothing"
    );
    engine.remove_node(&sphere).unwrap();
    assert_eq!(
        engine.selected().unwrap(),
        None,
        "removing the node clears the selection"
    );
    engine.select(None).unwrap();
}

#[wasm_bindgen_test]
async fn drag_and_wheel_move_the_camera_smoothly() {
    let (mut engine, _, _) = two_node_engine().await;
    let rest = pixels(&mut engine).await;
    engine.on_mouse_drag(40.0, 0.0, 0.into()).unwrap();
    engine.render_frame(1.0 / 60.0).unwrap();
    let first = pixels(&mut engine).await;
    for _ in 0..60 {
        engine.render_frame(1.0 / 60.0).unwrap();
    }
    let settled = pixels(&mut engine).await;
    assert!(differing(&rest, &first) > 0, "orbiting starts at once");
    assert!(
        differing(&first, &settled) > 0,
        "and eases on over later frames"
    );
    engine.on_wheel(-400.0).unwrap();
    engine.on_mouse_drag(10.0, 10.0, 2.into()).unwrap();
    for _ in 0..60 {
        engine.render_frame(1.0 / 60.0).unwrap();
    }
    assert!(
        differing(&settled, &pixels(&mut engine).await) > 500,
        "zoom and pan show"
    );
    assert!(engine.on_mouse_drag(f64::NAN, 0.0, 0.into()).is_err());
    for button in [
        JsValue::from(7),
        JsValue::from(0.5),
        JsValue::from(f64::NAN),
        JsValue::from("0"),
        JsValue::UNDEFINED,
    ] {
        let error = message(engine.on_mouse_drag(1.0, 0.0, button.clone()).unwrap_err());
        assert!(error.contains("button"), "{button:?}: {error}");
    }
    assert!(engine.on_wheel(f64::INFINITY).is_err());
}

#[wasm_bindgen_test]
async fn get_node_and_the_extra_shape_setters() {
    let engine = engine().await;
    let cube = engine.add_box(1.0, 2.0, 3.0, 1.0, 2.0, 3.0).unwrap();
    let floor = engine.add_plane(0.0, 0.0, 0.0, 4.0).unwrap();
    engine.set_box_extents(&cube, 0.5, 0.5, 0.5).unwrap();
    engine.set_plane_size(&floor, 8.0).unwrap();
    engine.set_color(&cube, 0.25, 0.5, 1.0).unwrap();
    let node = engine.get_node(&cube).unwrap();
    assert_eq!(get(&node, "kind").as_string().as_deref(), Some("box"));
    let position: Vec<f64> = js_sys::Array::from(&get(&node, "position"))
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(position, vec![1.0, 2.0, 3.0]);
    let extents = js_sys::Array::from(&get(&node, "extents"));
    assert_eq!(extents.get(0).as_f64(), Some(0.5));
    assert_eq!(
        js_sys::Array::from(&get(&node, "color")).get(2).as_f64(),
        Some(1.0)
    );
    assert_eq!(
        get(&engine.get_node(&floor).unwrap(), "size").as_f64(),
        Some(8.0)
    );
    assert!(message(engine.get_node("nope").unwrap_err()).contains("nope"));
    assert!(
        engine.set_box_extents(&floor, 1.0, 1.0, 1.0).is_err(),
        "a plane has no extents"
    );
    assert!(engine.set_plane_size(&floor, 0.0).is_err());
    assert!(engine.can_undo().unwrap());
    assert!(!engine.can_redo().unwrap());
}

#[wasm_bindgen_test]
async fn a_lost_device_is_recreated_from_the_document_with_the_same_picture() {
    let (mut engine, sphere, _) = two_node_engine().await;
    engine.select(Some(sphere)).unwrap();
    engine.set_aov_mode("normal").unwrap();
    engine.render_frame(0.0).unwrap();
    let before = pixels(&mut engine).await;
    engine.debug_lose_device().unwrap();
    // The browser reports the loss asynchronously; frames meanwhile draw nothing and do not throw.
    let mut recovered = false;
    for _ in 0..200 {
        engine.render_frame(0.0).unwrap();
        if get(&engine.stats().unwrap(), "device_losses").as_f64() == Some(1.0) {
            recovered = true;
            break;
        }
        common::next_task().await;
    }
    assert!(recovered, "the engine recovered within 200 frames");
    engine.render_frame(0.0).unwrap();
    let after = pixels(&mut engine).await;
    assert_eq!(
        differing(&before, &after),
        0,
        "same scene, same view, same pixels"
    );
    assert_eq!(get(&engine.stats().unwrap(), "nodes").as_f64(), Some(2.0));
}

#[wasm_bindgen_test]
async fn live_engines_are_counted_until_freed() {
    let base = Engine::live_count();
    let first = engine().await;
    let second = engine().await;
    assert_eq!(Engine::live_count(), base + 2);
    drop(first);
    assert_eq!(Engine::live_count(), base + 1);
    drop(second);
    assert_eq!(Engine::live_count(), base);
}

#[wasm_bindgen_test]
async fn offscreen_frames_wait_for_the_gpu_instead_of_queueing_without_bound() {
    // Every frame asks to be drawn (an unchanged frame is otherwise not drawn at all).
    let mut engine = common::engine_with(&[("redraw", "always".into())]).await;
    engine.add_sphere(0.0, 0.0, 0.0, 1.0).unwrap();
    let skipped = |engine: &mut Engine| {
        get(&engine.stats().unwrap(), "frames_skipped")
            .as_f64()
            .unwrap()
    };
    // Without yielding, the GPU cannot report finished work: two frames go out, the rest wait.
    for _ in 0..20 {
        engine.render_frame(0.0).unwrap();
    }
    assert_eq!(skipped(&mut engine), 18.0);
    // Once the page yields, the GPU catches up and frames draw again.
    let mut drew = false;
    for _ in 0..200 {
        common::next_task().await;
        let before = skipped(&mut engine);
        engine.render_frame(0.0).unwrap();
        if skipped(&mut engine) == before {
            drew = true;
            break;
        }
    }
    assert!(drew, "frames resume once the GPU has caught up");

    // `max_frames_in_flight: Infinity` draws every frame, however far behind the GPU is.
    let mut unbounded = common::engine_with(&[
        ("redraw", "always".into()),
        ("max_frames_in_flight", f64::INFINITY.into()),
    ])
    .await;
    unbounded.add_sphere(0.0, 0.0, 0.0, 1.0).unwrap();
    for _ in 0..20 {
        unbounded.render_frame(0.0).unwrap();
    }
    assert_eq!(skipped(&mut unbounded), 0.0);
}

#[wasm_bindgen_test]
async fn an_unchanged_frame_is_not_drawn_and_any_change_is() {
    // No limit on frames in flight, so no frame below is held back because SwiftShader is behind.
    let unbounded = common::engine_with(&[("max_frames_in_flight", f64::INFINITY.into())]).await;
    let (mut engine, sphere, _) = two_node_engine_with(unbounded);
    let count =
        |engine: &mut Engine, key: &str| get(&engine.stats().unwrap(), key).as_f64().unwrap();
    let still = pixels(&mut engine).await;
    let unchanged = count(&mut engine, "frames_unchanged");
    for _ in 0..10 {
        engine.render_frame(1.0 / 60.0).unwrap();
    }
    assert_eq!(
        count(&mut engine, "frames_unchanged") - unchanged,
        10.0,
        "a still scene under a still camera draws nothing"
    );
    assert_eq!(
        pixels(&mut engine).await,
        still,
        "and shows the same picture"
    );

    // Each kind of change draws exactly the next frame.
    type Change<'a> = (&'a str, &'a dyn Fn(&Engine));
    let changes: [Change<'_>; 4] = [
        ("a document edit", &|e| {
            e.set_position(&sphere, 0.0, 0.5, 0.0).unwrap()
        }),
        ("an AOV switch", &|e| e.set_aov_mode("normal").unwrap()),
        ("a selection", &|e| e.select(Some(sphere.clone())).unwrap()),
        ("a resize", &|e| {
            e.resize(SIZE as f64 / 2.0, SIZE as f64, 1.0).unwrap()
        }),
    ];
    for (what, change) in changes {
        change(&engine);
        let (unchanged, skipped) = (
            count(&mut engine, "frames_unchanged"),
            count(&mut engine, "frames_skipped"),
        );
        engine.render_frame(1.0 / 60.0).unwrap();
        assert_eq!(
            (
                count(&mut engine, "frames_unchanged"),
                count(&mut engine, "frames_skipped")
            ),
            (unchanged, skipped),
            "{what}: the next frame is drawn"
        );
        engine.render_frame(1.0 / 60.0).unwrap();
        assert_eq!(
            count(&mut engine, "frames_unchanged"),
            unchanged + 1.0,
            "{what}: the frame after it is not"
        );
    }

    // `redraw: "always"` draws every frame, as three.js's `renderer.render` does.
    let always = common::engine_with(&[("redraw", "always".into())]).await;
    always.add_sphere(0.0, 0.0, 0.0, 1.0).unwrap();
    for _ in 0..2 {
        always.render_frame(0.0).unwrap();
    }
    let stats = always.stats().unwrap();
    assert_eq!(get(&stats, "frames_unchanged").as_f64(), Some(0.0));
    assert_eq!(get(&stats, "frames_skipped").as_f64(), Some(0.0));
}

#[wasm_bindgen_test]
async fn a_read_racing_a_device_loss_fails_naming_the_loss() {
    let (mut engine, _, _) = two_node_engine().await;
    let read = engine.read_pixels();
    // Destroys the device while the read's mapping is pending.
    engine.debug_lose_device().unwrap();
    let error = wasm_bindgen_futures::JsFuture::from(read)
        .await
        .expect_err("the mapping cannot finish on a destroyed device");
    let text = js_sys::Error::from(error).message().as_string().unwrap();
    assert!(text.contains("device was lost"), "{text}");
    // The engine recovers, and reads work again.
    for _ in 0..200 {
        engine.render_frame(0.0).unwrap();
        if get(&engine.stats().unwrap(), "device_losses").as_f64() == Some(1.0) {
            break;
        }
        common::next_task().await;
    }
    assert_eq!(pixels(&mut engine).await.len(), (SIZE * SIZE * 4) as usize);
}

#[wasm_bindgen_test]
async fn read_pixels_copies_a_drawn_view_and_renders_one_not_yet_drawn() {
    let (mut engine, sphere, _) = two_node_engine().await;
    // The last frame shows the current view: the read copies the engine's target.
    let copied = pixels(&mut engine).await;
    // A change no frame has drawn yet: the read renders the view as it is now, not the stale target.
    engine.set_position(&sphere, 0.0, 0.8, 0.0).unwrap();
    let rendered = pixels(&mut engine).await;
    assert!(
        differing(&copied, &rendered) > 100,
        "the read shows the moved sphere before any frame drew it"
    );
    // Drawn by a frame, the same view copied back equals the one rendered for the read.
    engine.render_frame(0.0).unwrap();
    let copied_after = pixels(&mut engine).await;
    let differ = differing(&rendered, &copied_after);
    assert!(
        differ <= (SIZE * SIZE / 1000) as usize,
        "a copy of the frame and a render of the same view differ in {differ} pixels"
    );
}
