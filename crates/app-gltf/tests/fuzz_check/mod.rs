//! The `import_gltf` fuzz target's input format and checks, shared by the cargo-fuzz target
//! (`fuzz/fuzz_targets/import_gltf.rs`) and the native replay (`tests/fuzz_replay.rs`).
//!
//! Input: a selector byte, then the payload. Selector bit 0 clear: the payload is the file (GLB or
//! JSON). Set: the payload is a little-endian u16 JSON length, the JSON, then the binary chunk,
//! packed here into a well-formed GLB, so mutations reach the JSON and the accessors instead of
//! breaking the container.
//!
//! Must hold: `import` returns (never panics, never hangs); on success everything `app-scene`'s
//! import checks holds, and the limits hold.

use std::collections::{HashMap, HashSet};

use app_core::{
    ImageAsset, ImportedScene, MeshAsset, Shape, Surface, check_coordinate, check_emissive,
    check_size, check_unit,
};

/// A GLB file with `json` and, unless empty, `bin` as its chunks.
pub fn pack_glb(json: &[u8], bin: &[u8]) -> Vec<u8> {
    let pad = |bytes: &[u8], with: u8| {
        let mut v = bytes.to_vec();
        while !v.len().is_multiple_of(4) {
            v.push(with);
        }
        v
    };
    let (json, bin) = (pad(json, b' '), pad(bin, 0));
    let mut out = Vec::new();
    out.extend_from_slice(b"glTF");
    out.extend_from_slice(&2u32.to_le_bytes());
    let total = 12 + 8 + json.len() + if bin.is_empty() { 0 } else { 8 + bin.len() };
    out.extend_from_slice(&(total as u32).to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(b"JSON");
    out.extend_from_slice(&json);
    if !bin.is_empty() {
        out.extend_from_slice(&(bin.len() as u32).to_le_bytes());
        out.extend_from_slice(b"BIN\0");
        out.extend_from_slice(&bin);
    }
    out
}

/// The file an input stands for (see the module docs).
pub fn file_of(data: &[u8]) -> Vec<u8> {
    let Some((&selector, payload)) = data.split_first() else {
        return Vec::new();
    };
    if selector & 1 == 0 {
        return payload.to_vec();
    }
    let len = payload
        .get(..2)
        .map_or(0, |b| usize::from(u16::from_le_bytes([b[0], b[1]])));
    let rest = payload.get(2..).unwrap_or_default();
    let (json, bin) = rest.split_at(len.min(rest.len()));
    pack_glb(json, bin)
}

/// An input for `file`: selector 0 and the file.
pub fn input_raw(file: &[u8]) -> Vec<u8> {
    [&[0u8][..], file].concat()
}

/// An input packing `json` and `bin` into a GLB (selector 1).
pub fn input_glb(json: &[u8], bin: &[u8]) -> Vec<u8> {
    let len = u16::try_from(json.len()).expect("JSON under 64 KiB");
    [&[1u8][..], &len.to_le_bytes(), json, bin].concat()
}

/// Imports the input's file and checks the result (see the module docs).
pub fn import_gltf(data: &[u8]) {
    let file = file_of(data);
    if let Ok(scene) = app_gltf::import(&file, &HashMap::new()) {
        check_scene(&scene);
    }
}

/// What every successful import guarantees.
pub fn check_scene(scene: &ImportedScene) {
    assert!(scene.asset_bytes() <= app_gltf::MAX_IMPORT_BYTES);
    assert!(scene.nodes.len() <= app_gltf::MAX_NODES);
    let mut ids = HashSet::new();
    let (mut meshes, mut surfaces, mut images) = (HashSet::new(), HashMap::new(), HashSet::new());
    for (id, bytes) in &scene.assets {
        assert!(id.verify(bytes), "asset {id} does not match its bytes");
        assert!(ids.insert(*id), "asset {id} twice");
        if MeshAsset::decode(bytes).is_ok() {
            meshes.insert(*id);
        } else if let Ok(surface) = Surface::decode(bytes) {
            surfaces.insert(*id, surface);
        } else if ImageAsset::decode(bytes).is_ok() {
            images.insert(*id);
        } else {
            panic!("asset {id} is neither a mesh, a surface nor an image");
        }
    }
    let mut depth: Vec<usize> = Vec::with_capacity(scene.nodes.len());
    for (i, node) in scene.nodes.iter().enumerate() {
        let d = match node.parent {
            Some(p) => {
                assert!(p < i, "node {i}'s parent {p} comes after it");
                depth[p] + 1
            }
            None => 1,
        };
        assert!(d <= app_gltf::MAX_DEPTH + 1, "node {i} is {d} deep");
        depth.push(d);
        assert!(node.name.len() <= app_gltf::MAX_NAME_BYTES);
        let t = node.transform;
        for v in t.translation.to_array() {
            check_coordinate("translation", f64::from(v)).unwrap();
        }
        for v in t.scale.to_array() {
            check_size("scale", f64::from(v)).unwrap();
        }
        assert!(t.rotation.is_finite() && (t.rotation.length() - 1.0).abs() < 1e-3);
        let m = node.material;
        for v in m
            .base_color
            .to_array()
            .into_iter()
            .chain([m.metallic, m.roughness])
        {
            check_unit("material", f64::from(v)).unwrap();
        }
        for v in m.emissive.to_array() {
            check_emissive("emissive", f64::from(v)).unwrap();
        }
        match node.shape {
            Shape::Group => {}
            Shape::Mesh { mesh, surface } => {
                assert!(
                    meshes.contains(&mesh),
                    "node {i}'s mesh is not a mesh asset"
                );
                if let Some(surface) = surface {
                    let s = surfaces
                        .get(&surface)
                        .expect("the node's surface is a surface asset");
                    assert_ne!(*s, Surface::default(), "default surfaces are not stored");
                    for texture in s.textures().into_iter().flatten() {
                        assert!(
                            images.contains(&texture.image),
                            "a texture's image is missing"
                        );
                    }
                }
            }
            other => panic!("node {i} is {other:?}"),
        }
    }
}
