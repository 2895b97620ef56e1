//! The reference scenes (`app_render::reference`) against their golden images, plus what each must
//! show: shadows where they belong, each AOV's values, the selection highlight, picking.

// Test code: failing loudly is the point (CLAUDE.md invariant 6 covers the library, not its tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use app_core::NodeId;
use app_core::glam::{Vec2, Vec3};
use app_render::reference::{self, BALL_CENTER, CRATE_CENTER, REFERENCE_SIZE as SIZE};
use app_render::{AovMode, Renderer, RgbaImage, object_color};

/// A point of the ground in the foreground: in view, and in no shadow (the light falls towards -x, -z).
const LIT_GROUND: Vec3 = Vec3::new(-1.0, 0.0, 2.0);

/// The pixel where a world point lands.
fn pixel_of(renderer: &Renderer, point_in_world: Vec3) -> (u32, u32) {
    let ndc = renderer
        .camera
        .clip_from_world(1.0)
        .project_point3(point_in_world);
    let x = (ndc.x * 0.5 + 0.5) * SIZE as f32;
    let y = (0.5 - ndc.y * 0.5) * SIZE as f32;
    (x as u32, y as u32)
}

fn luminance(image: &RgbaImage, (x, y): (u32, u32)) -> u32 {
    let [r, g, b, _] = image.pixel(x, y).unwrap();
    u32::from(r) + u32::from(g) + u32::from(b)
}

/// Where the light's ray through `point_in_world` meets the ground plane y = 0.
fn shadow_on_ground(light_direction: Vec3, point_in_world: Vec3) -> Vec3 {
    point_in_world - light_direction * (point_in_world.y / light_direction.y)
}

fn linear_to_srgb_byte(linear: f32) -> u8 {
    let encoded = if linear <= 0.0031308 {
        linear * 12.92
    } else {
        1.055 * linear.powf(1.0 / 2.4) - 0.055
    };
    (encoded * 255.0).round() as u8
}

fn assert_near(actual: [u8; 4], expected: [u8; 3], slack: u8, what: &str) {
    for c in 0..3 {
        assert!(
            actual[c].abs_diff(expected[c]) <= slack,
            "{what}: got {actual:?}, expected {expected:?} ±{slack}"
        );
    }
}

fn id(name: &str) -> NodeId {
    NodeId::new(name).unwrap()
}

/// A renderer holding `scene`, and its image.
fn render_scene(scene: &reference::ReferenceScene) -> (Renderer, RgbaImage) {
    let mut renderer = support::renderer();
    scene.load_into(&mut renderer);
    let image = support::render(&mut renderer, SIZE, SIZE);
    support::assert_golden(scene.name, &image);
    (renderer, image)
}

#[test]
fn sphere_and_box_cast_shadows_on_the_plane() {
    let (renderer, image) = render_scene(&reference::shadow_scene(AovMode::Beauty));
    let light = app_core::DirectionalLight::default().direction_in_world;
    let lit_ground = pixel_of(&renderer, LIT_GROUND);
    let lit = luminance(&image, lit_ground);
    for (what, center) in [("ball", BALL_CENTER), ("crate", CRATE_CENTER)] {
        let at = pixel_of(&renderer, shadow_on_ground(light, center));
        let shadowed = luminance(&image, at);
        assert!(
            // sRGB after tonemapping compresses the ratio; the hemisphere ambient still lights the shadow.
            shadowed * 4 < lit * 3,
            "{what}'s shadow at {at:?} ({shadowed}) should be much darker than lit ground at {lit_ground:?} ({lit})"
        );
    }
    // The ground right beside the ball's contact point, on the lit side, is lit: no acne on the plane.
    let beside = pixel_of(&renderer, Vec3::new(0.6, 0.0, -0.35));
    assert!(
        luminance(&image, beside) * 10 > lit * 9,
        "ground at {beside:?} should be fully lit"
    );
}

