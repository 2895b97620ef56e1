//! The reference scenes (`app_render::reference`) rendered in the browser, on WebGPU (SwiftShader in
//! headless Chromium) and on WebGL2 (ANGLE/SwiftShader), against the same golden PNGs the native tests
//! use (`tests/golden/`), so the three backends are held to one picture under one tolerance
//! (`app_render::golden::Tolerance::DEFAULT`).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)] // test code

use app_render::golden::{self, Tolerance};
use app_render::reference::{self, REFERENCE_SIZE};
use app_render::{Gpu, Renderer, RgbaImage, wgpu};
use wasm_bindgen_test::*;

mod common;

wasm_bindgen_test_configure!(run_in_browser);

/// The golden PNGs, by scene name, compiled in (a browser test cannot read files).
fn golden_png(name: &str) -> &'static [u8] {
    macro_rules! goldens {
        ($($name:literal),*) => {
            match name {
                $($name => include_bytes!(concat!("../../../tests/golden/", $name, ".png")),)*
                _ => panic!("no golden image for {name}"),
            }
        };
    }
    goldens!(
        "one_sphere",
        "shadow_scene",
        "shadow_scene_albedo",
        "shadow_scene_normal",
        "shadow_scene_depth",
        "shadow_scene_object_id",
        "selected_node",
        "thousand_spheres",
        "textured_quad",
        "mesh_materials",
        "thousand_meshes"
    )
}

fn decode_png(bytes: &[u8]) -> RgbaImage {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .expect("golden png header");
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).expect("golden png data");
    assert_eq!(info.color_type, png::ColorType::Rgba);
    pixels.truncate(info.buffer_size());
    RgbaImage {
        width: info.width,
        height: info.height,
        pixels,
    }
}

/// A GPU on `backends`, with the instance and surface it came from: in Chromium they must outlive the
/// device's callbacks (read-back). WebGL2 adapters come from a canvas, so one is made for both.
async fn gpu(backends: wgpu::Backends) -> (Gpu, wgpu::Instance, wgpu::Surface<'static>) {
    let canvas = common::detached_canvas();
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
    desc.backends = backends;
    let instance = wgpu::util::new_instance_with_webgpu_detection(desc).await;
    let surface = instance
        .create_surface(wgpu::SurfaceTarget::Canvas(canvas))
        .expect("surface");
    let adapter = instance
        .request_adapter(&app_render::adapter_options(Some(&surface)))
        .await
        .expect("adapter");
    let gpu = Gpu::from_adapter(&adapter).await.expect("device");
    // Quality must not drop unnoticed: where the adapter can multisample the output format (and its
    // depth) 4× with a resolve, the renderer must use it (SwiftShader can, on WebGPU and WebGL2).
    let flags = |format| adapter.get_texture_format_features(format).flags;
    let color = flags(app_render::OFFSCREEN_FORMAT);
    let depth = flags(wgpu::TextureFormat::Depth32Float);
    let allows_msaa = color.sample_count_supported(4)
        && depth.sample_count_supported(4)
        && color.contains(wgpu::TextureFormatFeatureFlags::MULTISAMPLE_RESOLVE);
    assert!(
        allows_msaa,
        "this adapter cannot multisample 4x; the goldens assume it"
    );
    assert_eq!(
        gpu.msaa_samples, 4,
        "the renderer must use 4x MSAA where the adapter allows it"
    );
    (gpu, instance, surface)
}

/// Renders every reference scene on `backends` and compares it with its golden image.
async fn every_reference_scene_matches(backends: wgpu::Backends, tolerance: Tolerance) {
    let (gpu, _instance, _surface) = gpu(backends).await;
    web_sys::console::log_1(
        &format!(
            "golden run on {:?} ({}), {}x MSAA",
            gpu.info.backend, gpu.info.name, gpu.msaa_samples
        )
        .into(),
    );
    let mut failures = Vec::new();
    for scene in reference::all() {
        let mut renderer = Renderer::new(&gpu);
        scene.load_into(&mut renderer);
        let readback = renderer
            .render_offscreen(REFERENCE_SIZE, REFERENCE_SIZE)
            .expect("render");
        let image = app_wasm::web::read_image(gpu.device.clone(), readback)
            .await
            .expect("read back");
        let expected = decode_png(golden_png(scene.name));
        let comparison = golden::compare(&image, &expected, tolerance).expect("same size");
        web_sys::console::log_1(
            &format!(
                "{}: {:.3}% of pixels differ (limit {:.3}%), {:.3}% forgiven as edge shifts",
                scene.name,
                comparison.differing_share * 100.0,
                tolerance.max_differing_share * 100.0,
                comparison.edge_share * 100.0
            )
            .into(),
        );
        if !comparison.passes(tolerance) {
            failures.push(format!(
                "{} ({:.3}%)",
                scene.name,
                comparison.differing_share * 100.0
            ));
        }
    }
    assert!(failures.is_empty(), "golden mismatches: {failures:?}");
}

#[wasm_bindgen_test]
async fn reference_scenes_match_the_goldens_on_webgpu() {
    every_reference_scene_matches(wgpu::Backends::BROWSER_WEBGPU, Tolerance::DEFAULT).await;
}

#[wasm_bindgen_test]
async fn reference_scenes_match_the_goldens_on_webgl2() {
    every_reference_scene_matches(wgpu::Backends::GL, Tolerance::DEFAULT).await;
}
