//! Browser tests of the scene model in JavaScript (shared/API.md, Scene table) on WebGPU and WebGL2:
//! transforms, hierarchy, names, visibility, emissive, light and background reach the pixels; bad
//! input throws naming the problem and changes nothing; `batch`, `on_change`, undo and sync cover the
//! new fields; `free()` and WebGL2 context loss.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)] // test code

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod common;

use app_wasm::Engine;
use common::{ByteSink, SIZE, covered, engine_with, message, next_task, pixel, pixels};

const BACKENDS: [&str; 2] = ["webgpu", "webgl2"];

fn get(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &key.into()).unwrap()
}

fn numbers(value: &JsValue) -> Vec<f64> {
    js_sys::Array::from(value)
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

fn strings(value: &JsValue) -> Vec<String> {
    js_sys::Array::from(value)
        .iter()
        .map(|v| v.as_string().unwrap())
        .collect()
}

fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in entries {
        js_sys::Reflect::set(&object, &(*key).into(), value).unwrap();
    }
    object.into()
}

fn array(values: &[f64]) -> JsValue {
    values
        .iter()
        .map(|v| JsValue::from(*v))
        .collect::<js_sys::Array>()
        .into()
}

/// An offscreen engine on `backend` looking at the origin from +z, 6 units away.
async fn view(backend: &str) -> Engine {
    let engine = engine_with(&[("backend", backend.into())]).await;
    engine.resize(SIZE as f64, SIZE as f64, 1.0).unwrap();
    engine
        .set_camera(object(&[
            ("position", array(&[0.0, 0.0, 6.0])),
            ("target", array(&[0.0, 0.0, 0.0])),
            ("fov_y_deg", 45.0.into()),
        ]))
        .unwrap();
    engine
}

/// Renders a frame and reads it back.
async fn frame(engine: &mut Engine) -> Vec<u8> {
    engine.render_frame(0.0).unwrap();
    pixels(engine).await
}

fn brightness(p: [u8; 4]) -> u32 {
    u32::from(p[0]) + u32::from(p[1]) + u32::from(p[2])
}

