//! `import_gltf` in the browser on WebGPU and WebGL2: the Khronos sample models import as ordinary
//! nodes and draw (textures decoded by the browser), a peer that receives the update draws the same
//! pixels, undo removes the model, and hostile files and options reject naming the problem, add
//! nothing and leave the engine rendering.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)] // test code

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod common;
#[path = "common/base64.rs"]
mod support_base64;
use support_base64::base64;

use app_wasm::Engine;
use common::{SIZE, covered, engine_with, pixels};

const BACKENDS: [&str; 2] = ["webgpu", "webgl2"];
const BOX_TEXTURED: &[u8] = include_bytes!("../../../tests/gltf/BoxTextured.gltf");
const BOX_ANIMATED: &[u8] = include_bytes!("../../../tests/gltf/BoxAnimated.gltf");

fn get(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &key.into()).unwrap()
}

fn strings(value: &JsValue) -> Vec<String> {
    js_sys::Array::from(value)
        .iter()
        .map(|v| v.as_string().unwrap())
        .collect()
}

/// The engine parses in this test's own wasm (the importer module is loaded by pages; that path is
/// tested end to end in tests/import.test.mjs).
fn in_process_importer() {
    app_wasm::use_in_process_importer(|bytes, resources| {
        app_gltf::import(bytes, resources).map_err(|e| e.to_string())
    });
}

async fn view(backend: &str) -> Engine {
    in_process_importer();
    let engine = engine_with(&[("backend", backend.into())]).await;
    engine.resize(SIZE as f64, SIZE as f64, 1.0).unwrap();
    engine
}

async fn import(engine: &Engine, bytes: &[u8], options: JsValue) -> Result<JsValue, String> {
    import_value(engine, js_sys::Uint8Array::from(bytes).into(), options).await
}

async fn import_value(
    engine: &Engine,
    bytes: JsValue,
    options: JsValue,
) -> Result<JsValue, String> {
    JsFuture::from(engine.import_gltf(bytes, options))
        .await
        .map_err(|e| {
            e.dyn_into::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_default()
        })
}

async fn frame(engine: &mut Engine) -> Vec<u8> {
    engine.frame_all().unwrap();
    // Let the camera settle on the framing (it eases), then draw.
    for _ in 0..120 {
        engine.render_frame(0.1).unwrap();
    }
    pixels(engine).await
}

/// A frame with more than `colors` distinct colors, drawn again (up to 50 times) while images still
/// decode on the engine's own frames (a peer's, after an update), or the last one drawn.
async fn frame_showing(engine: &mut Engine, colors: usize) -> Vec<u8> {
    let mut image = frame(engine).await;
    for _ in 0..50 {
        if distinct(&image) > colors {
            break;
        }
        common::next_task().await;
        image = frame(engine).await;
    }
    image
}

fn distinct(image: &[u8]) -> usize {
    let mut colors: Vec<[u8; 4]> = image.chunks(4).map(|p| p.try_into().unwrap()).collect();
    colors.sort_unstable();
    colors.dedup();
    colors.len()
}

#[wasm_bindgen_test]
async fn sample_models_import_draw_textured_sync_to_a_peer_and_undo() {
    for backend in BACKENDS {
        let mut a = view(backend).await;
        let result = import(&a, BOX_TEXTURED, JsValue::UNDEFINED).await.unwrap();
        let roots = strings(&get(&result, "roots"));
        assert_eq!(roots.len(), 1, "{backend}");
        assert_eq!(a.node_ids().unwrap().len(), 3, "{backend}");
        let root = a.get_node(&roots[0]).unwrap();
        assert_eq!(get(&root, "kind").as_string().unwrap(), "group");
        let children = a.children(Some(roots[0].clone())).unwrap();
        let kinds: Vec<String> = children
            .iter()
            .map(|id| get(&a.get_node(id).unwrap(), "kind").as_string().unwrap())
            .collect();
        assert!(kinds.contains(&"mesh".to_string()), "{backend}: {kinds:?}");
        let image = frame(&mut a).await;
        assert!(
            covered(&image) > 1000,
            "{backend}: covers {}",
            covered(&image)
        );
        a.set_aov_mode("albedo").unwrap();
        let albedo = frame(&mut a).await;
        assert!(
            distinct(&albedo) > 40,
            "{backend}: the texture shows ({} colors)",
            distinct(&albedo)
        );
        a.set_aov_mode("beauty").unwrap();

        // A peer receiving the document draws the same model (its images decode on its own frames).
        let mut b = view(backend).await;
        b.apply_update(&a.encode_state().unwrap()).unwrap();
        let on_peer = frame_showing(&mut b, 40).await;
        assert!(
            covered(&on_peer) > 1000,
            "{backend}: peer covers {}",
            covered(&on_peer)
        );

        assert!(a.undo().unwrap());
        assert!(a.node_ids().unwrap().is_empty());
        assert_eq!(
            covered(&frame(&mut a).await),
            0,
            "{backend}: undo removed the model"
        );

        let result = import(&a, BOX_ANIMATED, JsValue::UNDEFINED).await.unwrap();
        let ignored = strings(&get(&result, "ignored"));
        assert!(
            ignored.iter().any(|i| i.contains("animation")),
            "{ignored:?}"
        );
        assert_eq!(strings(&get(&result, "roots")).len(), 2);
        assert_eq!(a.node_ids().unwrap().len(), 4, "{backend}: 4 glTF nodes");
        let _ = frame(&mut a).await;
        assert_eq!(
            get(&a.stats().unwrap(), "nodes").as_f64().unwrap(),
            4.0,
            "{backend}"
        );
    }
}

