//! `EXT_mesh_gpu_instancing`: a node that draws its mesh once per instance, each instance placed by a
//! translation, rotation and scale read from accessors, in the node's own space (the node's transform
//! applies on top; its children are not instanced). gltfpack, Blender (4.x, "GPU instances") and
//! CesiumJS tooling write it for forests, crowds and repeated parts.
//!
//! Contract:
//! - [`instances`] returns the instance transforms of a node that has a mesh and the extension, or
//!   `None` (no extension, or no mesh: the extension instances a mesh only). Every accessor is read
//!   with the importer's bounds checks; the attributes must agree on the count, which is at most
//!   [`crate::MAX_NODES`] before anything is read. Each transform is checked as a node's is (finite,
//!   within the world limit, rotation normalized, tiny scales raised and mirroring dropped, noted
//!   naming "node N instance K").
//! - The engine draws every copy of one mesh as one instanced draw already, so the caller turns each
//!   instance into an ordinary node under the instanced node: instances can then be picked, moved and
//!   hidden one by one, and synced like any node. Custom attributes (`_ID`, `_FEATURE_ID_0`, …) are
//!   not read (noted).

use app_core::Transform;
use glam::{Quat, Vec3};
use gltf::json;

use crate::MAX_NODES;
use crate::accessor::{self, Role};
use crate::error::{ImportError, excerpt, invalid};
use crate::output::Ignored;
use crate::source::Source;
use crate::tree;

/// The extension's name.
pub(crate) const EXTENSION: &str = "EXT_mesh_gpu_instancing";

/// The instance transforms of node `index` (see the module docs).
pub(crate) fn instances(
    src: &Source<'_>,
    index: usize,
    node: &json::Node,
    ignored: &mut Ignored,
) -> Result<Option<Vec<Transform>>, ImportError> {
    let Some(ext) = node
        .extensions
        .as_ref()
        .and_then(|e| e.others.get(EXTENSION))
    else {
        return Ok(None);
    };
    if node.mesh.is_none() {
        return Ok(None);
    }
    let who = || format!("node {index}'s {EXTENSION}");
    let attributes = ext
        .get("attributes")
        .and_then(|a| a.as_object())
        .ok_or_else(|| invalid(format!("{} has no attributes object", who())))?;
    let read = |name: &str, role: Role| -> Result<Option<accessor::Values<f32>>, ImportError> {
        let Some(value) = attributes.get(name) else {
            return Ok(None);
        };
        let accessor = value
            .as_u64()
            .and_then(|a| usize::try_from(a).ok())
            .ok_or_else(|| invalid(format!("{}: {name} is not an accessor index", who())))?;
        accessor::read_floats(src, accessor, role, MAX_NODES, &who).map(Some)
    };
    let translations = read("TRANSLATION", Role::Translation)?;
    let rotations = read("ROTATION", Role::Rotation)?;
    let scales = read("SCALE", Role::Scale)?;
    for name in attributes.keys() {
        if !matches!(name.as_str(), "TRANSLATION" | "ROTATION" | "SCALE") {
            ignored.named(
                "instance attributes other than TRANSLATION, ROTATION and SCALE",
                excerpt(name, 40),
            );
        }
    }
    let counts: Vec<(&str, usize)> = [
        ("TRANSLATION", &translations),
        ("ROTATION", &rotations),
        ("SCALE", &scales),
    ]
    .into_iter()
    .filter_map(|(name, values)| {
        let v = values.as_ref()?;
        Some((name, v.data.len() / v.components.max(1)))
    })
    .collect();
    let Some(&(_, count)) = counts.first() else {
        // Nothing places the instances: the node draws its mesh once, as without the extension.
        ignored.named(
            "instancing without TRANSLATION, ROTATION or SCALE",
            format!("node {index}"),
        );
        return Ok(None);
    };
    if let Some((name, other)) = counts.iter().find(|(_, c)| *c != count) {
        return Err(invalid(format!(
            "{}: {name} has {other} elements, but {} has {count}",
            who(),
            counts[0].0
        )));
    }
    let element = |values: &Option<accessor::Values<f32>>, k: usize, n: usize| {
        values
            .as_ref()
            .and_then(|v| v.data.get(k * n..k * n + n))
            .map(<[f32]>::to_vec)
    };
    let mut transforms = Vec::with_capacity(count);
    for k in 0..count {
        let instance = format!("node {index} instance {k}");
        let translation = element(&translations, k, 3).map_or(Vec3::ZERO, |t| Vec3::from_slice(&t));
        let rotation = element(&rotations, k, 4).map_or(Quat::IDENTITY, |r| Quat::from_slice(&r));
        let scale = element(&scales, k, 3).map_or(Vec3::ONE, |s| Vec3::from_slice(&s));
        let scale = tree::check_scale(&instance, scale, ignored)?;
        transforms.push(tree::checked_trs(
            &instance,
            translation,
            rotation,
            scale,
            ignored,
        )?);
    }
    Ok(Some(transforms))
}
