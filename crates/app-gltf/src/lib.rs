//! glTF 2.0 importer: the bytes of a `.glb` or `.gltf` file (plus the external files it names) to an
//! [`ImportedScene`] of content-addressed assets and plain nodes, ready for `app-scene` to write in
//! one transaction. Plain Rust: no I/O, no image decoding, no GPU.
//!
//! Contract:
//! - [`import`] never panics and never allocates for a count it has not checked: every accessor,
//!   view, buffer, index and image is bounds-checked, every count against the engine's limits and
//!   the import's size limit ([`MAX_IMPORT_BYTES`]) before anything is decoded. Any problem is an
//!   [`ImportError`] whose message names the glTF object; an import is all or nothing.
//! - The result: one [`ImportedNode`] per glTF node of the imported scene, parents before children
//!   (siblings in file order). A node without a mesh is a [`Shape::Group`]; a node whose mesh has
//!   one drawable primitive is a [`Shape::Mesh`]; a node whose mesh has several is a group with one
//!   child per primitive (`"<mesh name> <i>"`, identity transform). A node whose mesh is instanced
//!   (`EXT_mesh_gpu_instancing`) is a group with one such node per instance under it
//!   (`"<name> <k>"`, the instance's transform). Assets (meshes, surfaces, images) appear once each,
//!   within [`MAX_IMPORT_BYTES`] in all.
//! - What the file holds that the engine does not draw (animations, skins, cameras, lights, points
//!   and lines, morph targets, extra texture coordinates, …) is listed in
//!   [`ImportedScene::ignored`], one entry per kind. Extensions in `extensionsRequired` other than
//!   [`SUPPORTED_EXTENSIONS`] and [`OPTIONAL_CONTENT_EXTENSIONS`] refuse the import.
//!
//! See README.md for what is supported and why each dependency is here.

mod accessor;
mod error;
mod geometry;
mod instancing;
mod lenient;
mod material;
mod meshopt;
mod output;
mod source;
mod spec_gloss;
mod tangents;
mod tree;

use std::collections::HashMap;

use app_core::{AssetId, ImportedNode, ImportedScene, Material, Shape, Surface, Transform};
use gltf::json;
use gltf::json::mesh::Mode;
use gltf::json::validation::Checked;

pub use error::ImportError;
pub use source::{OPTIONAL_CONTENT_EXTENSIONS, SUPPORTED_EXTENSIONS};

use error::invalid;
use material::Materials;
use output::Output;
use source::Source;

/// Most encoded asset bytes one import may produce (meshes, surfaces and images together): 31 MiB,
/// what the document accepts in one import (the sync layer's 32 MiB message limit less room for the
/// nodes). Bigger models are refused with an error naming this limit.
pub use app_core::MAX_IMPORT_BYTES;

/// Deepest glTF node hierarchy accepted: a chain of 64 nodes (a root is level 1). A node at the
/// deepest level whose mesh has several primitives adds one more level of imported nodes.
pub const MAX_DEPTH: usize = 64;

/// Most nodes one import may produce (glTF nodes plus one per primitive of multi-primitive meshes),
/// the number `app-scene` accepts in one import.
pub const MAX_NODES: usize = 100_000;

/// Longest node name kept, in bytes (longer names are cut at a character boundary): the document's
/// name limit.
pub const MAX_NAME_BYTES: usize = 1024;

