//! A small glTF builder for the tests: binary data appended to one buffer, buffer views and
//! accessors over it, the rest of the JSON written with `serde_json::json!`, packed as GLB or as
//! JSON with the buffer in a `data:` URI.

#![allow(dead_code)]

pub mod meshopt_encode;

use std::collections::HashMap;

use app_core::{AssetId, ImportedScene, MeshAsset, Shape, Surface};
use serde_json::{Value, json};

pub const FLOAT: u32 = 5126;
pub const BYTE: u32 = 5120;
pub const UNSIGNED_BYTE: u32 = 5121;
pub const SHORT: u32 = 5122;
pub const UNSIGNED_SHORT: u32 = 5123;
pub const UNSIGNED_INT: u32 = 5125;

/// Buffer bytes, buffer views and accessors under construction.
#[derive(Default)]
pub struct Builder {
    pub bin: Vec<u8>,
    pub views: Vec<Value>,
    pub accessors: Vec<Value>,
}

pub fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

pub fn u16_bytes(values: &[u16]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

pub fn u32_bytes(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

pub fn i16_bytes(values: &[i16]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

impl Builder {
    /// Appends `bytes` (4-byte aligned) as a new buffer view; returns its index.
    pub fn view(&mut self, bytes: &[u8], stride: Option<usize>) -> usize {
        while !self.bin.len().is_multiple_of(4) {
            self.bin.push(0);
        }
        let mut view =
            json!({"buffer": 0, "byteOffset": self.bin.len(), "byteLength": bytes.len()});
        if let Some(stride) = stride {
            view["byteStride"] = json!(stride);
        }
        self.bin.extend_from_slice(bytes);
        self.views.push(view);
        self.views.len() - 1
    }

    /// Adds an accessor; returns its index.
    pub fn accessor(&mut self, accessor: Value) -> usize {
        self.accessors.push(accessor);
        self.accessors.len() - 1
    }

    /// A tightly packed accessor over a new view.
    pub fn packed(
        &mut self,
        bytes: &[u8],
        component: u32,
        count: usize,
        ty: &str,
        normalized: bool,
    ) -> usize {
        let view = self.view(bytes, None);
        self.accessor(json!({
            "bufferView": view, "componentType": component, "count": count, "type": ty,
            "normalized": normalized
        }))
    }

    pub fn vec3(&mut self, values: &[[f32; 3]]) -> usize {
        let flat: Vec<f32> = values.iter().flatten().copied().collect();
        let index = self.packed(&f32_bytes(&flat), FLOAT, values.len(), "VEC3", false);
        // POSITION accessors carry min and max in real files.
        let (mut lo, mut hi) = ([f32::MAX; 3], [f32::MIN; 3]);
        for v in values {
            for k in 0..3 {
                lo[k] = lo[k].min(v[k]);
                hi[k] = hi[k].max(v[k]);
            }
        }
        if !values.is_empty() {
            self.accessors[index]["min"] = json!(lo);
            self.accessors[index]["max"] = json!(hi);
        }
        index
    }

    pub fn vec2(&mut self, values: &[[f32; 2]]) -> usize {
        let flat: Vec<f32> = values.iter().flatten().copied().collect();
        self.packed(&f32_bytes(&flat), FLOAT, values.len(), "VEC2", false)
    }

    pub fn indices_u16(&mut self, values: &[u16]) -> usize {
        self.packed(
            &u16_bytes(values),
            UNSIGNED_SHORT,
            values.len(),
            "SCALAR",
            false,
        )
    }

    pub fn indices_u32(&mut self, values: &[u32]) -> usize {
        self.packed(
            &u32_bytes(values),
            UNSIGNED_INT,
            values.len(),
            "SCALAR",
            false,
        )
    }

    pub fn indices_u8(&mut self, values: &[u8]) -> usize {
        self.packed(values, UNSIGNED_BYTE, values.len(), "SCALAR", false)
    }

    /// `doc` with this builder's buffer, views and accessors added (the buffer without a URI).
    pub fn document(&self, mut doc: Value) -> Value {
        if doc.get("asset").is_none() {
            doc["asset"] = json!({"version": "2.0"});
        }
        doc["buffers"] = json!([{"byteLength": self.bin.len()}]);
        doc["bufferViews"] = Value::Array(self.views.clone());
        doc["accessors"] = Value::Array(self.accessors.clone());
        doc
    }

    /// `doc` as GLB with this builder's data in the BIN chunk.
    pub fn glb(&self, doc: Value) -> Vec<u8> {
        glb(&self.document(doc), Some(&self.bin))
    }

    /// `doc` as glTF JSON with this builder's data in a base64 `data:` URI.
    pub fn gltf(&self, doc: Value) -> Vec<u8> {
        let mut doc = self.document(doc);
        doc["buffers"][0]["uri"] = json!(data_uri("application/octet-stream", &self.bin));
        serde_json::to_vec(&doc).unwrap()
    }
}

/// A GLB file: 12-byte header, the JSON chunk (space-padded), the BIN chunk (zero-padded).
pub fn glb(doc: &Value, bin: Option<&[u8]>) -> Vec<u8> {
    glb_text(&serde_json::to_string(doc).unwrap(), bin)
}

/// A GLB file whose JSON chunk is `json` as written (for text serde_json would not write).
pub fn glb_text(json: &str, bin: Option<&[u8]>) -> Vec<u8> {
    let mut json = json.as_bytes().to_vec();
    while !json.len().is_multiple_of(4) {
        json.push(b' ');
    }
    let mut chunks = Vec::new();
    chunks.extend_from_slice(&(json.len() as u32).to_le_bytes());
    chunks.extend_from_slice(b"JSON");
    chunks.extend_from_slice(&json);
    if let Some(bin) = bin {
        let mut bin = bin.to_vec();
        while !bin.len().is_multiple_of(4) {
            bin.push(0);
        }
        chunks.extend_from_slice(&(bin.len() as u32).to_le_bytes());
        chunks.extend_from_slice(b"BIN\0");
        chunks.extend_from_slice(&bin);
    }
    let mut out = b"glTF".to_vec();
    out.extend_from_slice(&2u32.to_le_bytes());
    out.extend_from_slice(&((12 + chunks.len()) as u32).to_le_bytes());
    out.extend_from_slice(&chunks);
    out
}

pub fn data_uri(mime: &str, bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut text = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                text.push(TABLE[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                text.push('=');
            }
        }
    }
    format!("data:{mime};base64,{text}")
}

/// The first bytes of a PNG file of the given size (enough for the importer's header check).
pub fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    b.extend_from_slice(&width.to_be_bytes());
    b.extend_from_slice(&height.to_be_bytes());
    b.extend_from_slice(&[8, 6, 0, 0, 0]);
    b
}

/// A unit quad in the XY plane facing +Z, two triangles, with uvs (image upright).
pub const QUAD_POSITIONS: [[f32; 3]; 4] = [
    [0.0, 0.0, 0.0],
    [1.0, 0.0, 0.0],
    [1.0, 1.0, 0.0],
    [0.0, 1.0, 0.0],
];
pub const QUAD_UVS: [[f32; 2]; 4] = [[0.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.0, 0.0]];
pub const QUAD_INDICES: [u16; 6] = [0, 1, 2, 0, 2, 3];

/// A one-node, one-mesh document around `primitive`.
pub fn one_mesh(primitive: Value) -> Value {
    json!({
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "name": "quad"}],
        "meshes": [{"name": "quad mesh", "primitives": [primitive]}]
    })
}

