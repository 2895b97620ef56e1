//! Materials, surfaces, textures, samplers and images, and the tangents a normal map needs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use app_core::{AlphaMode, Filter, ImageAsset, ImageFormat, UvTransform, Wrap, glam::Vec3};
use common::*;
use serde_json::{Value, json};

/// A quad with uvs (and optionally without), one material `material`, images from `images`.
fn textured_quad(material: Value, images: Value, with_uvs: bool) -> Vec<u8> {
    let mut b = Builder::default();
    let pos = b.vec3(&QUAD_POSITIONS);
    let idx = b.indices_u16(&QUAD_INDICES);
    let mut attributes = json!({"POSITION": pos});
    if with_uvs {
        attributes["TEXCOORD_0"] = json!(b.vec2(&QUAD_UVS));
    }
    let png = b.view(&png_header(4, 2), None);
    let mut doc = one_mesh(json!({"attributes": attributes, "indices": idx, "material": 0}));
    doc["materials"] = json!([material]);
    doc["images"] = if images.is_null() {
        json!([{"bufferView": png, "mimeType": "image/png"}])
    } else {
        images
    };
    doc["textures"] = json!([{"source": 0, "sampler": 0}, {"source": 0}]);
    doc["samplers"] =
        json!([{"wrapS": 33071, "wrapT": 33648, "magFilter": 9728, "minFilter": 9729}]);
    b.glb(doc)
}

#[test]
fn normal_maps_get_mikktspace_tangents() {
    let bytes = textured_quad(
        json!({"normalTexture": {"index": 1, "scale": 0.5,
            "extensions": {"KHR_texture_transform": {"scale": [4, 4]}}}}),
        Value::Null,
        true,
    );
    let scene = import_ok(&bytes);
    let (mesh, surface) = mesh_of(&scene, 0);
    let surface = surface.unwrap();
    let normal = surface.normal.unwrap();
    assert_eq!(surface.normal_scale, 0.5);
    assert_eq!(
        normal.uv_transform,
        UvTransform::from_offset_rotation_scale([0.0; 2], 0.0, [4.0; 2])
    );
    assert_eq!(
        normal.sampler.wrap_u,
        Wrap::Repeat,
        "texture 1 has no sampler: glTF's default"
    );
    assert!(normal.sampler.mipmaps);
    assert_eq!(mesh.tangents.len(), 4);
    for t in &mesh.tangents {
        // +u runs along +X; the bitangent cross(+Z, +X) = +Y is up the image: w = +1.
        assert!(
            (Vec3::new(t[0], t[1], t[2]) - Vec3::X).length() < 1e-5,
            "{t:?}"
        );
        assert_eq!(t[3], 1.0);
    }
    let image = ImageAsset::decode(asset(&scene, &normal.image)).unwrap();
    assert_eq!((image.width, image.height), (4, 2));
    assert_eq!(scene.assets.len(), 3);
}

#[test]
fn a_normal_map_without_uvs_is_dropped_with_a_note() {
    let bytes = textured_quad(json!({"normalTexture": {"index": 1}}), Value::Null, false);
    let scene = import_ok(&bytes);
    let (mesh, surface) = mesh_of(&scene, 0);
    assert_eq!(surface, None);
    assert!(mesh.tangents.is_empty());
    assert_eq!(
        scene.ignored,
        ["normal maps on meshes without texture coordinates (1: mesh 0 primitive 0)"]
    );
    assert_eq!(scene.assets.len(), 1, "the unused image is not stored");
}

