//! Mesh assets on lavapipe: the mesh reference scenes (`app_render::reference_meshes`) against their
//! golden images, plus what each must show (texels at known pixels, cutouts, blending, normal-map
//! grooves, vertex colors), one draw for 1,000 instances, exact triangle picking, and assets released
//! when no node uses them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

use app_core::NodeId;
use app_core::glam::{Mat4, Vec2, Vec3};
use app_render::reference::ReferenceScene;
use app_render::reference_meshes::{self, CHECKER_TEXELS};
use app_render::{Renderer, RgbaImage};

const SIZE: u32 = 256;

fn pixel_of(renderer: &Renderer, point_in_world: Vec3) -> (u32, u32) {
    let ndc = renderer
        .camera
        .clip_from_world(1.0)
        .project_point3(point_in_world);
    let x = (ndc.x * 0.5 + 0.5) * SIZE as f32;
    let y = (0.5 - ndc.y * 0.5) * SIZE as f32;
    (x as u32, y as u32)
}

fn rendered(scene: &ReferenceScene) -> (Renderer, RgbaImage) {
    let mut renderer = support::renderer();
    scene.load_into(&mut renderer);
    let image = support::render(&mut renderer, SIZE, SIZE);
    (renderer, image)
}

fn rgb(image: &RgbaImage, (x, y): (u32, u32)) -> [i32; 3] {
    let [r, g, b, _] = image.pixel(x, y).unwrap();
    [r.into(), g.into(), b.into()]
}

#[test]
fn a_textured_quad_shows_its_texels_where_they_belong() {
    let scene = reference_meshes::textured_quad();
    let (renderer, image) = rendered(&scene);
    support::assert_golden(scene.name, &image);
    // Quarter centres: (-0.5, 0.5) top-left ... (0.5, -0.5) bottom-right.
    let centres = [(-0.5, 0.5), (0.5, 0.5), (-0.5, -0.5), (0.5, -0.5)];
    for (texel, (x, y)) in CHECKER_TEXELS.iter().zip(centres) {
        let at = pixel_of(&renderer, Vec3::new(x, y, 0.0));
        let got = rgb(&image, at);
        for c in 0..3 {
            assert!(
                (got[c] - i32::from(texel[c])).abs() <= 2,
                "texel {texel:?} at {at:?}: got {got:?}"
            );
        }
    }
}

#[test]
fn masks_cut_out_panes_blend_normal_maps_groove_and_vertex_colors_interpolate() {
    let scene = reference_meshes::mesh_materials();
    let (renderer, image) = rendered(&scene);
    support::assert_golden(scene.name, &image);
    let background = rgb(&image, (2, 2));

    // Mask: the quad is a 4x4 checkerboard of texels; (0,0) solid, (1,0) a hole. Scale 0.8: a texel
    // is 0.4 wide, the quad's top-left corner at centre + (-0.8, 0.8).
    let corner = reference_meshes::MASKED_AT + Vec3::new(-0.8, 0.8, 0.0);
    let solid = rgb(
        &image,
        pixel_of(&renderer, corner + Vec3::new(0.2, -0.2, 0.0)),
    );
    let hole = rgb(
        &image,
        pixel_of(&renderer, corner + Vec3::new(0.6, -0.2, 0.0)),
    );
    assert!(solid[0] > background[0] + 60, "solid texel {solid:?}");
    assert!(
        (0..3).all(|c| (hole[c] - background[c]).abs() <= 4),
        "hole {hole:?} shows the background {background:?}"
    );

    // Blend: the pane (unlit white, opacity 0.5, 0.8 wide) over the red box is pinker than the box
    // face beside it (the face is at z = 0, 0.6 behind the pane; the pane projects right of centre).
    let box_side = rgb(
        &image,
        pixel_of(
            &renderer,
            reference_meshes::BLENDED_AT + Vec3::new(-0.5, 0.0, -0.6),
        ),
    );
    let through = rgb(&image, pixel_of(&renderer, reference_meshes::BLENDED_AT));
    assert!(
        through[1] > box_side[1] + 40 && through[2] > box_side[2] + 40,
        "pane {through:?} over box {box_side:?}"
    );
    assert!(
        through[0] >= box_side[0],
        "pane {through:?} over box {box_side:?}"
    );

    // Normal map: stripes 0.2 wide (quad side 1.6, 8 stripes), tilted alternately: neighbours differ.
    let left = reference_meshes::NORMAL_MAPPED_AT + Vec3::new(-0.7, 0.0, 0.0);
    let stripes: Vec<i32> = (0..4)
        .map(|i| {
            rgb(
                &image,
                pixel_of(&renderer, left + Vec3::X * (0.2 * i as f32)),
            )
            .iter()
            .sum()
        })
        .collect();
    for pair in stripes.windows(2) {
        assert!((pair[0] - pair[1]).abs() > 20, "grooves {stripes:?}");
    }

    // Vertex colors: near each corner of the triangle its color dominates.
    let c = reference_meshes::VERTEX_COLORS_AT;
    let near_red = rgb(&image, pixel_of(&renderer, c + Vec3::new(0.0, 0.7, 0.0)));
    let near_green = rgb(&image, pixel_of(&renderer, c + Vec3::new(-0.65, -0.6, 0.0)));
    let near_blue = rgb(&image, pixel_of(&renderer, c + Vec3::new(0.65, -0.6, 0.0)));
    assert!(
        near_red[0] > near_red[1] + 40 && near_red[0] > near_red[2] + 40,
        "{near_red:?}"
    );
    assert!(
        near_green[1] > near_green[0] + 40 && near_green[1] > near_green[2] + 40,
        "{near_green:?}"
    );
    assert!(
        near_blue[2] > near_blue[0] + 40 && near_blue[2] > near_blue[1] + 40,
        "{near_blue:?}"
    );
}