#[wasm_bindgen_test]
async fn transforms_hierarchy_visibility_emissive_light_and_background_reach_the_pixels() {
    for backend in BACKENDS {
        let mut engine = view(backend).await;
        let centre = SIZE / 2;

        // Scale: a bigger sphere covers more pixels.
        let sphere = engine.add_sphere(0.0, 0.0, 0.0, 1.0).unwrap();
        let one = frame(&mut engine).await;
        engine.set_scale(&sphere, 1.5, 1.5, 1.5).unwrap();
        let bigger = frame(&mut engine).await;
        assert!(
            covered(&bigger) > covered(&one) * 3 / 2,
            "{backend}: scale {} -> {}",
            covered(&one),
            covered(&bigger)
        );
        engine.set_scale(&sphere, 1.0, 1.0, 1.0).unwrap();

        // Emissive: the sphere's centre gets greener.
        let lit = pixel(&frame(&mut engine).await, centre, centre);
        engine.set_emissive(&sphere, 0.0, 1.0, 0.0).unwrap();
        let glowing = pixel(&frame(&mut engine).await, centre, centre);
        assert!(
            glowing[1] > lit[1] + 20 && glowing[1] > glowing[0] + 20,
            "{backend}: emissive {lit:?} -> {glowing:?}"
        );
        engine.set_emissive(&sphere, 0.0, 0.0, 0.0).unwrap();

        // Light: no intensity, a darker sphere (its own undo step, undone below).
        engine.end_undo_step().unwrap();
        engine
            .set_light(object(&[("intensity", 0.0.into())]))
            .unwrap();
        let dark = pixel(&frame(&mut engine).await, centre, centre);
        assert!(
            brightness(dark) + 60 < brightness(lit),
            "{backend}: light {lit:?} -> {dark:?}"
        );
        assert_eq!(
            get(&engine.get_light().unwrap(), "intensity").as_f64(),
            Some(0.0)
        );
        engine.end_undo_step().unwrap();
        assert!(engine.undo().unwrap());
        assert_eq!(engine.node_ids().unwrap(), std::slice::from_ref(&sphere));

        // Visibility: hidden, the centre shows the background.
        engine.set_visible(&sphere, false.into()).unwrap();
        let hidden = frame(&mut engine).await;
        assert_eq!(
            covered(&hidden),
            0,
            "{backend}: a hidden sphere is not drawn"
        );
        engine.set_visible(&sphere, true.into()).unwrap();

        // Background: the corner turns red.
        engine.set_background(1.0, 0.0, 0.0).unwrap();
        let red = pixel(&frame(&mut engine).await, 0, 0);
        assert!(
            red[0] > 150 && red[1] < 40 && red[2] < 40,
            "{backend}: background {red:?}"
        );
        engine.set_background(0.0, 0.0, 0.0).unwrap();

        // Rotation: a unit box turned 45° about y shows a wider silhouette.
        engine.remove_node(&sphere).unwrap();
        let cube = engine.add_box(0.0, 0.0, 0.0, 1.0, 1.0, 1.0).unwrap();
        let square = frame(&mut engine).await;
        let half = std::f64::consts::FRAC_PI_8;
        engine
            .set_rotation(&cube, 0.0, half.sin(), 0.0, half.cos())
            .unwrap();
        let turned = frame(&mut engine).await;
        assert!(
            covered(&turned) > covered(&square) * 11 / 10,
            "{backend}: rotation {} -> {}",
            covered(&square),
            covered(&turned)
        );

        // Parenting keeps the local transform: the cube moves to its new parent's place (x = -2).
        let anchor = engine.add_sphere(-2.0, 0.0, 0.0, 0.1).unwrap();
        engine.set_parent(&cube, Some(anchor.clone())).unwrap();
        let moved = frame(&mut engine).await;
        let at_centre = pixel(&moved, centre, centre);
        assert_eq!(
            at_centre,
            pixel(&moved, SIZE - 1, centre),
            "{backend}: the centre is empty"
        );
        let left = pixel(&moved, 14, centre);
        assert_ne!(
            left,
            pixel(&moved, 0, 0),
            "{backend}: the cube is on the left"
        );
        assert_eq!(
            get(&engine.get_node(&cube).unwrap(), "parent").as_string(),
            Some(anchor.clone())
        );
        // Hiding the parent hides the child too.
        engine.set_visible(&anchor, false.into()).unwrap();
        assert_eq!(
            covered(&frame(&mut engine).await),
            0,
            "{backend}: hidden subtree"
        );
    }
}