#[test]
fn unchanged_frames_skip_the_shadow_pass_and_upload_nothing() {
    let mut renderer = support::renderer();
    reference::shadow_scene(AovMode::Beauty).load_into(&mut renderer);
    support::render(&mut renderer, 64, 64);
    let first = renderer.last_stats();
    assert_eq!(first.draw_calls, 3 + 3, "shadow and scene");
    renderer.camera.yaw_rad += 0.1;
    support::render(&mut renderer, 64, 64);
    assert_eq!(
        renderer.last_stats().draw_calls,
        3,
        "a camera move leaves the shadow map alone"
    );
    support::render(&mut renderer, 64, 64);
    assert_eq!(renderer.last_stats().bytes_uploaded, 0);
}

#[test]
fn a_thousand_instanced_spheres_in_a_grid_draw_with_one_call_per_mesh() {
    let (renderer, image) = render_scene(&reference::thousand_spheres());
    let stats = renderer.last_stats();
    assert_eq!(stats.instances, 1000);
    assert_eq!(
        stats.draw_calls,
        1 + 1,
        "one shadow and one scene draw for the sphere mesh"
    );
    assert_ne!(
        image.pixel(SIZE / 2, SIZE / 2).unwrap(),
        image.pixel(0, 0).unwrap(),
        "the grid fills the centre"
    );
}

#[test]
fn albedo_shows_base_colors_unlit() {
    let (renderer, image) = render_scene(&reference::shadow_scene(AovMode::Albedo));
    let ball = image.pixel_at(pixel_of(&renderer, BALL_CENTER));
    assert_near(
        ball,
        [0.8, 0.15, 0.1].map(linear_to_srgb_byte),
        2,
        "ball albedo",
    );
    // In albedo the ball's shadow is gone: shadowed and lit ground read the same grey.
    let light = app_core::DirectionalLight::default().direction_in_world;
    let shadowed = image.pixel_at(pixel_of(&renderer, shadow_on_ground(light, BALL_CENTER)));
    let lit = image.pixel_at(pixel_of(&renderer, LIT_GROUND));
    assert_near(
        shadowed,
        [lit[0], lit[1], lit[2]],
        1,
        "ground albedo, shadowed vs lit",
    );
    assert_near(lit, [linear_to_srgb_byte(0.5); 3], 2, "ground albedo");
    assert_eq!(
        image.pixel(0, 0).unwrap(),
        [0, 0, 0, 255],
        "data AOVs clear to black"
    );
}

#[test]
fn normals_are_world_space_mapped_to_bytes() {
    let (renderer, image) = render_scene(&reference::shadow_scene(AovMode::Normal));
    let ground = image.pixel_at(pixel_of(&renderer, LIT_GROUND));
    assert_near(ground, [128, 255, 128], 2, "ground faces +Y");
    let ball_top = image.pixel_at(pixel_of(&renderer, BALL_CENTER + Vec3::Y * 0.55));
    assert!(
        ball_top[1] > 230,
        "near the ball's top the normal points up: {ball_top:?}"
    );
}

#[test]
fn depth_grows_away_from_the_camera() {
    let (renderer, image) = render_scene(&reference::shadow_scene(AovMode::Depth));
    let eye = renderer.camera.eye_in_world();
    // Ground points along the line from below the eye to the far side of the plane.
    let towards = (Vec3::new(-eye.x, 0.0, -eye.z)).normalize();
    let values: Vec<u8> = [-2.5f32, -1.0, 1.0, 2.5]
        .into_iter()
        .map(|s| image.pixel_at(pixel_of(&renderer, towards * s + Vec3::new(0.0, 0.0, 0.0)))[0])
        .collect();
    assert!(
        values.windows(2).all(|w| w[0] < w[1]),
        "depth increases with distance: {values:?}"
    );
    assert!(
        values[0] < 80 && values[3] > 170,
        "the scene spans the range: {values:?}"
    );
}