#[test]
fn every_material_field_reaches_the_material_or_the_surface() {
    let material = json!({
        "pbrMetallicRoughness": {
            "baseColorFactor": [2.0, 0.5, -1.0, 0.25],
            "metallicFactor": 0.25, "roughnessFactor": 0.75,
            "baseColorTexture": {"index": 0, "extensions": {"KHR_texture_transform": {
                "offset": [0.5, 0.25], "rotation": 0.5, "scale": [2, 3]}}},
            "metallicRoughnessTexture": {"index": 0}
        },
        "occlusionTexture": {"index": 1, "strength": 0.5},
        "emissiveTexture": {"index": 1},
        "emissiveFactor": [1, 0.5, 0],
        "alphaMode": "BLEND", "alphaCutoff": 0.3, "doubleSided": true,
        "extensions": {"KHR_materials_unlit": {}, "KHR_materials_emissive_strength": {"emissiveStrength": 4}}
    });
    let scene = import_ok(&textured_quad(material, Value::Null, true));
    let m = scene.nodes[0].material;
    assert_eq!(m.base_color, Vec3::new(1.0, 0.5, 0.0), "clamped to 0..1");
    assert_eq!((m.metallic, m.roughness), (0.25, 0.75));
    assert_eq!(m.emissive, Vec3::new(1.0, 0.5, 0.0));
    let (_, surface) = mesh_of(&scene, 0);
    let s = surface.unwrap();
    assert_eq!(
        (s.alpha_mode, s.alpha_cutoff, s.opacity),
        (AlphaMode::Blend, 0.5, 0.25)
    );
    assert!(s.double_sided && s.unlit);
    assert_eq!((s.emissive_strength, s.occlusion_strength), (4.0, 0.5));
    let base = s.base_color.unwrap();
    assert_eq!(
        base.uv_transform,
        UvTransform::from_offset_rotation_scale([0.5, 0.25], 0.5, [2.0, 3.0])
    );
    let sampler = base.sampler;
    assert_eq!(
        (sampler.wrap_u, sampler.wrap_v),
        (Wrap::ClampToEdge, Wrap::MirroredRepeat)
    );
    assert_eq!(
        (sampler.mag_filter, sampler.min_filter, sampler.mipmaps),
        (Filter::Nearest, Filter::Linear, false)
    );
    assert_eq!(
        s.metallic_roughness.unwrap().uv_transform,
        UvTransform::IDENTITY
    );
    assert!(s.occlusion.is_some() && s.emissive.is_some() && s.normal.is_none());
    let images: std::collections::HashSet<_> = s
        .textures()
        .into_iter()
        .flatten()
        .map(|t| t.image)
        .collect();
    assert_eq!(images.len(), 1, "one image behind every texture");
    assert_eq!(scene.assets.len(), 3, "mesh, surface, image");
    assert!(scene.ignored.is_empty(), "{:?}", scene.ignored);
}

#[test]
fn mask_keeps_its_cutoff_and_opaque_ignores_alpha() {
    let mask = json!({"alphaMode": "MASK", "alphaCutoff": 0.3, "pbrMetallicRoughness": {"baseColorFactor": [1, 1, 1, 0.5]}});
    let (_, s) = mesh_of(&import_ok(&textured_quad(mask, Value::Null, true)), 0);
    let s = s.unwrap();
    assert_eq!(
        (s.alpha_mode, s.alpha_cutoff, s.opacity),
        (AlphaMode::Mask, 0.3, 0.5)
    );
    let opaque =
        json!({"alphaCutoff": 0.3, "pbrMetallicRoughness": {"baseColorFactor": [1, 1, 1, 0.5]}});
    let (_, s) = mesh_of(&import_ok(&textured_quad(opaque, Value::Null, true)), 0);
    assert_eq!(s, None, "nothing differs from the default surface");
}

#[test]
fn textures_on_other_uv_sets_and_other_formats_are_skipped() {
    let material = json!({
        "pbrMetallicRoughness": {"baseColorTexture": {"index": 0, "texCoord": 1}},
        "occlusionTexture": {"index": 0, "extensions": {}},
        "emissiveTexture": {"index": 1, "extensions": {"KHR_texture_transform": {"texCoord": 1}}}
    });
    let scene = import_ok(&textured_quad(material.clone(), Value::Null, true));
    let (_, s) = mesh_of(&scene, 0);
    let s = s.unwrap();
    assert!(s.base_color.is_none() && s.emissive.is_none() && s.occlusion.is_some());
    assert_eq!(
        scene.ignored,
        ["textures on TEXCOORD_1 or above (2: texture 0, texture 1)"]
    );

    let ktx2 = json!([{"uri": "wood.ktx2"}]);
    let resources =
        std::collections::HashMap::from([("wood.ktx2".to_string(), b"\xabKTX 20\xbb".to_vec())]);
    let scene = app_gltf::import(
        &textured_quad(json!({"emissiveTexture": {"index": 0}}), ktx2, true),
        &resources,
    )
    .unwrap();
    assert_eq!(mesh_of(&scene, 0).1, None);
    assert_eq!(
        scene.ignored,
        ["textures without a PNG, JPEG or WebP image (1: texture 0)"]
    );
}

/// A real lossless WebP file (`width` × `height`, every pixel `rgba`).
fn webp(width: u32, height: u32, rgba: [u8; 4]) -> Vec<u8> {
    let pixels: Vec<u8> = (0..width * height).flat_map(|_| rgba).collect();
    let mut out = Vec::new();
    image_webp::WebPEncoder::new(&mut out)
        .encode(&pixels, width, height, image_webp::ColorType::Rgba8)
        .unwrap();
    out
}