#[wasm_bindgen_test]
async fn new_calls_refuse_bad_input_and_change_nothing() {
    let engine = engine_with(&[]).await;
    let a = engine.add_sphere(0.0, 0.0, 0.0, 1.0).unwrap();
    let b = engine.add_box(1.0, 0.0, 0.0, 1.0, 1.0, 1.0).unwrap();
    engine.set_parent(&b, Some(a.clone())).unwrap();
    let before = engine.encode_state().unwrap();
    let cases: Vec<(&str, Result<(), wasm_bindgen::JsError>)> = vec![
        ("rotation", engine.set_rotation(&a, 0.0, 0.0, 0.0, 0.0)),
        ("rotation", engine.set_rotation(&a, f64::NAN, 0.0, 0.0, 1.0)),
        ("scale", engine.set_scale(&a, 1.0, 0.0, 1.0)),
        ("scale", engine.set_scale(&a, 1.0, f64::INFINITY, 1.0)),
        ("emissive", engine.set_emissive(&a, -1.0, 0.0, 0.0)),
        ("name", engine.set_name(&a, 5.into())),
        ("visible", engine.set_visible(&a, "yes".into())),
        ("cycle", engine.set_parent(&a, Some(b.clone()))),
        ("nope", engine.set_parent(&a, Some("nope".into()))),
        ("nope", engine.set_rotation("nope", 0.0, 0.0, 0.0, 1.0)),
        ("nope", engine.children(Some("nope".into())).map(drop)),
        (
            "direction",
            engine.set_light(object(&[("direction", array(&[0.0, 0.0, 0.0]))])),
        ),
        (
            "color",
            engine.set_light(object(&[("color", array(&[1.0, 2.0]))])),
        ),
        (
            "intensity",
            engine.set_light(object(&[("intensity", "bright".into())])),
        ),
        ("set_light", engine.set_light(JsValue::NULL)),
        ("red", engine.set_background(2.0, 0.0, 0.0)),
        (
            "fov",
            engine.set_camera(object(&[("fov_y_deg", 0.0.into())])),
        ),
        (
            "differ",
            engine.set_camera(object(&[
                ("position", array(&[0.0, 0.0, 0.0])),
                ("target", array(&[0.0, 0.0, 0.0])),
            ])),
        ),
        // A misspelt key is named, not ignored (the other keys are valid).
        (
            "\"colour\"",
            engine.set_light(object(&[
                ("intensity", 2.0.into()),
                ("colour", array(&[1.0, 0.0, 0.0])),
            ])),
        ),
        (
            "\"fov\"",
            engine.set_camera(object(&[("fov", 30.0.into())])),
        ),
        (
            "\"colour\"",
            engine.set_presence(object(&[
                ("name", "Ann".into()),
                ("color", "#ff0000".into()),
                ("colour", "#00ff00".into()),
            ])),
        ),
        // A callback that is not a function is refused when it is handed over, not when called.
        ("on_change", engine.on_change(42.into())),
        ("on_local_update", engine.on_local_update("f".into())),
        ("on_sync_message", engine.on_sync_message(true.into())),
        ("on_presence", engine.on_presence(object(&[]))),
    ];
    for (word, result) in cases {
        let error = message(result.expect_err(word));
        assert!(error.to_lowercase().contains(word), "{word}: {error}");
    }
    let error = engine.batch("not a function".into()).unwrap_err();
    assert!(
        error
            .dyn_ref::<js_sys::Error>()
            .unwrap()
            .message()
            .as_string()
            .unwrap()
            .contains("function")
    );
    assert_eq!(engine.encode_state().unwrap(), before, "nothing changed");
}

#[wasm_bindgen_test]
async fn get_node_reads_every_field_as_set_and_hierarchy_calls_work() {
    let engine = engine_with(&[]).await;
    let parent = engine.add_box(1.6, 0.1, 0.3, 1.0, 2.0, 3.0).unwrap();
    let child = engine.add_sphere(0.0, 0.0, 0.0, 0.7).unwrap();
    let second = engine.add_plane(0.0, 0.0, 0.0, 4.0).unwrap();
    engine.set_parent(&child, Some(parent.clone())).unwrap();
    engine.set_parent(&second, Some(parent.clone())).unwrap();
    engine.set_name(&child, "wheel".into()).unwrap();
    engine.set_scale(&child, 1.6, 2.0, 0.1).unwrap();
    engine.set_color(&child, 0.1, 0.2, 0.3).unwrap();
    engine.set_emissive(&child, 0.3, 0.0, 0.1).unwrap();
    engine.set_material(&child, 0.6, 0.7).unwrap();
    engine.set_rotation(&child, 0.0, 0.0, 0.0, 2.0).unwrap();

    let node = engine.get_node(&parent).unwrap();
    assert_eq!(
        numbers(&get(&node, "position")),
        [1.6, 0.1, 0.3],
        "read back as set"
    );
    assert_eq!(numbers(&get(&node, "extents")), [1.0, 2.0, 3.0]);
    assert!(get(&node, "parent").is_null());
    let node = engine.get_node(&child).unwrap();
    assert_eq!(get(&node, "name").as_string().as_deref(), Some("wheel"));
    assert_eq!(get(&node, "kind").as_string().as_deref(), Some("sphere"));
    assert_eq!(get(&node, "parent").as_string(), Some(parent.clone()));
    assert_eq!(numbers(&get(&node, "scale")), [1.6, 2.0, 0.1]);
    assert_eq!(
        numbers(&get(&node, "rotation")),
        [0.0, 0.0, 0.0, 1.0],
        "normalised"
    );
    assert_eq!(numbers(&get(&node, "color")), [0.1, 0.2, 0.3]);
    assert_eq!(numbers(&get(&node, "emissive")), [0.3, 0.0, 0.1]);
    assert_eq!(get(&node, "metallic").as_f64(), Some(0.6));
    assert_eq!(get(&node, "roughness").as_f64(), Some(0.7));
    assert_eq!(get(&node, "radius").as_f64(), Some(0.7));
    assert_eq!(get(&node, "visible").as_bool(), Some(true));

    assert_eq!(
        engine.children(Some(parent.clone())).unwrap(),
        [child.clone(), second.clone()]
    );
    assert_eq!(
        engine.children(None).unwrap(),
        std::slice::from_ref(&parent)
    );

    let copy = engine.duplicate(&parent).unwrap();
    assert_ne!(copy, parent);
    assert_eq!(
        engine.node_ids().unwrap().len(),
        6,
        "the whole subtree was copied"
    );
    let copied = engine.children(Some(copy.clone())).unwrap();
    assert_eq!(copied.len(), 2);
    assert_eq!(
        get(&engine.get_node(&copied[0]).unwrap(), "name")
            .as_string()
            .as_deref(),
        Some("wheel")
    );
    engine.remove_node(&parent).unwrap();
    assert_eq!(
        engine.node_ids().unwrap().len(),
        3,
        "remove_node takes the subtree"
    );
    assert!(engine.get_node(&child).is_err());
}