/// A textured triangle whose PNG's header claims 9000×10 pixels (beyond every device's limit).
fn huge_image_model() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.extend_from_slice(&9000u32.to_be_bytes());
    png.extend_from_slice(&10u32.to_be_bytes());
    png.extend_from_slice(&[8, 6, 0, 0, 0]);
    let positions: Vec<u8> = [
        0f32, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0,
    ]
    .iter()
    .flat_map(|v| v.to_le_bytes())
    .collect();
    format!(
        r#"{{"asset":{{"version":"2.0"}},"buffers":[{{"byteLength":60,"uri":"data:application/octet-stream;base64,{}"}}],"bufferViews":[{{"buffer":0,"byteLength":36}},{{"buffer":0,"byteOffset":36,"byteLength":24}}],"accessors":[{{"bufferView":0,"componentType":5126,"count":3,"type":"VEC3"}},{{"bufferView":1,"componentType":5126,"count":3,"type":"VEC2"}}],"images":[{{"uri":"data:image/png;base64,{}"}}],"textures":[{{"source":0}}],"materials":[{{"pbrMetallicRoughness":{{"baseColorTexture":{{"index":0}}}}}}],"meshes":[{{"primitives":[{{"attributes":{{"POSITION":0,"TEXCOORD_0":1}},"material":0}}]}}],"nodes":[{{"mesh":0}}],"scenes":[{{"nodes":[0]}}]}}"#,
        base64(&positions),
        base64(&png)
    )
    .into_bytes()
}

/// A square quad textured with `image` (a `mime` file), as glTF JSON with `data:` URIs.
fn textured_square(mime: &str, image: &[u8]) -> Vec<u8> {
    let floats: Vec<u8> = [
        -1f32, -1.0, 0.0, 1.0, -1.0, 0.0, 1.0, 1.0, 0.0, -1.0, 1.0, 0.0, // positions
        0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, // uvs
    ]
    .iter()
    .flat_map(|v| v.to_le_bytes())
    .chain([0u16, 1, 2, 0, 2, 3].iter().flat_map(|i| i.to_le_bytes()))
    .collect();
    let texture = if mime == "image/webp" {
        r#"{"extensions":{"EXT_texture_webp":{"source":0}}}"#
    } else {
        r#"{"source":0}"#
    };
    format!(
        r#"{{"asset":{{"version":"2.0"}},"extensionsUsed":["EXT_texture_webp"],
        "buffers":[{{"byteLength":92,"uri":"data:application/octet-stream;base64,{}"}}],
        "bufferViews":[{{"buffer":0,"byteLength":48}},{{"buffer":0,"byteOffset":48,"byteLength":32}},{{"buffer":0,"byteOffset":80,"byteLength":12}}],
        "accessors":[{{"bufferView":0,"componentType":5126,"count":4,"type":"VEC3"}},{{"bufferView":1,"componentType":5126,"count":4,"type":"VEC2"}},{{"bufferView":2,"componentType":5123,"count":6,"type":"SCALAR"}}],
        "images":[{{"uri":"data:{mime};base64,{}"}}],
        "textures":[{texture}],
        "materials":[{{"pbrMetallicRoughness":{{"baseColorTexture":{{"index":0}}}},"doubleSided":true}}],
        "meshes":[{{"primitives":[{{"attributes":{{"POSITION":0,"TEXCOORD_0":1}},"indices":2,"material":0}}]}}],
        "nodes":[{{"mesh":0}}],"scenes":[{{"nodes":[0]}}]}}"#,
        base64(&floats),
        base64(image)
    )
    .into_bytes()
}

