//! Importing a model (`SceneDoc::import`): assets stored once under `assets`, nodes as ordinary
//! nodes under one parent, one undo step, synced to peers, and every invalid model refused whole.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use app_core::glam::{Quat, Vec3};
use app_core::{
    AlphaMode, AssetId, ImportedNode, ImportedScene, Material, MeshAsset, SceneChange, Shape,
    Surface, Transform,
};
use app_scene::SceneDoc;

/// A triangle fan of 300 vertices: big enough (7 KB) that storing it twice would show in the
/// document's size.
fn triangle_mesh() -> Vec<u8> {
    let positions: Vec<[f32; 3]> = (0..300)
        .map(|i| {
            let a = i as f32 * 0.02;
            [a.cos(), a.sin(), 0.0]
        })
        .collect();
    let indices = (1..299).flat_map(|i| [0, i, i + 1]).collect();
    MeshAsset {
        normals: vec![[0.0, 0.0, 1.0]; positions.len()],
        positions,
        indices,
        ..MeshAsset::default()
    }
    .encode()
    .unwrap()
}

/// A group with two children drawing the same mesh, one with a blended surface.
fn model() -> ImportedScene {
    let mesh = triangle_mesh();
    let surface = Surface {
        alpha_mode: AlphaMode::Blend,
        opacity: 0.5,
        ..Surface::default()
    }
    .encode();
    let (mesh_id, surface_id) = (AssetId::of(&mesh), AssetId::of(&surface));
    let child = |name: &str, x: f32, surface: Option<AssetId>| ImportedNode {
        name: name.into(),
        parent: Some(0),
        transform: Transform::from_translation(Vec3::X * x),
        shape: Shape::Mesh {
            mesh: mesh_id,
            surface,
        },
        material: Material::default(),
    };
    ImportedScene {
        assets: vec![(mesh_id, mesh), (surface_id, surface)],
        nodes: vec![
            ImportedNode {
                name: "root".into(),
                parent: None,
                transform: Transform {
                    rotation: Quat::from_rotation_y(0.5),
                    ..Transform::IDENTITY
                },
                shape: Shape::Group,
                material: Material::default(),
            },
            child("a", 1.0, None),
            child("b", 2.0, Some(surface_id)),
        ],
        ignored: Vec::new(),
    }
}

#[test]
fn an_import_is_ordinary_nodes_sharing_assets_and_one_undo_step() {
    let mut doc = SceneDoc::with_client_id(1);
    let sphere = doc.add_sphere([0.0; 3], 1.0).unwrap();
    doc.drain_changes();
    let scene = model();
    let roots = doc.import(&scene, None).unwrap();
    assert_eq!(roots.len(), 1);
    let children = doc.children(Some(roots[0].as_str()));
    assert_eq!(children.len(), 2);
    let a = doc.node(children[0].as_str()).unwrap();
    assert_eq!(a.name, "a", "children keep file order");
    assert_eq!(a.parent.as_ref(), Some(&roots[0]));
    let Shape::Mesh { mesh, surface } = a.shape else {
        panic!("{:?}", a.shape)
    };
    assert_eq!(surface, None);
    assert_eq!(doc.asset(&mesh).unwrap(), scene.assets[0].1);
    let b = doc.node(children[1].as_str()).unwrap();
    assert!(matches!(
        b.shape,
        Shape::Mesh {
            surface: Some(_),
            ..
        }
    ));
    let top = doc.children(None);
    assert_eq!(
        top,
        vec![sphere.clone(), roots[0].clone()],
        "imported after what was there"
    );

    let changes = doc.drain_changes();
    let added_assets = changes
        .iter()
        .filter(|c| matches!(c, SceneChange::AssetAdded(_)))
        .count();
    let added_nodes = changes
        .iter()
        .filter(|c| matches!(c, SceneChange::NodeAdded(_)))
        .count();
    assert_eq!((added_assets, added_nodes), (2, 3));

    // A peer gets the model, assets included, from the update.
    let mut peer = SceneDoc::with_client_id(2);
    peer.apply_update_v1(&doc.encode_state_v1()).unwrap();
    assert_eq!(peer.node(children[1].as_str()).unwrap(), b);
    assert_eq!(peer.asset(&mesh).unwrap(), scene.assets[0].1);

    // Importing again stores no asset twice; one undo removes exactly the second import.
    let before = doc.encode_state_v1().len();
    let again = doc.import(&scene, Some(sphere.as_str())).unwrap();
    let growth = doc.encode_state_v1().len() - before;
    assert!(
        growth < scene.asset_bytes(),
        "assets were written again: {growth} bytes"
    );
    assert_eq!(
        doc.node(again[0].as_str()).unwrap().parent.as_ref(),
        Some(&sphere)
    );
    assert!(doc.undo().unwrap());
    assert!(doc.node(again[0].as_str()).is_none());
    assert!(doc.node(roots[0].as_str()).is_some());
    assert!(doc.undo().unwrap());
    assert!(doc.node(roots[0].as_str()).is_none());
    assert!(
        doc.asset(&mesh).is_none(),
        "undoing the first import removes its assets"
    );
    assert!(
        doc.node(sphere.as_str()).is_some(),
        "the sphere was added before"
    );
}