pub fn import(bytes: &[u8]) -> Result<ImportedScene, app_gltf::ImportError> {
    app_gltf::import(bytes, &HashMap::new())
}

pub fn import_ok(bytes: &[u8]) -> ImportedScene {
    import(bytes).unwrap_or_else(|e| panic!("import failed: {e}"))
}

/// The error message of a failing import.
pub fn import_err(bytes: &[u8]) -> String {
    match import(bytes) {
        Ok(scene) => panic!("import succeeded: {} nodes", scene.nodes.len()),
        Err(e) => e.to_string(),
    }
}

pub fn asset<'a>(scene: &'a ImportedScene, id: &AssetId) -> &'a [u8] {
    &scene
        .assets
        .iter()
        .find(|(a, _)| a == id)
        .expect("asset present")
        .1
}

/// The mesh and surface of node `index` (which must be a mesh).
pub fn mesh_of(scene: &ImportedScene, index: usize) -> (MeshAsset, Option<Surface>) {
    match scene.nodes[index].shape {
        Shape::Mesh { mesh, surface } => (
            MeshAsset::decode(asset(scene, &mesh)).unwrap(),
            surface.map(|s| Surface::decode(asset(scene, &s)).unwrap()),
        ),
        other => panic!("node {index} is {other:?}"),
    }
}
