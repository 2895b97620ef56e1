//! One lit sphere, rendered offscreen on the headless adapter (lavapipe without a GPU).

// Test code: failing loudly is the point (CLAUDE.md invariant 6 covers the library, not its tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use app_core::Node;
use app_core::glam::{Mat4, Vec3};
use app_render::RgbaImage;
use app_render::reference::{self, REFERENCE_SIZE as SIZE};

/// The reference scene's red sphere, at another radius.
fn red_sphere(radius: f32) -> Node {
    reference::one_sphere(radius).nodes.remove(0)
}

/// Pixels that differ from the background corner pixel.
fn covered(image: &RgbaImage) -> usize {
    let background = image.pixel(0, 0).unwrap();
    image.pixels.chunks(4).filter(|p| *p != background).count()
}

#[test]
fn one_sphere_centre_is_lit_corner_is_background_and_area_grows_with_radius_squared() {
    let mut renderer = support::renderer();
    let empty = support::render(&mut renderer, SIZE, SIZE);
    let background = empty.pixel(0, 0).unwrap();
    assert!(
        empty.pixels.chunks(4).all(|p| p == background),
        "an empty scene is all background"
    );

    renderer.upsert_node(&red_sphere(0.5), Mat4::IDENTITY);
    let small = support::render(&mut renderer, SIZE, SIZE);
    support::save_png(&small, &support::output_path("sphere_r0.5"));
    renderer.upsert_node(&red_sphere(1.0), Mat4::IDENTITY);
    let large = support::render(&mut renderer, SIZE, SIZE);
    support::assert_golden("one_sphere", &large);

    assert_eq!(
        large.pixel(0, 0).unwrap(),
        background,
        "corner shows the background"
    );
    let [r, g, b, a] = large.pixel(SIZE / 2, SIZE / 2).unwrap();
    assert_eq!(a, 255);
    let [r, g, b] = [r, g, b].map(u16::from);
    assert!(
        r > 150 && r > 2 * g && r > 2 * b,
        "centre has the sphere's lit red, got {:?}",
        [r, g, b]
    );
    // The light comes from above: the top of the sphere is brighter than the bottom.
    let top = large.pixel(SIZE / 2, SIZE / 2 - 40).unwrap();
    let bottom = large.pixel(SIZE / 2, SIZE / 2 + 40).unwrap();
    assert!(
        top[0] > bottom[0],
        "top {top:?} should be lit more than bottom {bottom:?}"
    );

    let ratio = covered(&large) as f64 / covered(&small) as f64;
    assert!(
        (3.6..4.4).contains(&ratio),
        "doubling the radius covered {ratio:.2}x the pixels, expected ~4x"
    );
}

#[test]
fn removing_and_hiding_nodes_clears_them() {
    let mut renderer = support::renderer();
    let background = support::render(&mut renderer, 64, 64);
    let mut sphere = red_sphere(1.0);
    renderer.upsert_node(&sphere, Mat4::IDENTITY);
    assert_ne!(support::render(&mut renderer, 64, 64), background);
    sphere.visible = false;
    renderer.upsert_node(&sphere, Mat4::IDENTITY);
    assert_eq!(
        support::render(&mut renderer, 64, 64),
        background,
        "hidden node is not drawn"
    );
    sphere.visible = true;
    renderer.upsert_node(&sphere, Mat4::IDENTITY);
    renderer.remove_node(&sphere.id);
    assert_eq!(
        support::render(&mut renderer, 64, 64),
        background,
        "removed node is not drawn"
    );
    assert_eq!(renderer.instance_count(), 0);
}

#[test]
fn bad_image_sizes_are_errors() {
    let mut renderer = support::renderer();
    assert!(renderer.render_offscreen(0, 10).is_err());
    assert!(renderer.render_offscreen(10, 1 << 20).is_err());
}

#[test]
fn render_targets_are_reallocated_only_when_the_size_changes() {
    let mut renderer = support::renderer();
    renderer.upsert_node(&red_sphere(1.0), Mat4::IDENTITY);
    support::render(&mut renderer, 64, 48);
    support::render(&mut renderer, 64, 48);
    assert_eq!(renderer.target_allocations(), 1);
    let resized = support::render(&mut renderer, 80, 48);
    assert_eq!(renderer.target_allocations(), 2);
    assert_eq!((resized.width, resized.height), (80, 48));
}

#[test]
fn bundles_are_recorded_only_when_the_list_of_draws_changes() {
    let mut renderer = support::renderer();
    let sphere = red_sphere(1.0);
    renderer.upsert_node(&sphere, Mat4::IDENTITY);
    let first = support::render(&mut renderer, 64, 64);
    let recorded = renderer.bundle_recordings();
    assert_eq!(recorded, 2, "the shadow and scene passes each record once");

    // Another viewpoint and a moved node change the image, not the draws: the bundles replay.
    renderer.camera.yaw_rad += 0.7;
    let orbited = support::render(&mut renderer, 64, 64);
    assert_ne!(orbited.pixels, first.pixels, "the camera moved");
    renderer.upsert_node(&sphere, Mat4::from_translation(Vec3::new(0.6, 0.0, 0.0)));
    let moved = support::render(&mut renderer, 64, 64);
    assert_ne!(moved.pixels, orbited.pixels, "the sphere moved");
    assert_eq!(renderer.bundle_recordings(), recorded);

    // A second node changes the instance count: the scene and shadow bundles are recorded again, and
    // what they draw includes it.
    let mut other = red_sphere(0.5);
    other.id = app_core::NodeId::new("second").unwrap();
    renderer.upsert_node(&other, Mat4::from_translation(Vec3::new(-1.5, 0.0, 0.0)));
    let two = support::render(&mut renderer, 64, 64);
    assert_eq!(renderer.bundle_recordings(), recorded + 2);
    assert!(covered(&two) > covered(&moved));
}

#[test]
fn frames_read_back_through_a_bgra_canvas_format_match_rgba_byte_for_byte() {
    // `read_pixels` renders in the canvas's format (often bgra8unorm) to reuse the frame's output
    // pipeline; the readback swaps blue and red back, so the bytes are RGBA whatever the format.
    let mut renderer = support::renderer();
    renderer.upsert_node(&red_sphere(1.0), Mat4::IDENTITY);
    let rgba = support::render(&mut renderer, 64, 64);
    let device = renderer.gpu().device.clone();
    let bgra = renderer
        .render_offscreen_as(app_render::wgpu::TextureFormat::Bgra8UnormSrgb, 64, 64)
        .unwrap()
        .wait(&device)
        .unwrap();
    assert!(covered(&rgba) > 100, "the sphere is drawn");
    let [r, _, b, _] = rgba.pixel(32, 32).unwrap();
    assert!(r > b + 40, "the centre is red: {r} vs {b}");
    assert_eq!(bgra, rgba);
    // A format that cannot be read as RGBA8 falls back to the offscreen one.
    let fallback = renderer
        .render_offscreen_as(app_render::wgpu::TextureFormat::Rgba16Float, 64, 64)
        .unwrap()
        .wait(&device)
        .unwrap();
    assert_eq!(fallback, rgba);
}