#[wasm_bindgen_test]
async fn new_fields_undo_redo_and_sync_to_a_peer() {
    let alice = engine_with(&[]).await;
    let bob = engine_with(&[]).await;
    let id = alice.add_sphere(0.0, 0.0, 0.0, 1.0).unwrap();
    alice.end_undo_step().unwrap();
    let read = |engine: &Engine| js_sys::JSON::stringify(&engine.get_node(&id).unwrap()).unwrap();
    let fresh = read(&alice);
    type Edit<'a> = &'a dyn Fn(&Engine);
    let edits: [(&str, Edit<'_>); 6] = [
        ("rotation", &|e| {
            e.set_rotation(&id, 0.0, 1.0, 0.0, 1.0).unwrap()
        }),
        ("scale", &|e| e.set_scale(&id, 2.0, 1.0, 1.0).unwrap()),
        ("emissive", &|e| e.set_emissive(&id, 0.5, 0.5, 0.0).unwrap()),
        ("name", &|e| e.set_name(&id, "ball".into()).unwrap()),
        ("visible", &|e| e.set_visible(&id, false.into()).unwrap()),
        ("light", &|e| {
            e.set_light(object(&[("intensity", 3.0.into())])).unwrap()
        }),
    ];
    for (what, edit) in edits {
        let light = js_sys::JSON::stringify(&alice.get_light().unwrap()).unwrap();
        edit(&alice);
        alice.end_undo_step().unwrap();
        let edited = (
            read(&alice),
            js_sys::JSON::stringify(&alice.get_light().unwrap()).unwrap(),
        );
        assert!(
            edited != (fresh.clone(), light.clone()),
            "{what} changed something"
        );
        bob.apply_update(&alice.encode_state().unwrap()).unwrap();
        assert_eq!(read(&bob), edited.0, "{what} synced");
        assert_eq!(
            js_sys::JSON::stringify(&bob.get_light().unwrap()).unwrap(),
            edited.1
        );
        assert!(alice.undo().unwrap(), "{what} undoes");
        assert_eq!(read(&alice), fresh, "{what} undone");
        assert!(alice.redo().unwrap());
        assert_eq!(read(&alice), edited.0, "{what} redone");
        assert!(alice.undo().unwrap());
    }
    // Background: document state too.
    alice.set_background(0.2, 0.3, 0.4).unwrap();
    assert!(alice.undo().unwrap(), "background undoes");
}

#[wasm_bindgen_test]
async fn batch_is_one_update_one_undo_step_and_one_change_event_and_rolls_back_on_throw() {
    let engine = Rc::new(engine_with(&[]).await);
    let update_sink = ByteSink::new();
    let updates = update_sink.received.clone();
    engine.on_local_update(update_sink.function()).unwrap();
    let changes = Rc::new(RefCell::new(Vec::<JsValue>::new()));
    let sink = changes.clone();
    let on_change = Closure::<dyn FnMut(JsValue)>::new(move |c: JsValue| sink.borrow_mut().push(c));
    engine.on_change(on_change.as_ref().clone()).unwrap();

    let inner = engine.clone();
    let build = Closure::<dyn FnMut()>::new(move || {
        for i in 0..20 {
            inner.add_sphere(f64::from(i), 0.0, 0.0, 0.5).unwrap();
        }
    });
    engine.batch(build.as_ref().clone()).unwrap();
    next_task().await;
    assert_eq!(updates.borrow().len(), 1, "one on_local_update call");
    assert_eq!(engine.node_ids().unwrap().len(), 20);
    engine.render_frame(0.0).unwrap();
    engine.render_frame(0.0).unwrap();
    next_task().await;
    assert_eq!(
        changes.borrow().len(),
        1,
        "one on_change event, not one per frame"
    );
    assert_eq!(strings(&get(&changes.borrow()[0], "added")).len(), 20);
    assert!(strings(&get(&changes.borrow()[0], "removed")).is_empty());

    // A peer applying the one update has the whole batch.
    let peer = engine_with(&[]).await;
    peer.apply_update(&updates.borrow()[0]).unwrap();
    assert_eq!(peer.node_ids().unwrap().len(), 20);

    // One undo step.
    assert!(engine.undo().unwrap());
    assert!(engine.node_ids().unwrap().is_empty());
    assert!(engine.redo().unwrap());
    engine.render_frame(0.0).unwrap();

    // A throwing batch is undone and its error rethrown; nothing stays, not even for redo.
    let before = engine.node_ids().unwrap();
    let inner = engine.clone();
    let throwing = Closure::<dyn FnMut() -> Result<(), JsValue>>::new(move || {
        inner.add_box(0.0, 0.0, 0.0, 1.0, 1.0, 1.0).unwrap();
        let first = inner.node_ids().unwrap()[0].clone();
        inner.set_position(&first, 9.0, 9.0, 9.0).unwrap();
        Err(js_sys::Error::new("boom").into())
    });
    let error = engine.batch(throwing.as_ref().clone()).unwrap_err();
    assert_eq!(error.dyn_ref::<js_sys::Error>().unwrap().message(), "boom");
    assert_eq!(engine.node_ids().unwrap(), before);
    let first = engine.get_node(&before[0]).unwrap();
    assert_ne!(numbers(&get(&first, "position"))[0], 9.0);
    assert!(!engine.can_redo().unwrap());
    engine.render_frame(0.0).unwrap();
    next_task().await;
    // Edits and their undoing cancel out: a report may name the first node as changed, never more.
    assert!(changes.borrow().len() <= 3);

    // on_change sees remote edits too, after the frame that applied them.
    changes.borrow_mut().clear();
    let theirs = peer.add_plane(0.0, 0.0, 0.0, 1.0).unwrap();
    engine.apply_update(&peer.encode_state().unwrap()).unwrap();
    next_task().await;
    assert!(changes.borrow().is_empty(), "nothing before a frame");
    engine.render_frame(0.0).unwrap();
    next_task().await;
    assert_eq!(changes.borrow().len(), 1);
    assert_eq!(strings(&get(&changes.borrow()[0], "added")), [theirs]);
    engine.on_change(JsValue::NULL).unwrap();
    engine.on_local_update(JsValue::NULL).unwrap();
}

#[wasm_bindgen_test]
async fn every_call_after_free_throws_that_the_engine_was_freed() {
    let engine = engine_with(&[]).await;
    let id = engine.add_sphere(0.0, 0.0, 0.0, 1.0).unwrap();
    let live = Engine::live_count();
    engine.free_engine().unwrap();
    assert_eq!(Engine::live_count(), live - 1, "released at once");
    for error in [
        engine.render_frame(0.0).unwrap_err(),
        engine.add_sphere(0.0, 0.0, 0.0, 1.0).map(drop).unwrap_err(),
        engine.get_node(&id).map(drop).unwrap_err(),
        engine.stats().map(drop).unwrap_err(),
    ] {
        assert!(message(error).contains("freed"));
    }
    engine.free_engine().unwrap();
}

/// A getter on an argument that calls back into an engine while that engine's call reads it is refused
/// (the engine is mid-call) or served (another engine), and poisons nothing: `poison.rs` reads a call
/// that finds another still running as a possible trap until that call returns.
#[wasm_bindgen_test]
async fn a_getter_calling_back_into_engines_poisons_neither() {
    let engine = JsValue::from(engine_with(&[]).await);
    let other = JsValue::from(engine_with(&[]).await);
    let run = js_sys::Function::new_with_args(
        "engine, other",
        "const seen = {};
         const camera = {
           get position() {
             try { engine.node_ids(); seen.same = 'served'; } catch (e) { seen.same = e.message; }
             try { other.add_sphere(0, 0, 0, 1); seen.other = 'served'; } catch (e) { seen.other = e.message; }
             return [0, 1, 5];
           },
           target: [0, 0, 0],
         };
         engine.set_camera(camera);
         seen.position = engine.get_camera().position;
         seen.after = engine.add_sphere(0, 0, 0, 1);
         seen.other_nodes = other.node_ids().length;
         return seen;",
    );
    let seen = run.call2(&JsValue::NULL, &engine, &other).unwrap();
    let field = |key: &str| js_sys::Reflect::get(&seen, &key.into()).unwrap();
    let same = field("same").as_string().unwrap();
    assert_ne!(same, "served", "the engine was mid-call");
    assert_eq!(field("other").as_string().as_deref(), Some("served"));
    assert!(
        (numbers(&field("position"))[1] - 1.0).abs() < 1e-4,
        "the outer call finished"
    );
    assert!(field("after").is_string(), "the engine works on: {seen:?}");
    assert_eq!(field("other_nodes").as_f64(), Some(1.0));
}

#[wasm_bindgen_test]
async fn camera_round_trips_and_a_webgl2_context_loss_recovers_from_the_document() {
    let mut engine = view("webgl2").await;
    let camera = engine.get_camera().unwrap();
    let position = numbers(&get(&camera, "position"));
    assert!(
        (position[2] - 6.0).abs() < 1e-4 && position[0].abs() < 1e-4,
        "{position:?}"
    );
    assert!((get(&camera, "fov_y_deg").as_f64().unwrap() - 45.0).abs() < 1e-4);

    engine.add_sphere(0.0, 0.0, 0.0, 1.0).unwrap();
    let before = frame(&mut engine).await;
    assert!(covered(&before) > 500);
    // The WebGL2 context wgpu made on the canvas: lose it as a driver reset would.
    let canvas = engine_canvas();
    let gl = canvas.get_context("webgl2").unwrap().unwrap();
    let lose = js_sys::Reflect::get(&gl, &"getExtension".into())
        .unwrap()
        .dyn_into::<js_sys::Function>()
        .unwrap()
        .call1(&gl, &"WEBGL_lose_context".into())
        .unwrap();
    let call = |name: &str| {
        js_sys::Reflect::get(&lose, &name.into())
            .unwrap()
            .dyn_into::<js_sys::Function>()
            .unwrap()
            .call0(&lose)
            .unwrap();
    };
    call("loseContext");
    for _ in 0..5 {
        next_task().await;
        engine.render_frame(0.0).unwrap();
    }
    call("restoreContext");
    for _ in 0..200 {
        next_task().await;
        engine.render_frame(0.0).unwrap();
        if get(&engine.stats().unwrap(), "device_losses").as_f64() == Some(1.0) {
            break;
        }
    }
    assert_eq!(
        get(&engine.stats().unwrap(), "device_losses").as_f64(),
        Some(1.0)
    );
    let after = frame(&mut engine).await;
    assert_eq!(
        covered(&after),
        covered(&before),
        "the same picture, rebuilt from the document"
    );
}

#[wasm_bindgen_test]
async fn read_only_refuses_every_local_edit_and_still_applies_remote_updates() {
    let engine = engine_with(&[]).await;
    let peer = engine_with(&[]).await;
    let id = engine.add_sphere(0.0, 0.0, 0.0, 1.0).unwrap();
    engine.set_read_only(true.into()).unwrap();
    assert!(engine.is_read_only().unwrap());
    let before = engine.encode_state().unwrap();
    let noop = Closure::<dyn FnMut()>::new(|| {});
    let refused: Vec<Result<(), JsValue>> = vec![
        engine
            .add_sphere(0.0, 0.0, 0.0, 1.0)
            .map(drop)
            .map_err(JsValue::from),
        engine
            .set_position(&id, 1.0, 0.0, 0.0)
            .map_err(JsValue::from),
        engine
            .set_rotation(&id, 0.0, 0.0, 0.0, 1.0)
            .map_err(JsValue::from),
        engine.set_color(&id, 1.0, 0.0, 0.0).map_err(JsValue::from),
        engine.set_name(&id, "x".into()).map_err(JsValue::from),
        engine.remove_node(&id).map_err(JsValue::from),
        engine.duplicate(&id).map(drop).map_err(JsValue::from),
        engine
            .set_light(object(&[("intensity", 1.0.into())]))
            .map_err(JsValue::from),
        engine.set_background(1.0, 0.0, 0.0).map_err(JsValue::from),
        engine.undo().map(drop).map_err(JsValue::from),
        engine.batch(noop.as_ref().clone()),
    ];
    for (i, result) in refused.into_iter().enumerate() {
        let error = result.expect_err("refused");
        let text = error.dyn_ref::<js_sys::Error>().unwrap().message();
        assert!(
            String::from(text.clone()).contains("read-only"),
            "call {i}: {text:?}"
        );
    }
    assert_eq!(engine.encode_state().unwrap(), before, "nothing changed");
    // Remote updates still apply, and reads work.
    let theirs = peer.add_box(0.0, 0.0, 0.0, 1.0, 1.0, 1.0).unwrap();
    engine.apply_update(&peer.encode_state().unwrap()).unwrap();
    assert!(engine.node_ids().unwrap().contains(&theirs));
    engine.render_frame(0.0).unwrap();
    assert!(engine.set_read_only("yes".into()).is_err());
    engine.set_read_only(false.into()).unwrap();
    engine.set_position(&id, 1.0, 0.0, 0.0).unwrap();
}

#[wasm_bindgen_test]
async fn project_places_world_points_on_the_canvas_in_css_pixels() {
    let engine = view("webgpu").await;
    let at = |x: f64, y: f64, z: f64| engine.project(x, y, z).unwrap().map(|a| numbers(&a.into()));
    let centre = at(0.0, 0.0, 0.0).unwrap();
    let half = f64::from(SIZE) / 2.0;
    assert!(
        (centre[0] - half).abs() < 0.01 && (centre[1] - half).abs() < 0.01,
        "{centre:?}"
    );
    let right = at(1.0, 0.0, 0.0).unwrap();
    assert!(
        right[0] > half + 10.0 && (right[1] - half).abs() < 0.01,
        "{right:?}"
    );
    let up = at(0.0, 1.0, 0.0).unwrap();
    assert!(
        up[1] < half - 10.0,
        "y grows downwards on the canvas: {up:?}"
    );
    assert!(at(0.0, 0.0, 10.0).is_none(), "behind the camera");
    assert!(at(100.0, 0.0, 0.0).is_none(), "off the canvas");
    assert!(engine.project(f64::NAN, 0.0, 0.0).is_err());
}

/// The canvas the last engine was created on (common::canvas appends each to the body).
fn engine_canvas() -> web_sys::HtmlCanvasElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let canvases = document.get_elements_by_tag_name("canvas");
    canvases
        .item(canvases.length() - 1)
        .unwrap()
        .dyn_into()
        .unwrap()
}
