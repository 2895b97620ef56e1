//! Axis-aligned bounds of what is drawn; the shadow map's light frustum is fitted to them.

use app_core::ShapeKind;
use glam::{Mat4, Vec3};

/// An axis-aligned box in world space.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Aabb {
    /// Smallest corner.
    pub min: Vec3,
    /// Largest corner.
    pub max: Vec3,
}

impl Aabb {
    /// The bounds of a built-in `kind`'s unit mesh in mesh space (see `mesh.rs`); a point for kinds
    /// with no built-in mesh (their bounds come from their mesh asset).
    pub fn of_mesh(kind: ShapeKind) -> Self {
        let half = match kind {
            ShapeKind::Sphere => Vec3::ONE,
            ShapeKind::Box => Vec3::splat(0.5),
            ShapeKind::Plane => Vec3::new(0.5, 0.0, 0.5),
            ShapeKind::Mesh | ShapeKind::Group => Vec3::ZERO,
        };
        Self {
            min: -half,
            max: half,
        }
    }

    /// The eight corners.
    pub fn corners(&self) -> [Vec3; 8] {
        let (a, b) = (self.min, self.max);
        [
            Vec3::new(a.x, a.y, a.z),
            Vec3::new(b.x, a.y, a.z),
            Vec3::new(a.x, b.y, a.z),
            Vec3::new(b.x, b.y, a.z),
            Vec3::new(a.x, a.y, b.z),
            Vec3::new(b.x, a.y, b.z),
            Vec3::new(a.x, b.y, b.z),
            Vec3::new(b.x, b.y, b.z),
        ]
    }

    /// The bounds of this box after `transform` (which may rotate, so the result can be larger).
    pub fn transformed(&self, transform: Mat4) -> Self {
        let mut corners = self
            .corners()
            .into_iter()
            .map(|c| transform.transform_point3(c));
        // `corners` always yields eight points.
        let first = corners.next().unwrap_or(Vec3::ZERO);
        corners.fold(
            Self {
                min: first,
                max: first,
            },
            |acc, c| Self {
                min: acc.min.min(c),
                max: acc.max.max(c),
            },
        )
    }

    /// The smallest box holding both.
    pub fn union(&self, other: &Self) -> Self {
        Self {
            min: self.min.min(other.min),
            max: self.max.max(other.max),
        }
    }

    /// Whether every coordinate is finite (a NaN transform must not poison the light frustum).
    pub fn is_finite(&self) -> bool {
        self.min.is_finite() && self.max.is_finite()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transformed_unit_box_rotated_45_degrees_grows_by_sqrt2() {
        let rotated = Aabb::of_mesh(ShapeKind::Box)
            .transformed(Mat4::from_rotation_y(std::f32::consts::FRAC_PI_4));
        let half = 0.5 * 2f32.sqrt();
        assert!((rotated.max.x - half).abs() < 1e-5);
        assert!((rotated.max.y - 0.5).abs() < 1e-5);
        let moved = Aabb::of_mesh(ShapeKind::Sphere)
            .transformed(Mat4::from_translation(Vec3::X * 10.0))
            .union(&Aabb::of_mesh(ShapeKind::Plane));
        assert_eq!(moved.min, Vec3::new(-0.5, -1.0, -1.0));
        assert_eq!(moved.max, Vec3::new(11.0, 1.0, 1.0));
    }
}