#[test]
fn picking_hits_mesh_triangles_exactly() {
    let scene = reference_meshes::mesh_materials();
    let mut renderer = support::renderer();
    scene.load_into(&mut renderer);
    let viewport = |p: Vec3| {
        let (x, y) = pixel_of(&renderer, p);
        Vec2::new(x as f32 + 0.5, y as f32 + 0.5) / SIZE as f32
    };
    let c = reference_meshes::VERTEX_COLORS_AT;
    assert_eq!(
        renderer.pick(viewport(c), 1.0),
        Some(NodeId::new("colors").unwrap())
    );
    // Inside the triangle's bounding box, outside the triangle: its top-left corner.
    assert_eq!(
        renderer.pick(viewport(c + Vec3::new(-0.8, 0.8, 0.0)), 1.0),
        None
    );
}

#[test]
fn a_thousand_instances_of_one_textured_mesh_are_one_draw() {
    let scene = reference_meshes::thousand_meshes();
    let (renderer, image) = rendered(&scene);
    support::assert_golden(scene.name, &image);
    let stats = renderer.last_stats();
    assert_eq!(stats.instances, 1000);
    // Shadow pass and scene pass: one draw each.
    assert_eq!(stats.draw_calls, 2, "{stats:?}");
}

#[test]
fn assets_are_released_when_no_node_uses_them_and_wanted_again_after() {
    let scene = reference_meshes::textured_quad();
    let mut renderer = support::renderer();
    scene.load_into(&mut renderer);
    assert_eq!(renderer.asset_counts(), (1, 1, 1));
    let quad = &scene.nodes[0];
    renderer.remove_node(&quad.id);
    assert_eq!(renderer.asset_counts(), (0, 0, 0));
    renderer.upsert_node(quad, Mat4::IDENTITY);
    let wanted = renderer.take_wanted_assets();
    assert_eq!(wanted.len(), 2, "mesh and surface: {wanted:?}");
    assert!(
        renderer.take_wanted_assets().is_empty(),
        "each is announced once"
    );
    // A node whose assets never arrive is kept but not drawn.
    let image = support::render(&mut renderer, SIZE, SIZE);
    assert_eq!(renderer.last_stats().instances, 0);
    assert!(
        image.pixels.chunks(4).all(|p| p == &image.pixels[..4]),
        "nothing drawn"
    );
}