#[test]
fn object_ids_are_each_nodes_stable_color() {
    let (renderer, image) = render_scene(&reference::shadow_scene(AovMode::ObjectId));
    for (name, at) in [
        ("ball", BALL_CENTER),
        ("crate", CRATE_CENTER),
        ("ground", LIT_GROUND),
    ] {
        let expected = object_color(&id(name))
            .to_array()
            .map(|c| (c * 255.0).round() as u8);
        assert_near(image.pixel_at(pixel_of(&renderer, at)), expected, 2, name);
    }
}

#[test]
fn switching_aov_modes_writes_one_uniform_block_and_nothing_else() {
    let mut renderer = support::renderer();
    reference::shadow_scene(AovMode::Beauty).load_into(&mut renderer);
    support::render(&mut renderer, 64, 64);
    let beauty = renderer.last_stats();
    for mode in [AovMode::Normal, AovMode::ObjectId, AovMode::Beauty] {
        renderer.set_aov(mode);
        support::render(&mut renderer, 64, 64);
        let stats = renderer.last_stats();
        assert!(
            stats.bytes_uploaded > 0 && stats.bytes_uploaded <= 512,
            "{mode:?}: only the frame uniforms change ({} bytes)",
            stats.bytes_uploaded
        );
        assert_eq!(
            stats.draw_calls, 3,
            "{mode:?}: no shadow redraw, no extra passes"
        );
        assert_eq!(stats.instances, beauty.instances);
    }
}

#[test]
fn the_selected_node_is_highlighted_and_selection_rewrites_one_instance() {
    let (mut renderer, selected) = render_scene(&reference::selected_node());
    let ball = pixel_of(&renderer, BALL_CENTER);
    let ground = pixel_of(&renderer, LIT_GROUND);
    renderer.set_selected(None);
    let plain = support::render(&mut renderer, SIZE, SIZE);
    let stats = renderer.last_stats();
    assert!(
        stats.bytes_uploaded <= 128 + 512,
        "one instance rewritten, got {} bytes",
        stats.bytes_uploaded
    );
    let (s, p) = (selected.pixel_at(ball), plain.pixel_at(ball));
    assert!(
        s[1] > p[1] + 20,
        "the highlight warms the ball: {s:?} vs {p:?}"
    );
    assert_eq!(
        selected.pixel_at(ground),
        plain.pixel_at(ground),
        "the rest is untouched"
    );
    // The ball is picked and removing it clears the selection.
    renderer.set_selected(Some(&id("ball")));
    renderer.remove_node(&id("ball"));
    assert_eq!(renderer.selected(), None);
}

#[test]
fn picking_finds_the_nearest_node_under_a_pixel() {
    let mut renderer = support::renderer();
    reference::shadow_scene(AovMode::Beauty).load_into(&mut renderer);
    let at = |renderer: &Renderer, point: Vec3| {
        let (x, y) = pixel_of(renderer, point);
        renderer.pick(Vec2::new(x as f32 + 0.5, y as f32 + 0.5) / SIZE as f32, 1.0)
    };
    assert_eq!(at(&renderer, BALL_CENTER), Some(id("ball")));
    // The crate is turned 0.5 rad: a point near its rotated corner, outside its unrotated extent.
    let corner =
        CRATE_CENTER + app_core::glam::Quat::from_rotation_y(0.5) * Vec3::new(0.42, 0.0, 0.42);
    assert_eq!(at(&renderer, corner), Some(id("crate")));
    assert_eq!(at(&renderer, LIT_GROUND), Some(id("ground")));
    // The ball's bottom overlaps the ground behind it in view: the nearer ball wins.
    assert_eq!(at(&renderer, BALL_CENTER - Vec3::Y * 0.5), Some(id("ball")));
    assert_eq!(
        renderer.pick(Vec2::new(0.01, 0.01), 1.0),
        None,
        "background"
    );
    // Picking follows edits.
    renderer.remove_node(&id("ball"));
    assert_eq!(
        at(&renderer, BALL_CENTER - Vec3::Y * 0.59),
        Some(id("ground"))
    );
}