#[test]
fn webp_images_and_ext_texture_webp_are_imported() {
    // EXT_texture_webp: the WebP source is shown; the core source, a PNG fallback, is not imported.
    let mut b = Builder::default();
    let pos = b.vec3(&QUAD_POSITIONS);
    let uv = b.vec2(&QUAD_UVS);
    let png = b.view(&png_header(4, 2), None);
    let wood = b.view(&webp(6, 3, [200, 120, 40, 255]), None);
    let mut doc =
        one_mesh(json!({"attributes": {"POSITION": pos, "TEXCOORD_0": uv}, "material": 0}));
    doc["extensionsUsed"] = json!(["EXT_texture_webp"]);
    doc["extensionsRequired"] = json!(["EXT_texture_webp"]);
    doc["materials"] = json!([{"pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}}]);
    doc["images"] = json!([{"bufferView": png, "mimeType": "image/png"},
        {"bufferView": wood, "mimeType": "image/webp"}]);
    doc["textures"] = json!([{"source": 0, "extensions": {"EXT_texture_webp": {"source": 1}}}]);
    let scene = import_ok(&b.glb(doc.clone()));
    assert!(scene.ignored.is_empty(), "{:?}", scene.ignored);
    let surface = mesh_of(&scene, 0).1.unwrap();
    let image = ImageAsset::decode(asset(&scene, &surface.base_color.unwrap().image)).unwrap();
    assert_eq!(
        (image.format, image.width, image.height),
        (ImageFormat::WebP, 6, 3)
    );
    assert_eq!(
        scene.assets.len(),
        3,
        "mesh, surface and the WebP image: no PNG"
    );

    // Without a core source (what gltf-transform writes), and as a plain image by file name.
    doc["textures"] = json!([{"extensions": {"EXT_texture_webp": {"source": 1}}}]);
    assert!(mesh_of(&import_ok(&b.glb(doc.clone())), 0).1.is_some());
    let resources =
        std::collections::HashMap::from([("wood.webp".to_string(), webp(2, 2, [0; 4]))]);
    doc["images"][1] = json!({"uri": "wood.webp"});
    let scene = app_gltf::import(&b.glb(doc.clone()), &resources).unwrap();
    let surface = mesh_of(&scene, 0).1.unwrap();
    let image = ImageAsset::decode(asset(&scene, &surface.base_color.unwrap().image)).unwrap();
    assert_eq!((image.width, image.height), (2, 2));

    // Declared WebP but not: an error naming the image; a source that is not an index: likewise.
    let resources =
        std::collections::HashMap::from([("wood.webp".to_string(), b"RIFF....WEBP".to_vec())]);
    let err = app_gltf::import(&b.glb(doc.clone()), &resources)
        .unwrap_err()
        .to_string();
    assert!(err.contains("image 1") && err.contains("WebP"), "{err}");
    doc["textures"] = json!([{"extensions": {"EXT_texture_webp": {"source": "wood"}}}]);
    let err = import_err(&b.glb(doc));
    assert!(
        err.contains("texture 0: EXT_texture_webp has no image index"),
        "{err}"
    );
}

#[test]
fn specular_glossiness_materials_draw_as_metallic_roughness() {
    // Blender 2.8x and Sketchfab's older downloads require KHR_materials_pbrSpecularGlossiness.
    let sg = json!({"alphaMode": "BLEND", "extensions": {"KHR_materials_pbrSpecularGlossiness": {
        "diffuseFactor": [0.8, 0.2, 0.1, 0.5], "glossinessFactor": 0.75, "specularFactor": [1, 1, 1],
        "diffuseTexture": {"index": 0, "extensions": {"KHR_texture_transform": {"scale": [2, 2]}}},
        "specularGlossinessTexture": {"index": 1}}}});
    let scene = import_ok(&textured_quad(sg.clone(), Value::Null, true));
    let material = scene.nodes[0].material;
    assert_eq!(material.base_color, Vec3::new(0.8, 0.2, 0.1));
    assert_eq!((material.metallic, material.roughness), (0.0, 0.25));
    let surface = mesh_of(&scene, 0).1.unwrap();
    assert_eq!(surface.opacity, 0.5);
    let diffuse = surface.base_color.unwrap();
    assert_eq!(
        diffuse.uv_transform,
        UvTransform::from_offset_rotation_scale([0.0; 2], 0.0, [2.0; 2])
    );
    assert!(surface.metallic_roughness.is_none());
    assert_eq!(
        scene.ignored,
        [
            "specular-glossiness materials, drawn as metallic-roughness without specular color (1: material 0)",
            "specular-glossiness textures (1: material 0)"
        ]
    );
    // Defaults: white diffuse, glossiness 1 (roughness 0).
    let plain = json!({"extensions": {"KHR_materials_pbrSpecularGlossiness": {}}});
    let material = import_ok(&textured_quad(plain, Value::Null, true)).nodes[0].material;
    assert_eq!(
        (material.base_color, material.metallic, material.roughness),
        (Vec3::ONE, 0.0, 0.0)
    );
    // A metallic-roughness fallback beside it is exact: that one is drawn.
    let mut both = sg.clone();
    both["pbrMetallicRoughness"] = json!({"baseColorFactor": [0, 0, 1, 1], "roughnessFactor": 0.5});
    let scene = import_ok(&textured_quad(both, Value::Null, true));
    let material = scene.nodes[0].material;
    assert_eq!(
        (material.base_color, material.metallic, material.roughness),
        (Vec3::Z, 1.0, 0.5)
    );
    // Malformed values name the material.
    let mut bad = sg;
    bad["extensions"]["KHR_materials_pbrSpecularGlossiness"]["diffuseFactor"] = json!([1, 1, 1]);
    let err = import_err(&textured_quad(bad, Value::Null, true));
    assert!(
        err.contains(
            "material 0: KHR_materials_pbrSpecularGlossiness diffuseFactor is not 4 numbers"
        ),
        "{err}"
    );
}

#[test]
fn a_left_out_emissive_texture_takes_its_emission_along() {
    // Blender writes emissive maps with emissiveFactor [1, 1, 1]: without the map, the factor would
    // light the whole quad white. Seen in MultiUVTest (an emissive map on TEXCOORD_1).
    let lightmap = json!({
        "pbrMetallicRoughness": {"baseColorTexture": {"index": 0}},
        "emissiveFactor": [1, 1, 1],
        "emissiveTexture": {"index": 1, "texCoord": 1},
        "extensions": {"KHR_materials_emissive_strength": {"emissiveStrength": 3}}
    });
    let scene = import_ok(&textured_quad(lightmap, Value::Null, true));
    assert_eq!(scene.nodes[0].material.emissive, Vec3::ZERO);
    let s = mesh_of(&scene, 0).1.unwrap();
    assert!(s.base_color.is_some() && s.emissive.is_none());
    assert_eq!(
        s.emissive_strength, 1.0,
        "no emission: the strength cannot matter"
    );
    assert_eq!(
        scene.ignored,
        [
            "textures on TEXCOORD_1 or above (1: texture 1)",
            "emission of materials whose emissive texture is left out (1: material 0)"
        ]
    );

    // The same for an image in another format.
    let ktx2 = json!([{"uri": "glow.ktx2"}]);
    let resources =
        std::collections::HashMap::from([("glow.ktx2".to_string(), b"\xabKTX 20\xbb".to_vec())]);
    let glow = json!({"emissiveFactor": [1, 0.5, 0], "emissiveTexture": {"index": 0}});
    let scene = app_gltf::import(&textured_quad(glow, ktx2, true), &resources).unwrap();
    assert_eq!(scene.nodes[0].material.emissive, Vec3::ZERO);
    assert_eq!(mesh_of(&scene, 0).1, None);
    assert_eq!(
        scene.ignored,
        [
            "textures without a PNG, JPEG or WebP image (1: texture 0)",
            "emission of materials whose emissive texture is left out (1: material 0)"
        ]
    );

    // A drawn emissive texture keeps its factor.
    let kept = json!({"emissiveFactor": [1, 1, 1], "emissiveTexture": {"index": 0}});
    let scene = import_ok(&textured_quad(kept, Value::Null, true));
    assert_eq!(scene.nodes[0].material.emissive, Vec3::ONE);
    assert!(scene.ignored.is_empty(), "{:?}", scene.ignored);
}

#[test]
fn images_that_are_not_what_they_claim_are_errors() {
    let garbage = json!([{"uri": data_uri("image/png", b"definitely not a png")}]);
    let err = import_err(&textured_quad(
        json!({"emissiveTexture": {"index": 0}}),
        garbage,
        true,
    ));
    assert!(
        err.contains("image 0") && err.contains("not a PNG, JPEG or WebP"),
        "{err}"
    );

    let huge = json!([{"uri": data_uri("image/png", &png_header(9000, 10))}]);
    let err = import_err(&textured_quad(
        json!({"emissiveTexture": {"index": 0}}),
        huge,
        true,
    ));
    assert!(
        err.contains("image 0") && err.contains("9000×10") && err.contains("8192"),
        "{err}"
    );

    let missing = json!([{"uri": "textures/missing.png"}]);
    let err = import_err(&textured_quad(
        json!({"emissiveTexture": {"index": 0}}),
        missing,
        true,
    ));
    assert!(err.contains("\"textures/missing.png\""), "{err}");
}