#[test]
fn invalid_models_add_nothing_and_say_why() {
    let mut doc = SceneDoc::with_client_id(1);
    let state = doc.encode_state_v1();
    let cases: Vec<(ImportedScene, &str)> = vec![
        {
            let mut m = model();
            m.assets[0].1.push(0);
            (m, "does not match its bytes")
        },
        {
            let mut m = model();
            m.assets.remove(1);
            (m, "names an asset the import does not hold")
        },
        {
            let mut m = model();
            m.nodes[1].parent = Some(1);
            (m, "parent does not come before it")
        },
        {
            let mut m = model();
            m.nodes[2].transform.translation.x = f32::NAN;
            (m, "translation")
        },
        {
            let mut m = model();
            m.nodes[2].material.metallic = 2.0;
            (m, "material")
        },
        {
            let mut m = model();
            let junk = b"not an asset".to_vec();
            m.assets.push((AssetId::of(&junk), junk));
            (m, "not a mesh, surface or image")
        },
    ];
    for (scene, expected) in cases {
        let err = doc.import(&scene, None).unwrap_err().to_string();
        assert!(err.contains(expected), "{err:?} should say {expected:?}");
        assert_eq!(
            doc.encode_state_v1(),
            state,
            "{expected}: nothing was written"
        );
    }
    let err = doc.import(&model(), Some("nope")).unwrap_err().to_string();
    assert!(err.contains("unknown node id"), "{err}");
    assert!(doc.node_ids().is_empty());
}

#[test]
fn assets_from_a_peer_are_handed_out_only_when_their_bytes_match_their_id() {
    use yrs::{Any, Map, ReadTxn, Transact};
    let mesh = triangle_mesh();
    let id = AssetId::of(&mesh);
    let peer = yrs::Doc::with_client_id(9);
    let assets = peer.get_or_insert_map("assets");
    {
        let mut txn = peer.transact_mut();
        assets.insert(&mut txn, id.to_hex(), Any::Buffer(mesh.clone().into()));
        let forged = AssetId::of(b"forged");
        assets.insert(&mut txn, forged.to_hex(), Any::Buffer(mesh.clone().into()));
        assets.insert(&mut txn, "not-an-id", Any::from("text"));
    }
    let update = peer
        .transact()
        .encode_state_as_update_v1(&yrs::StateVector::default());
    let mut doc = SceneDoc::with_client_id(1);
    doc.apply_update_v1(&update).unwrap();
    assert_eq!(doc.asset(&id), Some(mesh));
    assert_eq!(doc.asset(&AssetId::of(b"forged")), None);
    let added: Vec<_> = doc
        .drain_changes()
        .into_iter()
        .filter_map(|c| match c {
            SceneChange::AssetAdded(id) => Some(id),
            _ => None,
        })
        .collect();
    assert_eq!(
        added.len(),
        2,
        "both well-formed keys are announced: {added:?}"
    );
    assert!(added.contains(&id));
}

/// An asset already handed out (its bytes checked once) is checked again when a peer writes other
/// bytes under its key: the cache of checked assets knows buffers, not keys.
#[test]
fn a_peer_overwriting_a_checked_asset_is_not_handed_out() {
    use yrs::updates::decoder::Decode;
    use yrs::{Any, Map, ReadTxn, Transact};
    let mut doc = SceneDoc::with_client_id(1);
    let roots = doc.import(&model(), None).unwrap();
    let mesh_id = AssetId::of(&triangle_mesh());
    assert_eq!(doc.asset(&mesh_id), Some(triangle_mesh()));
    let peer_doc = yrs::Doc::with_client_id(9);
    peer_doc
        .transact_mut()
        .apply_update(yrs::Update::decode_v1(&doc.encode_state_v1()).unwrap())
        .unwrap();
    let before = peer_doc.transact().state_vector();
    {
        let assets = peer_doc.get_or_insert_map("assets");
        let mut txn = peer_doc.transact_mut();
        assets.insert(
            &mut txn,
            mesh_id.to_hex(),
            Any::Buffer(b"other bytes".to_vec().into()),
        );
    }
    let update = peer_doc.transact().encode_state_as_update_v1(&before);
    doc.apply_update_v1(&update).unwrap();
    assert_eq!(
        doc.asset(&mesh_id),
        None,
        "the new buffer does not match the id"
    );
    assert!(!roots.is_empty());
}

#[test]
fn scene_files_in_either_encoding_carry_the_assets() {
    let mut doc = SceneDoc::with_client_id(1);
    let roots = doc.import(&model(), None).unwrap();
    let child = doc.children(Some(roots[0].as_str()))[0].clone();
    let Shape::Mesh { mesh, .. } = doc.node(child.as_str()).unwrap().shape else {
        panic!()
    };
    for (name, bytes, v2) in [
        ("v1", doc.encode_state_v1(), false),
        ("v2", doc.encode_state_v2(), true),
    ] {
        let mut opened = SceneDoc::with_client_id(2);
        if v2 {
            opened.apply_update_v2(&bytes).unwrap();
        } else {
            opened.apply_update_v1(&bytes).unwrap();
        }
        assert_eq!(opened.asset(&mesh), doc.asset(&mesh), "{name}");
        assert_eq!(opened.snapshot(), doc.snapshot(), "{name}");
    }
}
