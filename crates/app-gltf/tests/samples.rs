//! The Khronos sample models in `tests/gltf/` (copies of `shared/gltf/`; see its README.md), imported as they are.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use app_core::{Filter, ImageAsset, ImageFormat, Shape, Wrap, glam::Quat, glam::Vec3};
use common::{import_ok, mesh_of};

const BOX: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/gltf/Box.gltf"
));
const BOX_TEXTURED: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/gltf/BoxTextured.gltf"
));
const BOX_ANIMATED: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/gltf/BoxAnimated.gltf"
));

#[test]
fn box_is_a_rotated_group_around_one_red_mesh() {
    let scene = import_ok(BOX);
    assert_eq!(scene.nodes.len(), 2);
    let (root, child) = (&scene.nodes[0], &scene.nodes[1]);
    assert_eq!((root.parent, root.shape), (None, Shape::Group));
    assert_eq!(child.parent, Some(0));
    assert_eq!(
        child.name, "Mesh",
        "the mesh's name stands in for the node's"
    );
    // The root's matrix turns Z-up into Y-up: -90° about X.
    let expected = Quat::from_rotation_x(-std::f32::consts::FRAC_PI_2);
    assert!(
        root.transform.rotation.angle_between(expected) < 1e-5,
        "{:?}",
        root.transform
    );
    assert_eq!(root.transform.scale, Vec3::ONE);
    let (mesh, surface) = mesh_of(&scene, 1);
    assert_eq!((mesh.vertex_count(), mesh.indices.len()), (24, 36));
    assert!(mesh.uvs.is_empty() && mesh.tangents.is_empty() && mesh.colors.is_empty());
    assert_eq!(surface, None, "a color-only material needs no surface");
    let m = child.material;
    assert!((m.base_color - Vec3::new(0.8, 0.0, 0.0)).length() < 1e-6);
    assert_eq!((m.metallic, m.roughness), (1.0, 1.0), "glTF's defaults");
    assert_eq!(scene.assets.len(), 1);
    assert!(scene.ignored.is_empty(), "{:?}", scene.ignored);
}

#[test]
fn box_textured_has_its_png_with_repeat_wrap_and_mipmaps() {
    let scene = import_ok(BOX_TEXTURED);
    // Node 0 lists its children as [2, 1]: file order of the list, not of the indices.
    let shapes: Vec<_> = scene.nodes.iter().map(|n| (n.parent, n.shape)).collect();
    assert_eq!(shapes.len(), 3);
    assert_eq!(shapes[0], (None, Shape::Group));
    assert!(matches!(shapes[1], (Some(0), Shape::Mesh { .. })));
    assert_eq!(shapes[2], (Some(0), Shape::Group));
    let (mesh, surface) = mesh_of(&scene, 1);
    assert_eq!(
        (mesh.vertex_count(), mesh.indices.len(), mesh.uvs.len()),
        (24, 36, 24)
    );
    assert!(
        mesh.uvs.iter().flatten().any(|&v| v > 5.9),
        "uvs up to 6 (repeating)"
    );
    let texture = surface
        .expect("a textured surface")
        .base_color
        .expect("a base color texture");
    assert_eq!(
        (texture.sampler.wrap_u, texture.sampler.wrap_v),
        (Wrap::Repeat, Wrap::Repeat)
    );
    assert!(texture.sampler.mipmaps);
    assert_eq!(texture.sampler.mag_filter, Filter::Linear);
    let image = ImageAsset::decode(common::asset(&scene, &texture.image)).unwrap();
    assert_eq!(
        (image.format, image.width, image.height),
        (ImageFormat::Png, 211, 211)
    );
    assert_eq!(scene.assets.len(), 3, "mesh, surface, image");
}

#[test]
fn box_animated_keeps_its_hierarchy_and_reports_the_animations() {
    let scene = import_ok(BOX_ANIMATED);
    let summary: Vec<_> = scene
        .nodes
        .iter()
        .map(|n| {
            (
                n.name.as_str(),
                n.parent,
                matches!(n.shape, Shape::Mesh { .. }),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("outer_box", None, true),
            ("", None, false),
            ("", Some(1), false),
            ("inner_box", Some(2), true),
        ]
    );
    assert_eq!(scene.ignored, ["animations (2)"]);
    let inner = scene.nodes[3].material;
    assert_eq!(inner.metallic, 0.0);
    assert!((inner.base_color.y - 0.415_942).abs() < 1e-5);
    assert_eq!(scene.assets.len(), 2, "two meshes, no surfaces");
    for node in &scene.nodes {
        assert!(node.transform.rotation.is_normalized());
    }
}