/// Imports a glTF 2.0 model.
///
/// `bytes` is a GLB file or glTF JSON. `resources` holds the external files the model names by
/// relative URI (buffers `.bin`, images), keyed by the URI as written in the file or percent-decoded
/// (`"textures/wood%20grain.png"` or `"textures/wood grain.png"`); `data:` URIs need nothing there.
/// A URI missing from `resources` is an error naming it.
pub fn import(
    bytes: &[u8],
    resources: &HashMap<String, Vec<u8>>,
) -> Result<ImportedScene, ImportError> {
    let src = source::parse(bytes, resources)?;
    let mut importer = Importer {
        src: &src,
        out: Output::default(),
        materials: Materials::default(),
        primitives: HashMap::new(),
    };
    note_unsupported(&src.root, &mut importer.out);
    let visits = tree::walk(&src.root, &mut importer.out.ignored)?;
    let mut nodes: Vec<ImportedNode> = Vec::with_capacity(visits.len());
    // Visit position → position in `nodes` (a visit may be followed by its primitive children).
    let mut placed: Vec<usize> = Vec::with_capacity(visits.len());
    for visit in &visits {
        let node = error::lookup(&src.root.nodes, visit.node, "node", &|| "the scene".into())?;
        let parent = match visit.parent {
            // Parents are visited, and placed, before their children.
            Some(p) => Some(
                *placed
                    .get(p)
                    .ok_or_else(|| invalid("internal: parent not placed"))?,
            ),
            None => None,
        };
        let transform = tree::transform(visit.node, node, &mut importer.out.ignored)?;
        let mesh = match node.mesh {
            Some(m) => {
                let what = || format!("node {}", visit.node);
                Some((
                    m.value(),
                    error::lookup(&src.root.meshes, m.value(), "mesh", &what)?,
                ))
            }
            None => None,
        };
        let name = node
            .name
            .as_deref()
            .or_else(|| mesh.and_then(|(_, m)| m.name.as_deref()))
            .unwrap_or_default();
        let drawn = match mesh {
            Some((index, mesh)) => importer.mesh(index, mesh)?,
            None => Vec::new(),
        };
        let instances = instancing::instances(&src, visit.node, node, &mut importer.out.ignored)?;
        let me = nodes.len();
        placed.push(me);
        // "<mesh name> <i>", else the node's name, else "primitive <i>".
        let primitive_base = mesh
            .and_then(|(_, m)| m.name.as_deref())
            .filter(|n| !n.is_empty())
            .unwrap_or(name);
        let primitive_base = if primitive_base.is_empty() {
            "primitive"
        } else {
            primitive_base
        };
        match instances {
            None => place_drawn(
                &mut nodes,
                cap(name, MAX_NAME_BYTES),
                parent,
                transform,
                &drawn,
                primitive_base,
            ),
            Some(instances) => {
                // The instanced node is a group in its place; each instance a node under it, drawn
                // as the node would be ("<name> <k>"), so glTF children keep the node as parent.
                nodes.push(ImportedNode {
                    name: cap(name, MAX_NAME_BYTES),
                    parent,
                    transform,
                    shape: Shape::Group,
                    material: Material::default(),
                });
                let base = if name.is_empty() {
                    primitive_base
                } else {
                    name
                };
                for (k, instance) in instances.into_iter().enumerate() {
                    let instance_name = format!("{} {k}", cap(base, MAX_NAME_BYTES - 21));
                    place_drawn(
                        &mut nodes,
                        instance_name,
                        Some(me),
                        instance,
                        &drawn,
                        primitive_base,
                    );
                    if nodes.len() > MAX_NODES {
                        break;
                    }
                }
            }
        }
        if nodes.len() > MAX_NODES {
            return Err(invalid(format!(
                "the model has more than {MAX_NODES} nodes (counting one per primitive of meshes with \
                 several, and one per instance of instanced meshes)"
            )));
        }
    }
    Ok(ImportedScene {
        assets: importer.out.assets,
        nodes,
        ignored: importer.out.ignored.into_strings(),
    })
}

/// Pushes one node that draws `drawn`: the shape itself when it is one primitive, else a group with a
/// child per primitive ("<primitive_base> <i>", identity transform).
fn place_drawn(
    nodes: &mut Vec<ImportedNode>,
    name: String,
    parent: Option<usize>,
    transform: Transform,
    drawn: &[(usize, Shape, Material)],
    primitive_base: &str,
) {
    let me = nodes.len();
    let single = match drawn {
        [(_, shape, material)] => Some((*shape, *material)),
        _ => None,
    };
    let (shape, material) = single.unwrap_or((Shape::Group, Material::default()));
    nodes.push(ImportedNode {
        name,
        parent,
        transform,
        shape,
        material,
    });
    if single.is_none() {
        for &(i, shape, material) in drawn {
            nodes.push(ImportedNode {
                // Room for the index: sibling names stay distinct.
                name: format!("{} {i}", cap(primitive_base, MAX_NAME_BYTES - 21)),
                parent: Some(me),
                transform: Transform::IDENTITY,
                shape,
                material,
            });
        }
    }
}

/// Import state shared by every node.
struct Importer<'s, 'a> {
    src: &'s Source<'a>,
    out: Output,
    materials: Materials,
    /// (mesh, primitive) → what it draws as, or `None` when it draws nothing.
    primitives: HashMap<(usize, usize), Option<(Shape, Material)>>,
}

impl Importer<'_, '_> {
    /// The drawable primitives of mesh `index`: (primitive index, shape, material).
    fn mesh(
        &mut self,
        index: usize,
        mesh: &json::Mesh,
    ) -> Result<Vec<(usize, Shape, Material)>, ImportError> {
        let mut drawn = Vec::new();
        for (p, prim) in mesh.primitives.iter().enumerate() {
            let done = match self.primitives.get(&(index, p)) {
                Some(done) => *done,
                None => {
                    let done = self.primitive(index, p, prim)?;
                    self.primitives.insert((index, p), done);
                    done
                }
            };
            if let Some((shape, material)) = done {
                drawn.push((p, shape, material));
            }
        }
        Ok(drawn)
    }

