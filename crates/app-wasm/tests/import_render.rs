//! glTF import end to end on lavapipe, the path the browser takes with the image decoding done by the
//! `png` crate: the Khronos sample models imported into a document, fed to the renderer from it
//! (`AssetFeed`), drawn, and the same pixels on a peer that received the update, after a rebuild from
//! the document (device loss), and none after undo.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)] // test code

use std::collections::{HashMap, HashSet};

use app_render::golden::{Tolerance, compare};
use app_render::{AovMode, Gpu, Renderer, RgbaImage};
use app_scene::SceneDoc;
use app_wasm::asset_feed::AssetFeed;
use app_wasm::bridge::{apply_changes, rebuild_renderer};

mod native;
#[path = "common/base64.rs"]
mod support_base64;
use support_base64::base64;

const SIZE: u32 = 128;

fn sample(name: &str) -> Vec<u8> {
    let path = format!("{}/../../tests/gltf/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// PNG to RGBA8 with the `png` crate (native tests only; the browser uses createImageBitmap).
fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    let rgba = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf
            .chunks(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        png::ColorType::GrayscaleAlpha => buf
            .chunks(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect(),
        png::ColorType::Grayscale => buf.iter().flat_map(|&g| [g, g, g, 255]).collect(),
        other => panic!("unexpected PNG color type {other:?}"),
    };
    (info.width, info.height, rgba)
}

/// One engine's document and renderer, synced the way `State::sync_renderer` does it.
struct View {
    scene: SceneDoc,
    renderer: Renderer,
    feed: AssetFeed,
}

impl View {
    fn new(gpu: &Gpu, client: u64) -> Self {
        Self {
            scene: SceneDoc::with_client_id(client),
            renderer: Renderer::new(gpu),
            feed: AssetFeed::default(),
        }
    }

    fn sync(&mut self) {
        let changes = self.scene.drain_changes();
        apply_changes(&self.scene, &mut self.renderer, &changes);
        self.feed_images(&changes);
    }

    fn feed_images(&mut self, changes: &[app_core::SceneChange]) {
        for job in self.feed.feed(&self.scene, &mut self.renderer, changes) {
            let (w, h, rgba) = decode_png(&job.image.encoded);
            self.renderer.insert_image(job.id, w, h, &rgba);
        }
    }

    fn render(&mut self, aov: AovMode) -> RgbaImage {
        self.sync();
        if let Some(bounds) = self.renderer.refit_bounds() {
            self.renderer.camera = self.renderer.camera.framing(bounds, 1.0);
        }
        self.renderer.set_aov(aov);
        native::render(&mut self.renderer, SIZE)
    }
}

/// Writes `image` to `tests/out/native/<name>.png` (git-ignored) so a person can look at it.
fn save(image: &RgbaImage, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/out/native");
    let _ = std::fs::create_dir_all(&dir);
    let file = std::fs::File::create(dir.join(format!("{name}.png"))).unwrap();
    let mut encoder = png::Encoder::new(file, image.width, image.height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .unwrap()
        .write_image_data(&image.pixels)
        .unwrap();
}

fn distinct_colors(image: &RgbaImage) -> HashSet<[u8; 4]> {
    image
        .pixels
        .chunks(4)
        .map(|p| [p[0], p[1], p[2], p[3]])
        .collect()
}

fn covered(image: &RgbaImage) -> usize {
    let background = &image.pixels[..4];
    image.pixels.chunks(4).filter(|p| p != &background).count()
}

/// The document's nodes that draw a mesh.
fn mesh_nodes(scene: &SceneDoc) -> Vec<app_core::Node> {
    scene
        .snapshot()
        .into_iter()
        .filter(|n| matches!(n.shape, app_core::Shape::Mesh { .. }))
        .collect()
}

/// Pixels of an object-id image showing `id`'s color (display values: bytes = value × 255).
fn id_color_area(ids: &RgbaImage, id: &app_core::NodeId) -> usize {
    let expected = app_render::object_color(id)
        .to_array()
        .map(|v| (v * 255.0).round() as u8);
    ids.pixels
        .chunks(4)
        .filter(|p| (0..3).all(|c| p[c].abs_diff(expected[c]) <= 2))
        .count()
}

/// A 0.2-unit cube's 8 corners (f32 xyz, 96 bytes) and 12 triangles (u16, 72 bytes).
fn cube_bytes() -> Vec<u8> {
    let corners: Vec<f32> = (0..8)
        .flat_map(|i| [0, 1, 2].map(|axis| if i >> axis & 1 == 1 { 0.1 } else { -0.1 }))
        .collect();
    let indices: [u16; 36] = [
        0, 2, 1, 1, 2, 3, 4, 5, 6, 5, 7, 6, 0, 1, 4, 1, 5, 4, 2, 6, 3, 3, 6, 7, 0, 4, 2, 2, 4, 6,
        1, 3, 5, 3, 7, 5,
    ];
    let mut buffer: Vec<u8> = corners.iter().flat_map(|v| v.to_le_bytes()).collect();
    buffer.extend(indices.iter().flat_map(|i| i.to_le_bytes()));
    buffer
}

#[test]
fn the_sample_models_import_as_nodes_and_draw_one_id_color_per_part() {
    let gpu = native::gpu();
    // (file, roots, nodes in the document, mesh nodes, what is ignored)
    let cases = [
        ("Box.gltf", 1, 2, 1, None),
        ("BoxTextured.gltf", 1, 3, 1, None),
        ("BoxAnimated.gltf", 2, 4, 2, Some("animations")),
    ];
    for (file, root_count, node_count, mesh_count, ignored) in cases {
        let model = app_gltf::import(&sample(file), &HashMap::new()).unwrap();
        if let Some(ignored) = ignored {
            assert!(
                model.ignored.iter().any(|i| i.contains(ignored)),
                "{file}: {:?}",
                model.ignored
            );
        }
        let mut view = View::new(&gpu, 1);
        let roots = view.scene.import(&model, None).unwrap();
        assert_eq!(roots.len(), root_count, "{file}");
        assert_eq!(view.scene.node_ids().len(), node_count, "{file}");
        let beauty = view.render(AovMode::Beauty);
        assert!(
            covered(&beauty) > 500,
            "{file}: the model covers {} pixels",
            covered(&beauty)
        );
        let ids = view.render(AovMode::ObjectId);
        // Each drawn part shows its own object-id color (display values: bytes = value × 255) over a
        // good area.
        let mesh_nodes = mesh_nodes(&view.scene);
        assert_eq!(mesh_nodes.len(), mesh_count, "{file}");
        for node in &mesh_nodes {
            let area = id_color_area(&ids, &node.id);
            assert!(
                area > 100,
                "{file}: {} shows its id color on {area} pixels",
                node.id
            );
        }
        assert_eq!(view.renderer.last_stats().instances as usize, mesh_count);
    }
}

#[test]
fn a_textured_model_shows_its_texture_on_peers_after_a_rebuild_and_not_after_undo() {
    let gpu = native::gpu();
    let model = app_gltf::import(&sample("BoxTextured.gltf"), &HashMap::new()).unwrap();
    let mut a = View::new(&gpu, 1);
    a.scene.import(&model, None).unwrap();
    let albedo = a.render(AovMode::Albedo);
    assert_eq!(
        a.renderer.asset_counts(),
        (1, 1, 1),
        "mesh, surface, texture"
    );
    // The Cesium logo texture: many colors, where an untextured box would show one per face.
    assert!(
        distinct_colors(&albedo).len() > 40,
        "{}",
        distinct_colors(&albedo).len()
    );
    let beauty = a.render(AovMode::Beauty);
    save(&beauty, "box_textured");

    let mut b = View::new(&gpu, 2);
    b.scene.apply_update_v1(&a.scene.encode_state_v1()).unwrap();
    let on_peer = b.render(AovMode::Beauty);
    let tolerance = Tolerance::DEFAULT;
    assert!(
        compare(&on_peer, &beauty, tolerance)
            .unwrap()
            .passes(tolerance),
        "peer differs"
    );

    // Device loss: a new renderer rebuilt from the document, textures included.
    a.renderer = Renderer::new(&gpu);
    rebuild_renderer(&mut a.scene, &mut a.renderer);
    a.feed_images(&[]);
    let rebuilt = a.render(AovMode::Beauty);
    assert!(
        compare(&rebuilt, &beauty, tolerance)
            .unwrap()
            .passes(tolerance),
        "rebuild differs"
    );

    // Undo in A removes the model in A and, through the update, in B.
    let before = a.scene.state_vector_v1();
    assert!(a.scene.undo().unwrap());
    let update = a.scene.encode_diff_v1(&before).unwrap();
    b.scene.apply_update_v1(&update).unwrap();
    for view in [&mut a, &mut b] {
        let empty = view.render(AovMode::Beauty);
        assert_eq!(covered(&empty), 0);
        assert_eq!(view.renderer.asset_counts(), (0, 0, 0), "released");
    }
}

#[test]
fn a_model_whose_assets_arrive_after_its_nodes_appears_when_they_do() {
    use yrs::{Any, Map, MapPrelim, ReadTxn, Transact};
    let gpu = native::gpu();
    let model = app_gltf::import(&sample("Box.gltf"), &HashMap::new()).unwrap();
    let mesh = model
        .nodes
        .iter()
        .find_map(|n| match n.shape {
            app_core::Shape::Mesh { mesh, .. } => Some(mesh),
            _ => None,
        })
        .unwrap();
    // A Yjs peer writes a mesh node first and its assets in a later update.
    let peer = yrs::Doc::with_client_id(9);
    let nodes = peer.get_or_insert_map("nodes");
    let assets = peer.get_or_insert_map("assets");
    {
        let mut txn = peer.transact_mut();
        let fields: MapPrelim = [
            ("kind", yrs::In::Any(Any::from("mesh"))),
            ("mesh", yrs::In::Any(Any::from(mesh.to_hex()))),
        ]
        .into_iter()
        .collect();
        nodes.insert(&mut txn, "n1", fields);
    }
    let first = peer
        .transact()
        .encode_state_as_update_v1(&yrs::StateVector::default());
    let after_first = peer.transact().state_vector();
    {
        let mut txn = peer.transact_mut();
        for (id, bytes) in &model.assets {
            assets.insert(&mut txn, id.to_hex(), Any::Buffer(bytes.clone().into()));
        }
    }
    let second = peer.transact().encode_state_as_update_v1(&after_first);

    let mut view = View::new(&gpu, 2);
    view.scene.apply_update_v1(&first).unwrap();
    assert_eq!(
        covered(&view.render(AovMode::Beauty)),
        0,
        "nothing to draw yet"
    );
    assert_eq!(view.feed.missing(), 1, "the mesh is awaited");
    view.scene.apply_update_v1(&second).unwrap();
    assert!(
        covered(&view.render(AovMode::Beauty)) > 500,
        "drawn once its mesh arrived"
    );
    assert_eq!(view.feed.missing(), 0);
}

#[test]
fn a_three_level_hierarchy_with_rotations_and_non_uniform_scale_draws_where_its_matrices_say() {
    use app_core::glam::{Mat4, Quat, Vec2, Vec3};
    // A 0.2-unit cube (8 corners, 12 triangles) at the leaf of root → middle → leaf.
    let buffer = cube_bytes();
    let root = (
        Quat::from_rotation_y(std::f32::consts::FRAC_PI_2),
        Vec3::new(1.0, 0.0, 0.0),
        Vec3::ONE,
    );
    let middle = (
        Quat::from_rotation_x(0.5),
        Vec3::new(0.0, 1.0, 0.0),
        Vec3::new(2.0, 0.5, 1.0),
    );
    let leaf = (
        Quat::from_rotation_z(0.3),
        Vec3::new(0.5, 0.0, 0.25),
        Vec3::ONE,
    );
    let node = |(r, t, s): (Quat, Vec3, Vec3), rest: &str| {
        format!(
            r#"{{"rotation":{:?},"translation":{:?},"scale":{:?}{rest}}}"#,
            r.to_array(),
            t.to_array(),
            s.to_array()
        )
    };
    let gltf = format!(
        r#"{{"asset":{{"version":"2.0"}},"scene":0,"scenes":[{{"nodes":[0]}}],
        "nodes":[{},{},{}],
        "meshes":[{{"primitives":[{{"attributes":{{"POSITION":0}},"indices":1}}]}}],
        "accessors":[{{"bufferView":0,"componentType":5126,"count":8,"type":"VEC3"}},{{"bufferView":1,"componentType":5123,"count":36,"type":"SCALAR"}}],
        "bufferViews":[{{"buffer":0,"byteLength":96}},{{"buffer":0,"byteOffset":96,"byteLength":72}}],
        "buffers":[{{"byteLength":168,"uri":"data:application/octet-stream;base64,{}"}}]}}"#,
        node(root, r#","children":[1]"#),
        node(middle, r#","children":[2]"#),
        node(leaf, r#","mesh":0"#),
        base64(&buffer)
    );
    let model = app_gltf::import(gltf.as_bytes(), &HashMap::new()).unwrap();
    let gpu = native::gpu();
    let mut view = View::new(&gpu, 1);
    view.scene.import(&model, None).unwrap();
    view.sync();
    let leaf_id = view
        .scene
        .snapshot()
        .into_iter()
        .find(|n| matches!(n.shape, app_core::Shape::Mesh { .. }))
        .unwrap()
        .id;
    let matrix = |(r, t, s): (Quat, Vec3, Vec3)| Mat4::from_scale_rotation_translation(s, r, t);
    let world = matrix(root) * matrix(middle) * matrix(leaf);
    let centre = world.transform_point3(Vec3::ZERO);
    // Look at where the matrices put the leaf: it is picked at the view's centre, and nowhere near
    // where a wrong composition (say, scale after translation) would put it.
    view.renderer.camera =
        app_render::OrbitCamera::looking_at(centre + Vec3::new(0.0, 0.5, 2.5), centre, 0.5)
            .unwrap();
    assert_eq!(
        view.renderer.pick(Vec2::splat(0.5), 1.0),
        Some(leaf_id.clone())
    );
    let wrong = matrix(root) * matrix(leaf) * matrix(middle);
    let wrong_centre = wrong.transform_point3(Vec3::ZERO);
    assert!(
        wrong_centre.distance(centre) > 0.5,
        "the check tells the orders apart"
    );
    let image = native::render(&mut view.renderer, SIZE);
    let middle_pixel = &image.pixels[((SIZE / 2 * SIZE + SIZE / 2) * 4) as usize..][..4];
    assert_ne!(
        middle_pixel,
        &image.pixels[..4],
        "the leaf is drawn at the centre"
    );
}

/// A 0.2-unit cube mesh instanced `count` times along x (`EXT_mesh_gpu_instancing`), as glTF JSON.
fn instanced_cubes(count: usize) -> String {
    let translations: Vec<f32> = (0..count)
        .flat_map(|k| [k as f32 * 0.3 - count as f32 * 0.15, 0.0, 0.0])
        .collect();
    let mut buffer = cube_bytes();
    buffer.extend(translations.iter().flat_map(|v| v.to_le_bytes()));
    format!(
        r#"{{"asset":{{"version":"2.0"}},"extensionsUsed":["EXT_mesh_gpu_instancing"],
        "extensionsRequired":["EXT_mesh_gpu_instancing"],"scene":0,"scenes":[{{"nodes":[0]}}],
        "nodes":[{{"name":"row","mesh":0,"extensions":{{"EXT_mesh_gpu_instancing":{{"attributes":{{"TRANSLATION":2}}}}}}}}],
        "meshes":[{{"primitives":[{{"attributes":{{"POSITION":0}},"indices":1}}]}}],
        "accessors":[{{"bufferView":0,"componentType":5126,"count":8,"type":"VEC3"}},
            {{"bufferView":1,"componentType":5123,"count":36,"type":"SCALAR"}},
            {{"bufferView":2,"componentType":5126,"count":{count},"type":"VEC3"}}],
        "bufferViews":[{{"buffer":0,"byteLength":96}},{{"buffer":0,"byteOffset":96,"byteLength":72}},
            {{"buffer":0,"byteOffset":168,"byteLength":{}}}],
        "buffers":[{{"byteLength":{},"uri":"data:application/octet-stream;base64,{}"}}]}}"#,
        count * 12,
        buffer.len(),
        base64(&buffer)
    )
}

#[test]
fn gpu_instanced_meshes_draw_every_instance_in_one_draw_and_each_is_a_node() {
    let gpu = native::gpu();
    let draws = |count: usize| {
        let model = app_gltf::import(instanced_cubes(count).as_bytes(), &HashMap::new()).unwrap();
        let mut view = View::new(&gpu, 1);
        view.scene.import(&model, None).unwrap();
        assert_eq!(
            view.scene.node_ids().len(),
            count + 1,
            "the row and its cubes"
        );
        let ids = view.render(AovMode::ObjectId);
        let stats = view.renderer.last_stats();
        // Every instance is its own node: each shows its own object-id color.
        let cubes = mesh_nodes(&view.scene);
        assert_eq!(cubes.len(), count);
        for cube in &cubes {
            let area = id_color_area(&ids, &cube.id);
            assert!(area > 4, "{} of {count} shows on {area} pixels", cube.id);
        }
        if count == 12 {
            save(&view.render(AovMode::Beauty), "import_instanced_cubes");
        }
        assert_eq!(stats.instances as usize, count);
        stats.draw_calls
    };
    // Twelve instances cost the draws of one.
    assert_eq!(draws(12), draws(1));
}