#[wasm_bindgen_test]
async fn webp_textures_draw_like_the_same_png() {
    // A 4×4 texture, left half orange, right half teal, as lossless WebP and as PNG: the browser
    // decodes both (EXT_texture_webp), and the albedo view shows the same pixels.
    let rgba: Vec<u8> = (0..16)
        .flat_map(|i| {
            if i % 4 < 2 {
                [230, 120, 20, 255]
            } else {
                [20, 160, 150, 255]
            }
        })
        .collect();
    let mut webp = Vec::new();
    image_webp::WebPEncoder::new(&mut webp)
        .encode(&rgba, 4, 4, image_webp::ColorType::Rgba8)
        .unwrap();
    let mut png_bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png_bytes, 4, 4);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        encoder
            .write_header()
            .unwrap()
            .write_image_data(&rgba)
            .unwrap();
    }
    for backend in BACKENDS {
        let mut shown = Vec::new();
        for (mime, bytes) in [("image/webp", &webp), ("image/png", &png_bytes)] {
            let mut engine = view(backend).await;
            import(&engine, &textured_square(mime, bytes), JsValue::UNDEFINED)
                .await
                .unwrap();
            engine.set_aov_mode("albedo").unwrap();
            let image = frame_showing(&mut engine, 2).await;
            assert!(distinct(&image) > 2, "{backend} {mime}: the texture shows");
            shown.push(image);
        }
        let differing = shown[0]
            .chunks(4)
            .zip(shown[1].chunks(4))
            .filter(|(a, b)| a.iter().zip(b.iter()).any(|(x, y)| x.abs_diff(*y) > 2))
            .count();
        assert_eq!(differing, 0, "{backend}: WebP and PNG draw alike");
        // And what they show is the texture: orange on the left, teal on the right of the middle row.
        let row = (SIZE / 2 * SIZE * 4) as usize;
        let left = &shown[0][row + (SIZE as usize / 3) * 4..][..3];
        let right = &shown[0][row + (SIZE as usize * 2 / 3) * 4..][..3];
        assert!(left[0] > 150 && left[2] < 80, "{backend}: left {left:?}");
        assert!(
            right[0] < 80 && right[1] > 100,
            "{backend}: right {right:?}"
        );
    }
}

