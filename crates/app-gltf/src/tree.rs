//! The node hierarchy: which scene is imported, the order nodes are visited in, and each node's
//! transform.
//!
//! Contract:
//! - The scene imported is `scene` if set, else scene 0 (what three.js shows), else, in a file
//!   without scenes, every node that is nobody's child, in index order.
//! - [`walk`] visits the scene's nodes depth first, parents before children, siblings in file
//!   order, without recursion. A node reached twice (a cycle, or shared by two parents: glTF
//!   requires a forest) or deeper than [`MAX_DEPTH`] levels is an error naming it.
//! - [`transform`] gives TRS or a decomposed `matrix`; NaN or infinite numbers, translations and
//!   scales beyond ±[`WORLD_LIMIT`] are errors naming the node. Zero or tiny scales (below
//!   [`MIN_SIZE`]: how exporters hide parts) are raised to just above it, with a note.
//!   The engine has no negative scales and no shear: a mirroring transform is imported unmirrored
//!   (the sign dropped) and a sheared matrix as its nearest scale-rotation-translation, each with a
//!   note in `ignored`.

use app_core::{MIN_SIZE, Transform, WORLD_LIMIT};
use glam::{Mat4, Quat, Vec3};
use gltf::json;

use crate::MAX_DEPTH;
use crate::error::{ImportError, invalid, lookup};
use crate::output::Ignored;

/// One visited node.
pub(crate) struct Visit {
    /// The glTF node index.
    pub node: usize,
    /// The parent's position in the visit list (always lower).
    pub parent: Option<usize>,
}

/// The root nodes of the scene to import.
fn roots(root: &json::Root, ignored: &mut Ignored) -> Result<Vec<usize>, ImportError> {
    let chosen = match root.scene {
        Some(s) => Some(lookup(&root.scenes, s.value(), "scene", &|| {
            "the default scene".into()
        })?),
        None => root.scenes.first(),
    };
    ignored.count_by(
        "scenes other than the default",
        root.scenes.len().saturating_sub(1),
    );
    if let Some(scene) = chosen {
        return Ok(scene.nodes.iter().map(|n| n.value()).collect());
    }
    let mut is_child = vec![false; root.nodes.len()];
    for node in &root.nodes {
        for child in node.children.iter().flatten() {
            if let Some(flag) = is_child.get_mut(child.value()) {
                *flag = true;
            }
        }
    }
    Ok((0..root.nodes.len())
        .filter(|&i| !is_child.get(i).copied().unwrap_or(true))
        .collect())
}

/// The scene's nodes in import order (see the module docs).
pub(crate) fn walk(root: &json::Root, ignored: &mut Ignored) -> Result<Vec<Visit>, ImportError> {
    let roots = roots(root, ignored)?;
    // For each glTF node: the glTF index of the parent it was first reached from (usize::MAX for a
    // root), once visited.
    let mut first_parent: Vec<Option<usize>> = vec![None; root.nodes.len()];
    let mut visits: Vec<Visit> = Vec::new();
    // (node, parent visit, depth), popped in order: children pushed in reverse.
    let mut stack: Vec<(usize, Option<usize>, usize)> =
        roots.iter().rev().map(|&n| (n, None, 1)).collect();
    while let Some((node, parent, depth)) = stack.pop() {
        let parent_node = parent.and_then(|p| visits.get(p)).map(|v| v.node);
        let referrer = || match parent_node {
            Some(p) => format!("node {p}'s children"),
            None => "the scene's nodes".to_string(),
        };
        let json_node = lookup(&root.nodes, node, "node", &referrer)?;
        match first_parent.get(node).copied().flatten() {
            None => {}
            Some(_) if is_ancestor(&visits, parent, node) => {
                return Err(ImportError::Hierarchy(format!(
                    "node {node} is its own ancestor (a cycle)"
                )));
            }
            Some(first) => {
                let place = |p: usize| {
                    if p == usize::MAX {
                        "a root of the scene".to_string()
                    } else {
                        format!("a child of node {p}")
                    }
                };
                return Err(ImportError::Hierarchy(format!(
                    "node {node} is reached twice, as {} and as {} (glTF nodes form a tree)",
                    place(first),
                    place(parent_node.unwrap_or(usize::MAX))
                )));
            }
        }
        if depth > MAX_DEPTH {
            return Err(ImportError::Hierarchy(format!(
                "node {node} is {depth} levels deep; the limit is {MAX_DEPTH}"
            )));
        }
        if let Some(slot) = first_parent.get_mut(node) {
            *slot = Some(parent_node.unwrap_or(usize::MAX));
        }
        let me = visits.len();
        visits.push(Visit { node, parent });
        for child in json_node.children.iter().flatten().rev() {
            stack.push((child.value(), Some(me), depth + 1));
        }
    }
    let outside = root.nodes.len().saturating_sub(visits.len());
    ignored.count_by("nodes outside the imported scene", outside);
    Ok(visits)
}

/// Whether glTF node `node` is the node of visit `from` or one of its ancestors.
fn is_ancestor(visits: &[Visit], from: Option<usize>, node: usize) -> bool {
    let mut at = from;
    // Each step moves to a lower visit index, so this ends.
    while let Some(v) = at.and_then(|i| visits.get(i)) {
        if v.node == node {
            return true;
        }
        at = v.parent;
    }
    false
}