#[test]
fn refit_bounds_shrinks_after_a_node_moves_back() {
    let mut renderer = support::renderer();
    let scene = reference::shadow_scene(AovMode::Beauty);
    scene.load_into(&mut renderer);
    let tight = renderer.refit_bounds().unwrap();
    let mut ball = scene.nodes[1].clone();
    ball.transform.translation = Vec3::new(50.0, 0.0, 0.0);
    renderer.upsert_node(&ball, app_core::glam::Mat4::IDENTITY);
    ball.transform.translation = BALL_CENTER;
    renderer.upsert_node(&ball, app_core::glam::Mat4::IDENTITY);
    assert_eq!(renderer.refit_bounds(), Some(tight));
    assert!(tight.max.x < 3.1 && tight.min.x > -3.1, "{tight:?}");
}

#[test]
fn the_golden_check_catches_a_moved_shadow_and_a_moved_ball() {
    let golden =
        support::load_png(&support::workspace_root().join("tests/golden/shadow_scene.png"))
            .expect("shadow_scene golden");
    let scene = reference::shadow_scene(AovMode::Beauty);
    // Light straight from above: every shadow moves under its caster.
    let mut renderer = support::renderer();
    scene.load_into(&mut renderer);
    renderer.set_light(app_core::DirectionalLight {
        direction_in_world: Vec3::NEG_Y,
        ..Default::default()
    });
    let relit = support::render(&mut renderer, SIZE, SIZE);
    // The ball 0.1 units to the side.
    let mut renderer = support::renderer();
    scene.load_into(&mut renderer);
    let mut ball = scene.nodes[1].clone();
    ball.transform.translation += Vec3::new(0.0, 0.0, 0.1);
    renderer.upsert_node(&ball, app_core::glam::Mat4::IDENTITY);
    let moved = support::render(&mut renderer, SIZE, SIZE);
    for (what, image) in [("relit", relit), ("moved ball", moved)] {
        let comparison =
            app_render::golden::compare(&image, &golden, app_render::golden::Tolerance::DEFAULT)
                .unwrap();
        assert!(
            !comparison.passes(app_render::golden::Tolerance::DEFAULT),
            "{what} passed the golden check ({:.3}% differ)",
            comparison.differing_share * 100.0
        );
    }
}

#[test]
fn peers_selections_are_drawn_in_their_colors_and_the_local_one_wins() {
    let mut renderer = support::renderer();
    reference::shadow_scene(AovMode::Beauty).load_into(&mut renderer);
    let crate_px = pixel_of(&renderer, CRATE_CENTER + Vec3::Y * 0.2);
    let plain = support::render(&mut renderer, SIZE, SIZE).pixel_at(crate_px);
    let green = Vec3::new(0.1, 1.0, 0.2);
    renderer.set_peer_highlights(&[(id("crate"), green)]);
    let peer = support::render(&mut renderer, SIZE, SIZE).pixel_at(crate_px);
    assert!(
        peer[1] > plain[1] + 15 && peer[0] <= plain[0] + 15,
        "a peer's green shows on the crate: {peer:?} vs {plain:?}"
    );
    renderer.set_peer_highlights(&[(id("crate"), green)]);
    support::render(&mut renderer, SIZE, SIZE);
    assert_eq!(
        renderer.last_stats().bytes_uploaded,
        0,
        "the same highlights rewrite nothing"
    );
    renderer.set_selected(Some(&id("crate")));
    let local = support::render(&mut renderer, SIZE, SIZE).pixel_at(crate_px);
    assert!(
        local[0] > peer[0] + 15,
        "the local orange wins over the peer's green: {local:?} vs {peer:?}"
    );
    renderer.set_selected(None);
    renderer.set_peer_highlights(&[]);
    assert_eq!(
        support::render(&mut renderer, SIZE, SIZE).pixel_at(crate_px),
        plain
    );
}