#[wasm_bindgen_test]
async fn hostile_files_and_options_reject_naming_the_problem_and_add_nothing() {
    let mut engine = view("webgpu").await;
    let sphere = engine.add_sphere(0.0, 0.0, 0.0, 1.0).unwrap();
    let before = engine.encode_state().unwrap();
    let resources = js_sys::Object::new();
    js_sys::Reflect::set(&resources, &"a.bin".into(), &"not bytes".into()).unwrap();
    let bad_resources = js_sys::Object::new();
    js_sys::Reflect::set(&bad_resources, &"resources".into(), &resources).unwrap();
    let unknown = js_sys::Object::new();
    js_sys::Reflect::set(&unknown, &"scale".into(), &1.into()).unwrap();
    let huge = huge_image_model();
    let cases: Vec<(&[u8], JsValue, &str)> = vec![
        (b"not a gltf file", JsValue::UNDEFINED, "not a valid glTF"),
        (b"glTF\x02\0\0\0\xff\xff\xff\x7f", JsValue::UNDEFINED, "GLB"),
        (br#"{"asset":{"version":"2.0"},"extensionsRequired":["KHR_draco_mesh_compression"]}"#, JsValue::UNDEFINED, "KHR_draco_mesh_compression"),
        (
            br#"{"asset":{"version":"2.0"},"buffers":[{"byteLength":4,"uri":"data:application/octet-stream;base64,AAAAAA=="}],"bufferViews":[{"buffer":0,"byteLength":4}],"accessors":[{"bufferView":0,"componentType":5126,"count":100,"type":"VEC3"}],"meshes":[{"primitives":[{"attributes":{"POSITION":0}}]}],"nodes":[{"mesh":0}],"scenes":[{"nodes":[0]}]}"#,
            JsValue::UNDEFINED,
            "accessor 0",
        ),
        (
            br#"{"asset":{"version":"2.0"},"nodes":[{"children":[1]},{"children":[0]}],"scenes":[{"nodes":[0]}]}"#,
            JsValue::UNDEFINED,
            "cycle",
        ),
        (
            br#"{"asset":{"version":"2.0"},"buffers":[{"byteLength":12,"uri":"data:application/octet-stream;base64,@@@@@@@@@@@@@@@@"}],"bufferViews":[{"buffer":0,"byteLength":12}],"accessors":[{"bufferView":0,"componentType":5126,"count":1,"type":"VEC3"}],"meshes":[{"primitives":[{"attributes":{"POSITION":0}}]}],"nodes":[{"mesh":0}],"scenes":[{"nodes":[0]}]}"#,
            JsValue::UNDEFINED,
            "data URI",
        ),
        (huge.as_slice(), JsValue::UNDEFINED, "8192"),
        (BOX_TEXTURED, bad_resources.into(), "resources"),
        (BOX_TEXTURED, unknown.into(), "unknown option \"scale\""),
    ];
    for (bytes, options, expected) in cases {
        let error = import(&engine, bytes, options).await.unwrap_err();
        assert!(
            error.contains(expected),
            "{error:?} should name {expected:?}"
        );
        assert_eq!(
            engine.encode_state().unwrap(),
            before,
            "{expected}: nothing added"
        );
    }
    // Bytes that are not bytes are refused naming what was given; an ArrayBuffer works.
    for (value, what) in [
        (JsValue::from_str("model.glb"), "string"),
        (JsValue::NULL, "object"),
        (JsValue::from(3), "number"),
    ] {
        let error = import_value(&engine, value, JsValue::UNDEFINED)
            .await
            .unwrap_err();
        assert!(
            error.contains("must be a Uint8Array or ArrayBuffer") && error.contains(what),
            "{error}"
        );
    }
    assert_eq!(engine.encode_state().unwrap(), before);
    let buffer = js_sys::Uint8Array::from(BOX_TEXTURED).buffer();
    let result = import_value(&engine, buffer.into(), JsValue::UNDEFINED)
        .await
        .unwrap();
    assert_eq!(strings(&get(&result, "roots")).len(), 1);
    assert!(engine.undo().unwrap());
    // Importing under a parent that does not exist is refused too; under the sphere it works.
    let parent = |id: &str| {
        let options = js_sys::Object::new();
        js_sys::Reflect::set(&options, &"parent".into(), &id.into()).unwrap();
        JsValue::from(options)
    };
    let error = import(&engine, BOX_TEXTURED, parent("nope"))
        .await
        .unwrap_err();
    assert!(error.contains("unknown node id"), "{error}");
    let result = import(&engine, BOX_TEXTURED, parent(&sphere))
        .await
        .unwrap();
    let root = strings(&get(&result, "roots")).remove(0);
    assert_eq!(
        get(&engine.get_node(&root).unwrap(), "parent")
            .as_string()
            .unwrap(),
        sphere
    );
    // Still rendering.
    assert!(covered(&frame(&mut engine).await) > 1000);
}

#[wasm_bindgen_test]
async fn a_lost_device_rebuilds_imported_meshes_and_textures_from_the_document() {
    for backend in BACKENDS {
        let mut engine = view(backend).await;
        import(&engine, BOX_TEXTURED, JsValue::UNDEFINED)
            .await
            .unwrap();
        engine.set_aov_mode("albedo").unwrap();
        let before = frame(&mut engine).await;
        assert!(distinct(&before) > 40, "{backend}");
        engine.debug_lose_device().unwrap();
        let mut recovered = false;
        for _ in 0..200 {
            engine.render_frame(0.0).unwrap();
            if get(&engine.stats().unwrap(), "device_losses").as_f64() == Some(1.0) {
                recovered = true;
                break;
            }
            common::next_task().await;
        }
        assert!(recovered, "{backend}: recovered within 200 frames");
        // The textures are decoded again from the document's image assets (a few tasks).
        let mut after = frame(&mut engine).await;
        for _ in 0..50 {
            if distinct(&after) > 40 {
                break;
            }
            common::next_task().await;
            after = frame(&mut engine).await;
        }
        assert!(
            distinct(&after) > 40,
            "{backend}: textured again ({} colors)",
            distinct(&after)
        );
        assert!(covered(&after) > 1000, "{backend}");
    }
}
