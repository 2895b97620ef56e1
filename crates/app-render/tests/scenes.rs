//! Golden scenes: a sphere and a box casting shadows on a plane, and 1,000 instanced spheres.

mod support;

use app_core::glam::{Mat4, Quat, Vec3};
use app_core::{Node, NodeId, Shape, Transform};
use app_render::{OrbitCamera, Renderer, RgbaImage};

const SIZE: u32 = 256;

fn node(id: &str, shape: Shape, translation: Vec3, base_color: Vec3) -> Node {
    let mut node = Node::new(
        NodeId::new(id).unwrap(),
        shape,
        Transform::from_translation(translation),
    );
    node.material.base_color = base_color;
    node
}

/// Sphere and box standing on a plane; the default light comes from above, behind-right.
fn shadow_scene(renderer: &mut Renderer) {
    renderer.upsert_node(
        &node(
            "ground",
            Shape::Plane { size: 6.0 },
            Vec3::ZERO,
            Vec3::splat(0.5),
        ),
        Mat4::IDENTITY,
    );
    renderer.upsert_node(
        &node(
            "ball",
            Shape::Sphere { radius: 0.6 },
            Vec3::new(-0.15, 0.6, -0.95),
            Vec3::new(0.8, 0.15, 0.1),
        ),
        Mat4::IDENTITY,
    );
    let mut crate_node = node(
        "crate",
        Shape::Box {
            extents: Vec3::splat(0.9),
        },
        Vec3::new(0.1, 0.45, 1.0),
        Vec3::new(0.15, 0.35, 0.8),
    );
    crate_node.transform.rotation = Quat::from_rotation_y(0.5);
    renderer.upsert_node(&crate_node, Mat4::IDENTITY);
    renderer.camera = OrbitCamera {
        target_in_world: Vec3::new(0.0, 0.3, 0.0),
        // Looking across the light's horizontal direction, so both shadows fall sideways in view.
        yaw_rad: -1.0,
        pitch_rad: 0.6,
        distance: 6.5,
        ..Default::default()
    };
}

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
fn shadow_on_ground(renderer_light: Vec3, point_in_world: Vec3) -> Vec3 {
    point_in_world - renderer_light * (point_in_world.y / renderer_light.y)
}

#[test]
fn sphere_and_box_cast_shadows_on_the_plane() {
    let mut renderer = support::renderer();
    shadow_scene(&mut renderer);
    let image = support::render(&mut renderer, SIZE, SIZE);
    support::assert_golden("shadow_scene", &image);

    let light = app_core::DirectionalLight::default().direction_in_world;
    let lit_ground = pixel_of(&renderer, Vec3::new(1.6, 0.0, 0.3));
    let ball_shadow = pixel_of(
        &renderer,
        shadow_on_ground(light, Vec3::new(-0.15, 0.6, -0.95)),
    );
    let crate_shadow = pixel_of(
        &renderer,
        shadow_on_ground(light, Vec3::new(0.1, 0.45, 1.0)),
    );
    let lit = luminance(&image, lit_ground);
    for (what, at) in [("ball", ball_shadow), ("crate", crate_shadow)] {
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
    shadow_scene(&mut renderer);
    support::render(&mut renderer, 64, 64);
    let first = renderer.last_stats();
    assert_eq!(first.draw_calls, 3 + 3 + 1, "shadow, scene and tonemap");
    renderer.camera.yaw_rad += 0.1;
    support::render(&mut renderer, 64, 64);
    assert_eq!(
        renderer.last_stats().draw_calls,
        3 + 1,
        "a camera move leaves the shadow map alone"
    );
    support::render(&mut renderer, 64, 64);
    assert_eq!(renderer.last_stats().bytes_uploaded, 0);
}

#[test]
fn a_thousand_instanced_spheres_in_a_grid_draw_with_one_call_per_mesh() {
    let mut renderer = support::renderer();
    for i in 0..10 {
        for j in 0..10 {
            for k in 0..10 {
                let color = Vec3::new(i as f32, j as f32, k as f32) / 9.0 * 0.8 + 0.1;
                let position = (Vec3::new(i as f32, j as f32, k as f32) - 4.5) * 0.5;
                renderer.upsert_node(
                    &node(
                        &format!("s{i}_{j}_{k}"),
                        Shape::Sphere { radius: 0.18 },
                        position,
                        color,
                    ),
                    Mat4::IDENTITY,
                );
            }
        }
    }
    renderer.camera = OrbitCamera {
        yaw_rad: 0.6,
        pitch_rad: 0.5,
        distance: 12.0,
        ..Default::default()
    };
    let image = support::render(&mut renderer, SIZE, SIZE);
    support::assert_golden("thousand_spheres", &image);
    let stats = renderer.last_stats();
    assert_eq!(stats.instances, 1000);
    assert_eq!(
        stats.draw_calls,
        1 + 1 + 1,
        "one shadow and one scene draw for the sphere mesh, one tonemap"
    );
    let centre = image.pixel(SIZE / 2, SIZE / 2).unwrap();
    assert_ne!(
        centre,
        image.pixel(0, 0).unwrap(),
        "the grid fills the centre"
    );
}
