//! Scene nodes as plain values: what the document holds, decoded and validated.

use glam::{Mat4, Quat, Vec3};

use crate::{AssetId, NodeId};

/// Placement of a node relative to its parent (or the world, for a root node).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transform {
    /// Translation, in parent space.
    pub translation: Vec3,
    /// Rotation; kept normalised by every writer.
    pub rotation: Quat,
    /// Per-axis scale.
    pub scale: Vec3,
}

impl Default for Transform {
    fn default() -> Self {
        Self::IDENTITY
    }
}

impl Transform {
    /// No translation, rotation or scale.
    pub const IDENTITY: Self = Self {
        translation: Vec3::ZERO,
        rotation: Quat::IDENTITY,
        scale: Vec3::ONE,
    };

    /// A pure translation.
    pub fn from_translation(translation: Vec3) -> Self {
        Self {
            translation,
            ..Self::IDENTITY
        }
    }

    /// The matrix taking points in this node's space to its parent's space.
    pub fn parent_from_local(&self) -> Mat4 {
        Mat4::from_scale_rotation_translation(self.scale, self.rotation, self.translation)
    }
}

/// Surface description: metallic-roughness PBR, as in glTF.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Material {
    /// Linear RGB, each 0..=1.
    pub base_color: Vec3,
    /// 0 = dielectric, 1 = metal.
    pub metallic: f32,
    /// 0 = mirror, 1 = fully rough.
    pub roughness: f32,
    /// Linear RGB light emitted (HDR radiance, not a color: it may exceed 1), each
    /// 0..=[`crate::MAX_EMISSIVE`], scaled by the renderer's exposure.
    pub emissive: Vec3,
}

impl Default for Material {
    fn default() -> Self {
        Self {
            base_color: Vec3::new(0.8, 0.8, 0.8),
            metallic: 0.0,
            roughness: 0.5,
            emissive: Vec3::ZERO,
        }
    }
}

/// What kind of node this is: a built-in shape (drawn with a shared built-in mesh), an imported mesh,
/// or a group that only places its children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ShapeKind {
    /// A unit sphere scaled by the radius.
    Sphere,
    /// A unit cube scaled by the extents.
    Box,
    /// A horizontal unit square (facing +Y) scaled by the size.
    Plane,
    /// A mesh asset with an optional surface asset (imported content).
    Mesh,
    /// Nothing drawn: a node that groups and places its children.
    Group,
}

impl ShapeKind {
    /// Every kind, in a fixed order.
    pub const ALL: [ShapeKind; 5] = [
        ShapeKind::Sphere,
        ShapeKind::Box,
        ShapeKind::Plane,
        ShapeKind::Mesh,
        ShapeKind::Group,
    ];

    /// The kinds drawn with a built-in mesh (the renderer generates one mesh asset per entry).
    pub const BUILT_IN: [ShapeKind; 3] = [ShapeKind::Sphere, ShapeKind::Box, ShapeKind::Plane];

    /// The name stored in the document's `kind` field.
    pub fn as_str(self) -> &'static str {
        match self {
            ShapeKind::Sphere => "sphere",
            ShapeKind::Box => "box",
            ShapeKind::Plane => "plane",
            ShapeKind::Mesh => "mesh",
            ShapeKind::Group => "group",
        }
    }

    /// Parses a document `kind` field.
    pub fn parse(kind: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == kind)
    }
}

/// A primitive shape and its size parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    /// Sphere of the given radius (> 0).
    Sphere {
        /// Radius, > 0.
        radius: f32,
    },
    /// Box of the given full extents (each > 0).
    Box {
        /// Full size along x, y, z.
        extents: Vec3,
    },
    /// Horizontal square of the given side length (> 0).
    Plane {
        /// Side length, > 0.
        size: f32,
    },
    /// Imported geometry: a [`crate::MeshAsset`] drawn with a [`crate::Surface`] (default surface when
    /// `None`).
    Mesh {
        /// The mesh asset.
        mesh: AssetId,
        /// The surface asset.
        surface: Option<AssetId>,
    },
    /// Nothing drawn.
    Group,
}

impl Shape {
    /// Which shared mesh draws this shape.
    pub fn kind(&self) -> ShapeKind {
        match self {
            Shape::Sphere { .. } => ShapeKind::Sphere,
            Shape::Box { .. } => ShapeKind::Box,
            Shape::Plane { .. } => ShapeKind::Plane,
            Shape::Mesh { .. } => ShapeKind::Mesh,
            Shape::Group => ShapeKind::Group,
        }
    }

    /// The scale that turns the kind's unit mesh into this shape (applied before the node transform).
    pub fn local_from_mesh_scale(&self) -> Vec3 {
        match *self {
            Shape::Sphere { radius } => Vec3::splat(radius),
            Shape::Box { extents } => extents,
            Shape::Plane { size } => Vec3::new(size, 1.0, size),
            Shape::Mesh { .. } | Shape::Group => Vec3::ONE,
        }
    }
}

/// One node of the scene, decoded from the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The node's stable id.
    pub id: NodeId,
    /// Display name; may be empty.
    pub name: String,
    /// Parent node, or `None` for a root.
    pub parent: Option<NodeId>,
    /// Placement relative to the parent.
    pub transform: Transform,
    /// What is drawn.
    pub shape: Shape,
    /// How it is shaded.
    pub material: Material,
    /// Hidden nodes are kept in the document but not drawn.
    pub visible: bool,
}

impl Node {
    /// A visible root node with default material and name.
    pub fn new(id: NodeId, shape: Shape, transform: Transform) -> Self {
        Self {
            id,
            name: String::new(),
            parent: None,
            transform,
            shape,
            material: Material::default(),
            visible: true,
        }
    }

    /// The matrix taking the shape's unit mesh to world space, given the parent's world matrix.
    pub fn world_from_mesh(&self, world_from_parent: Mat4) -> Mat4 {
        world_from_parent
            * self.transform.parent_from_local()
            * Mat4::from_scale(self.shape.local_from_mesh_scale())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_round_trip() {
        for kind in ShapeKind::ALL {
            assert_eq!(ShapeKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ShapeKind::parse("torus"), None);
    }

    #[test]
    fn world_from_mesh_scales_then_places() {
        let id = NodeId::new("n").unwrap();
        let node = Node::new(
            id,
            Shape::Sphere { radius: 2.0 },
            Transform::from_translation(Vec3::X * 10.0),
        );
        let top_of_unit_sphere = Vec3::Y;
        let p = node
            .world_from_mesh(Mat4::IDENTITY)
            .transform_point3(top_of_unit_sphere);
        assert!((p - Vec3::new(10.0, 2.0, 0.0)).length() < 1e-6);
    }
}