    /// Primitive `p` of mesh `mesh` as a mesh shape and material, or `None` (with a note) when it
    /// draws nothing.
    fn primitive(
        &mut self,
        mesh: usize,
        p: usize,
        prim: &json::mesh::Primitive,
    ) -> Result<Option<(Shape, Material)>, ImportError> {
        let (src, out) = (self.src, &mut self.out);
        let what = || format!("mesh {mesh} primitive {p}");
        match prim.mode {
            Checked::Valid(Mode::Triangles | Mode::TriangleStrip | Mode::TriangleFan) => {}
            Checked::Valid(_) => {
                out.ignored.count("points/lines primitives");
                return Ok(None);
            }
            Checked::Invalid => return Err(invalid(format!("{}: unknown mode", what()))),
        }
        let positions = Checked::Valid(json::mesh::Semantic::Positions);
        if !prim.attributes.contains_key(&positions) {
            // Valid glTF: "client implementations SHOULD skip primitive's rendering unless its
            // positions are provided by other means" (none are, here).
            out.ignored.count("primitives without POSITION");
            return Ok(None);
        }
        if prim.targets.as_ref().is_some_and(|t| !t.is_empty()) {
            out.ignored.count("morph targets");
        }
        for semantic in prim.attributes.keys() {
            use json::mesh::Semantic;
            match semantic {
                Checked::Valid(
                    Semantic::Positions
                    | Semantic::Normals
                    | Semantic::Tangents
                    | Semantic::TexCoords(0)
                    | Semantic::Colors(0)
                    | Semantic::Joints(_)
                    | Semantic::Weights(_),
                ) => {}
                Checked::Valid(other) => out.ignored.named("vertex attributes", other.to_string()),
                Checked::Invalid => out.ignored.count("vertex attributes with unknown names"),
            }
        }
        let resolved = self
            .materials
            .resolve(src, out, prim.material.map(|m| m.value()), &what)?;
        let mut surface = resolved.surface;
        let has_uvs = prim
            .attributes
            .contains_key(&Checked::Valid(json::mesh::Semantic::TexCoords(0)));
        if surface.normal.is_some() && !has_uvs {
            out.ignored
                .named("normal maps on meshes without texture coordinates", what());
            surface.normal = None;
            surface.normal_scale = Surface::default().normal_scale;
        }
        let Some(mesh_asset) = geometry::build(src, out, mesh, p, prim, surface.normal.is_some())?
        else {
            out.ignored.count("primitives without triangles");
            return Ok(None);
        };
        let encoded = mesh_asset
            .encode()
            .map_err(|e| invalid(format!("{}: {e}", what())))?;
        drop(mesh_asset);
        let mesh_id = out.add(encoded, &what)?;
        let surface_id: Option<AssetId> = if surface == Surface::default() {
            None
        } else {
            self.materials.add_images(out, &surface)?;
            Some(out.add(surface.encode(), &what)?)
        };
        Ok(Some((
            Shape::Mesh {
                mesh: mesh_id,
                surface: surface_id,
            },
            resolved.material,
        )))
    }
}

/// Notes the kinds of content the engine does not import at all.
fn note_unsupported(root: &json::Root, out: &mut Output) {
    let ignored = &mut out.ignored;
    ignored.count_by("animations", root.animations.len());
    ignored.count_by("skins", root.skins.len());
    ignored.count_by("cameras", root.cameras.len());
    for ext in &root.extensions_used {
        // The supported ones are read; every other one is skipped.
        if !SUPPORTED_EXTENSIONS.contains(&ext.as_str()) {
            ignored.flag(&error::excerpt(ext, 100));
        }
    }
}

/// `name` cut to at most `max` bytes at a character boundary.
fn cap(name: &str, max: usize) -> String {
    let mut end = name.len().min(max);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name.get(..end).unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cut_at_a_char_boundary() {
        assert_eq!(cap("box", MAX_NAME_BYTES), "box");
        let long = "é".repeat(1000);
        let cut = cap(&long, MAX_NAME_BYTES);
        assert_eq!(cut.len(), 1024);
        assert!(cut.chars().all(|c| c == 'é'));
        let odd = format!("a{}", "é".repeat(1000));
        assert_eq!(cap(&odd, MAX_NAME_BYTES).len(), 1023);
    }
}
