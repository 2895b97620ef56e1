//! Interop with the npm `yjs` package: `tests/interop/yjs_interop.mjs` reads a document written here
//! and writes one read here. Runs when `node` and `tests/node_modules/yjs` are present; otherwise it
//! prints why it skipped (`npm ci --prefix tests` installs yjs).

use std::path::PathBuf;
use std::process::Command;

use app_core::Shape;
use app_core::glam::Vec3;
use app_scene::SceneDoc;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn yjs_reads_and_writes_scene_documents() {
    let root = repo_root();
    let script = root.join("tests/interop/yjs_interop.mjs");
    if Command::new("node").arg("--version").output().is_err() {
        println!("SKIPPED yjs interop: `node` is not on PATH");
        return;
    }
    if !root.join("tests/node_modules/yjs").exists() {
        println!(
            "SKIPPED yjs interop: tests/node_modules/yjs is missing (run `npm ci --prefix tests`)"
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("app-scene-interop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (from_rust, to_rust) = (dir.join("from_rust.bin"), dir.join("to_rust.bin"));

    let mut d = SceneDoc::with_client_id(11);
    let sphere = d.add_sphere([1.0, 2.0, 3.0], 0.75).unwrap();
    let b = d.add_box([0.0; 3], [1.0, 2.0, 3.0]).unwrap();
    d.set_parent(b.as_str(), Some(sphere.as_str())).unwrap();
    d.set_name(sphere.as_str(), "ball").unwrap();
    d.set_base_color(sphere.as_str(), [0.25, 0.5, 1.0]).unwrap();
    d.set_light([1.0, -1.0, 0.0], [1.0, 1.0, 1.0], 2.0).unwrap();
    // The fields the JavaScript scene model added (issue 10), numbers as set.
    let c = d.add_box([1.6, 0.1, 0.0], [1.0; 3]).unwrap();
    d.set_rotation(c.as_str(), [0.0, 0.0, 0.0, 2.0]).unwrap();
    d.set_scale(c.as_str(), [2.5, 1.0, 0.3]).unwrap();
    d.set_emissive(c.as_str(), [2.5, 0.0, 0.0]).unwrap();
    d.set_visible(c.as_str(), false).unwrap();
    d.set_background([0.1, 0.2, 0.3]).unwrap();
    std::fs::write(&from_rust, d.encode_state_v1()).unwrap();

    let out = Command::new("node")
        .arg(&script)
        .env("SCENE_FROM_RUST", &from_rust)
        .env("SCENE_TO_RUST", &to_rust)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = String::from_utf8(out.stdout).unwrap();
    // Yjs saw both nodes with the schema's values.
    assert!(summary.contains(&format!("\"{sphere}\":{{\"kind\":\"sphere\",\"name\":\"ball\",\"parent\":null,\"translation\":[1,2,3],\"radius\":0.75")), "{summary}");
    assert!(
        summary.contains(&format!("\"parent\":\"{sphere}\"")),
        "{summary}"
    );
    assert!(
        summary.contains("\"material\":[0.25,0.5,1,0,0.5,0,0,0]"),
        "{summary}"
    );
    assert!(summary.contains("\"schema\":1"), "{summary}");
    assert!(
        summary.contains(&format!("\"{c}\":{{\"kind\":\"box\"")),
        "{summary}"
    );
    assert!(
        summary.contains("\"transform\":[1.6,0.1,0,0,0,0,1,2.5,1,0.3],\"visible\":false"),
        "{summary}"
    );
    assert!(
        summary.contains("\"material\":[0.8,0.8,0.8,0,0.5,2.5,0,0]"),
        "{summary}"
    );
    assert!(
        summary.contains("\"background\":[0.1,0.2,0.3]"),
        "{summary}"
    );
    assert!(summary.contains("\"intensity\":2"), "{summary}");

    // What Yjs wrote reads back here, in each encoding.
    let v1 = std::fs::read(&to_rust).unwrap();
    let v2 = std::fs::read(dir.join("to_rust.bin.v2")).unwrap();
    let diff = std::fs::read(dir.join("to_rust.bin.diff")).unwrap();
    let mut fresh = SceneDoc::with_client_id(12);
    fresh.apply_update_v1(&v1).unwrap();
    let mut from_v2 = SceneDoc::with_client_id(13);
    from_v2.apply_update_v2(&v2).unwrap();
    d.apply_update_v1(&diff).unwrap();
    for doc in [&mut fresh, &mut from_v2, &mut d] {
        assert_eq!(
            doc.node(sphere.as_str()).unwrap().shape,
            Shape::Sphere { radius: 2.5 }
        );
        let js_box = doc.node("js-box").unwrap();
        assert_eq!(js_box.parent, Some(sphere.clone()));
        assert_eq!(
            js_box.shape,
            Shape::Box {
                extents: Vec3::new(0.5, 1.0, 2.0)
            }
        );
        assert_eq!(js_box.transform.translation, Vec3::new(1.0, 2.0, 3.0));
        assert_eq!(
            (
                js_box.name.as_str(),
                js_box.visible,
                js_box.material.roughness
            ),
            ("from yjs", false, 0.25)
        );
        assert_eq!(
            doc.node("js-plane").unwrap().shape,
            Shape::Plane { size: 8.0 }
        );
        assert_eq!(doc.light().intensity, 4.0);
        assert_eq!(doc.node_ids().len(), 5);
        assert!(doc.drain_problems().is_empty());
    }
    assert_eq!(fresh.snapshot(), d.snapshot());
    // The children order places Yjs's "zz" key after the Rust box.
    assert_eq!(
        d.children(Some(sphere.as_str()))
            .last()
            .map(|id| id.as_str()),
        Some("js-box")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn yjs_reads_imported_nodes_and_their_content_addressed_assets() {
    use app_core::{AssetId, ImportedNode, ImportedScene, Material, MeshAsset, Surface, Transform};
    let root = repo_root();
    if Command::new("node").arg("--version").output().is_err()
        || !root.join("tests/node_modules/yjs").exists()
    {
        println!("SKIPPED yjs asset interop: node or tests/node_modules/yjs is missing");
        return;
    }
    let dir = std::env::temp_dir().join(format!("app-scene-assets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mesh = MeshAsset {
        positions: vec![[0.0; 3], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
        normals: vec![[0.0, 0.0, 1.0]; 3],
        indices: vec![0, 1, 2],
        ..MeshAsset::default()
    }
    .encode()
    .unwrap();
    let surface = Surface {
        double_sided: true,
        ..Surface::default()
    }
    .encode();
    let (mesh_id, surface_id) = (AssetId::of(&mesh), AssetId::of(&surface));
    let model = ImportedScene {
        assets: vec![(mesh_id, mesh), (surface_id, surface)],
        nodes: vec![
            ImportedNode {
                name: "model".into(),
                parent: None,
                transform: Transform::IDENTITY,
                shape: Shape::Group,
                material: Material::default(),
            },
            ImportedNode {
                name: "part".into(),
                parent: Some(0),
                transform: Transform::IDENTITY,
                shape: Shape::Mesh {
                    mesh: mesh_id,
                    surface: Some(surface_id),
                },
                material: Material::default(),
            },
        ],
        ignored: Vec::new(),
    };
    let mut d = SceneDoc::with_client_id(21);
    d.add_sphere([0.0; 3], 1.0).unwrap();
    let roots = d.import(&model, None).unwrap();
    let (from_rust, to_rust) = (dir.join("from_rust.bin"), dir.join("to_rust.bin"));
    std::fs::write(&from_rust, d.encode_state_v1()).unwrap();
    let out = Command::new("node")
        .arg(root.join("tests/interop/yjs_interop.mjs"))
        .env("SCENE_FROM_RUST", &from_rust)
        .env("SCENE_TO_RUST", &to_rust)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = String::from_utf8(out.stdout).unwrap();
    // The script checked every asset's key against the SHA-256 of its bytes and every mesh node's
    // asset; here: the kinds, the references and the tags Yjs saw.
    assert!(
        summary.contains(&format!(
            "\"{}\":{{\"kind\":\"group\",\"name\":\"model\"",
            roots[0]
        )),
        "{summary}"
    );
    assert!(
        summary.contains(&format!(
            "\"mesh\":\"{mesh_id}\",\"surface\":\"{surface_id}\""
        )),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("\"{mesh_id}\":{{\"tag\":\"YSMESH01\"")),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("\"{surface_id}\":{{\"tag\":\"YSSURF01\"")),
        "{summary}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