/// Node `index`'s transform (see the module docs).
pub(crate) fn transform(
    index: usize,
    node: &json::Node,
    ignored: &mut Ignored,
) -> Result<Transform, ImportError> {
    let who = format!("node {index}");
    let bad = |what: String| invalid(format!("{who}: {what}"));
    let (translation, rotation, scale) = match node.matrix {
        Some(m) => {
            if !m.iter().all(|v| v.is_finite()) {
                return Err(bad("matrix holds a number that is not finite".into()));
            }
            let matrix = Mat4::from_cols_array(&m);
            let (scale, rotation, translation) = matrix.to_scale_rotation_translation();
            // A zero scale leaves no rotation to recover: the node is hidden anyway.
            let rotation = if rotation.is_finite() && rotation.length() > 1e-6 {
                rotation
            } else {
                Quat::IDENTITY
            };
            let scale = check_scale(&who, scale, ignored)?;
            let rebuilt = Mat4::from_scale_rotation_translation(scale, rotation, translation);
            let tolerance = 1e-4 * scale.abs().max_element().max(1.0);
            let sheared = !rebuilt.abs_diff_eq(matrix, tolerance)
                || m[3] != 0.0
                || m[7] != 0.0
                || m[11] != 0.0
                || m[15] != 1.0;
            if sheared {
                ignored.named("shear or projection in node matrices", who.clone());
            }
            (translation, rotation, scale)
        }
        None => {
            let translation = Vec3::from(node.translation.unwrap_or([0.0; 3]));
            let rotation = node.rotation.as_ref().map_or([0.0, 0.0, 0.0, 1.0], |r| r.0);
            let scale = Vec3::from(node.scale.unwrap_or([1.0; 3]));
            if !translation.is_finite() {
                return Err(bad(format!("translation {translation} is not finite")));
            }
            if !rotation.iter().all(|v| v.is_finite()) {
                return Err(bad(format!("rotation {rotation:?} is not finite")));
            }
            if !scale.is_finite() {
                return Err(bad(format!("scale {scale} is not finite")));
            }
            let scale = check_scale(&who, scale, ignored)?;
            (translation, Quat::from_array(rotation), scale)
        }
    };
    checked_trs(&who, translation, rotation, scale, ignored)
}

/// A transform from finite parts whose scale went through [`check_scale`]: the translation within
/// the world limit, the rotation normalized, a mirroring scale made positive (noted). `who` names
/// the glTF object in messages and notes ("node 3", "node 3 instance 7").
pub(crate) fn checked_trs(
    who: &str,
    translation: Vec3,
    rotation: Quat,
    scale: Vec3,
    ignored: &mut Ignored,
) -> Result<Transform, ImportError> {
    let bad = |what: String| invalid(format!("{who}: {what}"));
    if let Some(t) = translation
        .to_array()
        .into_iter()
        .find(|t| f64::from(t.abs()) > WORLD_LIMIT)
    {
        return Err(bad(format!(
            "translation {t} is beyond the world limit ±{WORLD_LIMIT}"
        )));
    }
    // Normalized here: files round their quaternions, and a degenerate matrix decomposes to one.
    let length = rotation.length();
    if !(length.is_finite() && length > 1e-6) {
        return Err(bad(format!("rotation {rotation} is not a unit quaternion")));
    }
    let rotation = rotation / length;
    if scale.min_element() < 0.0 {
        ignored.named(
            "mirroring (negative scale), imported unmirrored",
            who.to_string(),
        );
    }
    Ok(Transform {
        translation,
        rotation,
        scale: scale.abs(),
    })
}

/// `scale`, checked: a component beyond the world limit is an error naming `who`. A zero or tiny
/// component (below [`MIN_SIZE`], which the engine cannot hold) is how exporters hide objects (FBX2glTF,
/// Blender, Maya; and 16-bit quantized tiny parts): it is raised to just above the smallest size, so
/// the node imports, invisibly small as meant, and the rest of the model with it; noted in `ignored`.
pub(crate) fn check_scale(
    who: &str,
    scale: Vec3,
    ignored: &mut Ignored,
) -> Result<Vec3, ImportError> {
    if let Some(s) = scale
        .to_array()
        .into_iter()
        .find(|s| f64::from(s.abs()) > WORLD_LIMIT)
    {
        return Err(invalid(format!(
            "{who}: scale {s} is beyond the world limit ±{WORLD_LIMIT}"
        )));
    }
    // The smallest f32 at or above MIN_SIZE (1e-6 itself rounds below it in f32).
    let smallest = f32::from_bits((MIN_SIZE as f32).to_bits() + 1);
    if scale.abs().min_element() >= smallest {
        return Ok(scale);
    }
    ignored.named(
        "zero or tiny scales, raised to 1e-6 (hidden parts stay invisibly small)",
        who.to_string(),
    );
    Ok(Vec3::from(scale.to_array().map(|s| {
        if s.abs() >= smallest {
            s
        } else if s < 0.0 {
            -smallest
        } else {
            smallest
        }
    })))
}