#[test]
fn blended_instances_of_one_group_draw_farthest_first() {
    use app_core::{AlphaMode, AssetId, Node, Shape, Surface, Transform};
    let mut renderer = support::renderer();
    let quad = reference_meshes::quad();
    let mesh = AssetId::of(&quad.encode().unwrap());
    let pane = Surface {
        alpha_mode: AlphaMode::Blend,
        opacity: 0.5,
        unlit: true,
        double_sided: true,
        ..Surface::default()
    };
    let surface = AssetId::of(&pane.encode());
    // The near pane is added first: drawn in insertion order, the far one would land on top of it.
    for (name, z, color) in [("near", 1.0, Vec3::X), ("far", -1.0, Vec3::Z)] {
        let mut node = Node::new(
            NodeId::new(name).unwrap(),
            Shape::Mesh {
                mesh,
                surface: Some(surface),
            },
            Transform::from_translation(Vec3::Z * z),
        );
        node.material.base_color = color;
        renderer.upsert_node(&node, Mat4::IDENTITY);
    }
    for id in renderer.take_wanted_assets() {
        if id == mesh {
            renderer.insert_mesh(id, &quad);
        } else {
            renderer.insert_surface(id, pane);
        }
    }
    renderer.camera = app_render::OrbitCamera {
        yaw_rad: 0.0,
        pitch_rad: 0.0,
        distance: 6.0,
        ..Default::default()
    };
    let image = support::render(&mut renderer, SIZE, SIZE);
    let [r, _, b] = rgb(&image, (SIZE / 2, SIZE / 2));
    // Over the background: far (blue) at half, then near (red) at half over it: red twice blue's share.
    assert!(r > b + 30, "near red over far blue: got r {r}, b {b}");
    // Seen from behind, the other pane is nearer.
    renderer.camera.yaw_rad = std::f32::consts::PI;
    let image = support::render(&mut renderer, SIZE, SIZE);
    let [r, _, b] = rgb(&image, (SIZE / 2, SIZE / 2));
    assert!(b > r + 30, "from behind, blue over red: got r {r}, b {b}");
}

#[test]
fn alpha_mask_cutouts_cast_no_shadow() {
    use app_core::glam::Quat;
    use app_core::{
        AlphaMode, AssetId, DirectionalLight, Filter, Node, Sampler, Shape, Surface, TextureRef,
        Transform, UvTransform, Wrap,
    };
    let mut renderer = support::renderer();
    let quad = reference_meshes::quad();
    let mesh = AssetId::of(&quad.encode().unwrap());
    // A 2×2 alpha checker: texels (0,0) and (1,1) solid, (1,0) and (0,1) holes.
    let texels: Vec<u8> = [
        [230, 200, 60, 255],
        [0, 0, 0, 0],
        [0, 0, 0, 0],
        [230, 200, 60, 255],
    ]
    .concat();
    let image = AssetId::of(&texels);
    let surface_value = Surface {
        base_color: Some(TextureRef {
            image,
            sampler: Sampler {
                wrap_u: Wrap::ClampToEdge,
                wrap_v: Wrap::ClampToEdge,
                mag_filter: Filter::Nearest,
                min_filter: Filter::Nearest,
                mipmaps: false,
            },
            uv_transform: UvTransform::IDENTITY,
        }),
        alpha_mode: AlphaMode::Mask,
        alpha_cutoff: 0.5,
        double_sided: true,
        ..Surface::default()
    };
    let surface = AssetId::of(&surface_value.encode());
    // The quad lies flat at height 1, the sun straight above: shadows fall straight down.
    let holder = Transform {
        translation: Vec3::Y,
        rotation: Quat::from_rotation_x(-std::f32::consts::FRAC_PI_2),
        scale: Vec3::ONE,
    };
    let mut ground = Node::new(
        NodeId::new("ground").unwrap(),
        Shape::Plane { size: 8.0 },
        Transform::IDENTITY,
    );
    ground.material.base_color = Vec3::splat(0.6);
    renderer.upsert_node(&ground, Mat4::IDENTITY);
    let mut cutout = Node::new(
        NodeId::new("cutout").unwrap(),
        Shape::Mesh {
            mesh,
            surface: Some(surface),
        },
        holder,
    );
    cutout.material.base_color = Vec3::ONE;
    renderer.upsert_node(&cutout, Mat4::IDENTITY);
    renderer.set_light(DirectionalLight {
        direction_in_world: Vec3::NEG_Y,
        ..DirectionalLight::default()
    });
    loop {
        let wanted = renderer.take_wanted_assets();
        if wanted.is_empty() {
            break;
        }
        for id in wanted {
            if id == mesh {
                renderer.insert_mesh(id, &quad);
            } else if id == surface {
                renderer.insert_surface(id, surface_value);
            } else {
                renderer.insert_image(id, 2, 2, &texels);
            }
        }
    }
    renderer.camera =
        app_render::OrbitCamera::looking_at(Vec3::new(0.0, 7.0, 0.8), Vec3::ZERO, 0.6).unwrap();
    let image_out = support::render(&mut renderer, SIZE, SIZE);
    support::save_png(&image_out, &support::output_path("alpha_mask_shadow"));
    let world = holder.parent_from_local();
    let ground_under = |u: f32, v: f32| {
        let on_quad = world.transform_point3(Vec3::new(-1.0 + 2.0 * u, 1.0 - 2.0 * v, 0.0));
        Vec3::new(on_quad.x, 0.0, on_quad.z)
    };
    let luminance = |p: Vec3| rgb(&image_out, pixel_of(&renderer, p)).iter().sum::<i32>();
    let lit = luminance(Vec3::new(1.6, 0.0, 0.0));
    let under_hole = luminance(ground_under(0.75, 0.25));
    let under_hole_2 = luminance(ground_under(0.25, 0.75));
    assert!(
        under_hole * 10 > lit * 8 && under_hole_2 * 10 > lit * 8,
        "the ground under the holes is lit ({under_hole}, {under_hole_2}) like open ground ({lit})"
    );
}

