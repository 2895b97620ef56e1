//! Picking: which node is under a pixel. A ray through the pixel is intersected with each instance's
//! exact shape (unit sphere, unit cube or unit square in mesh space), so the answer is right for any
//! transform (rotation, non-uniform scale, parents) and for overlapping objects (the nearest hit wins).
//!
//! CPU ray casting rather than an id-buffer read-back: `pick` must answer synchronously (a browser
//! cannot wait for a GPU read inside a click handler), costs nothing per frame, and does not depend on
//! which backend draws.

use app_core::ShapeKind;
use glam::{Mat4, Vec3};

/// A ray `origin + t * direction`, t ≥ 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ray {
    /// Start, in world space.
    pub origin: Vec3,
    /// Direction, in world space; not necessarily unit length.
    pub direction: Vec3,
}

impl Ray {
    /// Where the ray is at parameter `t`.
    pub fn at(&self, t: f32) -> Vec3 {
        self.origin + self.direction * t
    }
}

/// The ray parameter of the nearest intersection of `ray_in_world` with the unit shape of `kind`
/// placed by `world_from_mesh`, or `None`. Because the ray is transformed (not renormalised) into
/// mesh space, the returned parameter is the same as in world space and hits compare across instances.
pub fn intersect(kind: ShapeKind, world_from_mesh: Mat4, ray_in_world: &Ray) -> Option<f32> {
    let mesh_from_world = world_from_mesh.inverse();
    if !mesh_from_world.is_finite() {
        // A degenerate (zero-scale) instance covers no pixels.
        return None;
    }
    let origin = mesh_from_world.transform_point3(ray_in_world.origin);
    let direction = mesh_from_world.transform_vector3(ray_in_world.direction);
    let t = match kind {
        ShapeKind::Sphere => unit_sphere(origin, direction),
        ShapeKind::Box => unit_cube(origin, direction),
        ShapeKind::Plane => unit_square(origin, direction),
        // Meshes are picked through their BVH (`Renderer::pick`); groups draw nothing.
        ShapeKind::Mesh | ShapeKind::Group => None,
    }?;
    (t >= 0.0 && t.is_finite()).then_some(t)
}

/// Sphere of radius 1 at the origin (mesh.rs's sphere).
fn unit_sphere(origin: Vec3, direction: Vec3) -> Option<f32> {
    let a = direction.length_squared();
    let half_b = origin.dot(direction);
    let c = origin.length_squared() - 1.0;
    let discriminant = half_b * half_b - a * c;
    if discriminant < 0.0 || a == 0.0 {
        return None;
    }
    let root = discriminant.sqrt();
    let near = (-half_b - root) / a;
    let far = (-half_b + root) / a;
    // From inside the sphere the near root is behind the eye; the far one is the visible surface.
    if near >= 0.0 {
        Some(near)
    } else if far >= 0.0 {
        Some(far)
    } else {
        None
    }
}

/// Cube from -0.5 to 0.5 on each axis (slab test).
fn unit_cube(origin: Vec3, direction: Vec3) -> Option<f32> {
    let inverse = direction.recip();
    let t0 = (Vec3::splat(-0.5) - origin) * inverse;
    let t1 = (Vec3::splat(0.5) - origin) * inverse;
    // NaN (origin on a slab plane, direction parallel to it) is dropped by min/max here.
    let near = t0.min(t1).max_element();
    let far = t0.max(t1).min_element();
    if near > far || far < 0.0 {
        return None;
    }
    Some(if near >= 0.0 { near } else { far })
}

/// Square from -0.5 to 0.5 in x and z at y = 0, hit from either side (planes are drawn two-sided).
fn unit_square(origin: Vec3, direction: Vec3) -> Option<f32> {
    if direction.y == 0.0 {
        return None;
    }
    let t = -origin.y / direction.y;
    let p = origin + direction * t;
    (p.x.abs() <= 0.5 && p.z.abs() <= 0.5).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use glam::Quat;

    fn down_from(origin: Vec3) -> Ray {
        Ray {
            origin,
            direction: Vec3::NEG_Y * 2.0,
        }
    }

    #[test]
    fn parameters_are_world_parameters_under_scale() {
        let world_from_mesh = Mat4::from_scale_rotation_translation(
            Vec3::splat(2.0),
            Quat::IDENTITY,
            Vec3::new(0.0, 1.0, 0.0),
        );
        let ray = down_from(Vec3::new(0.0, 10.0, 0.0));
        // Top of a radius-2 sphere at y=1 is y=3: 7 units below, direction length 2 -> t = 3.5.
        let t = intersect(ShapeKind::Sphere, world_from_mesh, &ray).unwrap();
        assert!((t - 3.5).abs() < 1e-5, "{t}");
        assert!((ray.at(t).y - 3.0).abs() < 1e-5);
    }

    #[test]
    fn rotated_box_is_hit_at_its_corner_and_missed_beside_it() {
        // A unit cube turned 45 degrees about Y reaches sqrt(0.5) along X.
        let world_from_mesh = Mat4::from_rotation_y(std::f32::consts::FRAC_PI_4);
        assert!(
            intersect(
                ShapeKind::Box,
                world_from_mesh,
                &down_from(Vec3::new(0.65, 5.0, 0.0))
            )
            .is_some()
        );
        assert!(
            intersect(
                ShapeKind::Box,
                Mat4::IDENTITY,
                &down_from(Vec3::new(0.65, 5.0, 0.0))
            )
            .is_none()
        );
        assert!(
            intersect(
                ShapeKind::Box,
                world_from_mesh,
                &down_from(Vec3::new(0.72, 5.0, 0.0))
            )
            .is_none()
        );
    }

    #[test]
    fn planes_are_hit_from_both_sides_within_their_extent() {
        let world_from_mesh = Mat4::from_scale(Vec3::new(4.0, 1.0, 4.0));
        assert!(
            intersect(
                ShapeKind::Plane,
                world_from_mesh,
                &down_from(Vec3::new(1.9, 1.0, 0.0))
            )
            .is_some()
        );
        assert!(
            intersect(
                ShapeKind::Plane,
                world_from_mesh,
                &down_from(Vec3::new(2.1, 1.0, 0.0))
            )
            .is_none()
        );
        let up = Ray {
            origin: Vec3::new(0.0, -1.0, 0.0),
            direction: Vec3::Y,
        };
        assert_eq!(intersect(ShapeKind::Plane, world_from_mesh, &up), Some(1.0));
    }

    #[test]
    fn things_behind_the_ray_and_degenerate_instances_are_not_hit() {
        let ray = down_from(Vec3::new(0.0, -5.0, 0.0));
        assert!(intersect(ShapeKind::Sphere, Mat4::IDENTITY, &ray).is_none());
        assert!(intersect(ShapeKind::Box, Mat4::IDENTITY, &ray).is_none());
        let flat = Mat4::from_scale(Vec3::ZERO);
        assert!(intersect(ShapeKind::Sphere, flat, &down_from(Vec3::Y * 5.0)).is_none());
    }

    #[test]
    fn from_inside_a_sphere_the_far_side_is_hit() {
        let ray = down_from(Vec3::ZERO);
        assert_eq!(
            intersect(ShapeKind::Sphere, Mat4::IDENTITY, &ray),
            Some(0.5)
        );
    }
}