#[test]
fn untextured_surfaces_draw_like_white_textures_and_compile_one_scene_pipeline() {
    use app_core::{AssetId, Node, Sampler, Shape, Surface, TextureRef, Transform, UvTransform};
    use app_render::OrbitCamera;
    use app_render::reference::ReferenceAsset;

    // One lit, emissive quad whose surface has no textures (drawn by `fs_untextured`), and the same quad
    // with 1x1 white textures in every slot but the normal map (`fs_main`, which samples them): sampling
    // white changes nothing, so the two images must agree.
    let mesh = reference_meshes::quad();
    let mesh_id = AssetId::of(&mesh.encode().unwrap());
    let white = vec![255u8; 4];
    let image_id = AssetId::of(&[&1u32.to_le_bytes()[..], &1u32.to_le_bytes(), &white].concat());
    let white_texture = Some(TextureRef {
        image: image_id,
        sampler: Sampler::default(),
        uv_transform: UvTransform::IDENTITY,
    });
    let plain = Surface {
        emissive_strength: 2.0,
        ..Surface::default()
    };
    let textured = Surface {
        base_color: white_texture,
        metallic_roughness: white_texture,
        occlusion: white_texture,
        emissive: white_texture,
        ..plain
    };
    let draw = |surface: Surface| {
        let surface_id = AssetId::of(&surface.encode());
        let mut node = Node::new(
            NodeId::new("quad").unwrap(),
            Shape::Mesh {
                mesh: mesh_id,
                surface: Some(surface_id),
            },
            Transform::IDENTITY,
        );
        node.material.base_color = Vec3::new(0.8, 0.5, 0.3);
        node.material.roughness = 0.4;
        node.material.emissive = Vec3::new(0.1, 0.05, 0.0);
        let scene = ReferenceScene {
            name: "untextured",
            nodes: vec![node],
            camera: OrbitCamera {
                yaw_rad: 0.3,
                pitch_rad: 0.2,
                distance: 3.0,
                ..Default::default()
            },
            aov: app_render::AovMode::Beauty,
            selected: None,
            assets: vec![
                (mesh_id, ReferenceAsset::Mesh(mesh.clone())),
                (image_id, ReferenceAsset::Image(1, 1, white.clone())),
                (surface_id, ReferenceAsset::Surface(surface)),
            ],
        };
        rendered(&scene)
    };
    let (plain_renderer, plain_image) = draw(plain);
    let (textured_renderer, textured_image) = draw(textured);
    let lit = plain_image
        .pixels
        .chunks(4)
        .filter(|p| p[0] > p[2] + 30)
        .count();
    assert!(lit > 1000, "the quad is drawn ({lit} warm pixels)");
    let worst = plain_image
        .pixels
        .iter()
        .zip(&textured_image.pixels)
        .map(|(a, b)| a.abs_diff(*b))
        .max()
        .unwrap();
    assert!(
        worst <= 1,
        "untextured and white-textured differ by {worst}"
    );
    // The untextured variant is the one made with the renderer; textures add the sampling one.
    assert_eq!(plain_renderer.scene_pipeline_count(), 1);
    assert_eq!(textured_renderer.scene_pipeline_count(), 2);
}
