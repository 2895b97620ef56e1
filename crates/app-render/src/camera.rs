//! The orbit camera: a target point, yaw and pitch around it, and a distance.

use glam::camera::rh::{proj::directx, view};
use glam::{Mat4, Vec2, Vec3};

use crate::bounds::Aabb;
use crate::pick::Ray;

/// A camera orbiting `target`. Angles in radians; yaw 0 looks along -Z, positive pitch looks down.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrbitCamera {
    /// Point the camera looks at, in world space.
    pub target_in_world: Vec3,
    /// Rotation around the world Y axis.
    pub yaw_rad: f32,
    /// Elevation above the target's horizontal plane; kept inside ±89°.
    pub pitch_rad: f32,
    /// Distance from the target, > 0.
    pub distance: f32,
    /// Vertical field of view.
    pub fovy_rad: f32,
}

impl Default for OrbitCamera {
    fn default() -> Self {
        Self {
            target_in_world: Vec3::ZERO,
            yaw_rad: 0.0,
            pitch_rad: 0.35,
            distance: 6.0,
            fovy_rad: 45f32.to_radians(),
        }
    }
}

impl OrbitCamera {
    /// A camera at `eye_in_world` looking at `target_in_world` with a vertical field of view of
    /// `fovy_rad`. `None` when the two points coincide. A view straight up or down is tilted to the
    /// ±89.4° the orbit keeps, so the camera never flips over the pole.
    pub fn looking_at(eye_in_world: Vec3, target_in_world: Vec3, fovy_rad: f32) -> Option<Self> {
        let backwards = eye_in_world - target_in_world;
        let distance = backwards.length();
        if !(distance.is_finite() && distance > 0.0) {
            return None;
        }
        let limit = std::f32::consts::FRAC_PI_2 - 0.01;
        Some(Self {
            target_in_world,
            yaw_rad: backwards.x.atan2(backwards.z),
            pitch_rad: (backwards.y / distance)
                .clamp(-1.0, 1.0)
                .asin()
                .clamp(-limit, limit),
            distance,
            fovy_rad,
        })
    }

    /// The camera's position in world space.
    pub fn eye_in_world(&self) -> Vec3 {
        let (sin_yaw, cos_yaw) = self.yaw_rad.sin_cos();
        let (sin_pitch, cos_pitch) = self.pitch_rad.sin_cos();
        let backwards = Vec3::new(sin_yaw * cos_pitch, sin_pitch, cos_yaw * cos_pitch);
        self.target_in_world + backwards * self.distance
    }

    /// View matrix.
    pub fn view_from_world(&self) -> Mat4 {
        view::look_at_mat4(self.eye_in_world(), self.target_in_world, Vec3::Y)
    }

    /// Projection × view for a viewport of the given aspect ratio (width / height). Near and far planes
    /// follow the distance, so depth precision does not depend on the scene's absolute scale.
    pub fn clip_from_world(&self, aspect: f32) -> Mat4 {
        let near = (self.distance * 0.01).max(1e-4);
        let far = self.distance * 100.0;
        // wgpu's clip space is Direct3D's: NDC z in 0..1, y up.
        directx::perspective(self.fovy_rad, aspect.max(1e-6), near, far) * self.view_from_world()
    }

    /// The ray from the eye through a point of the viewport given as a fraction of its size (0,0 top-left,
    /// 1,1 bottom-right), for a viewport of aspect `aspect`.
    pub fn ray_through(&self, point_in_viewport: Vec2, aspect: f32) -> Ray {
        let world_from_clip = self.clip_from_world(aspect).inverse();
        let ndc_x = point_in_viewport.x * 2.0 - 1.0;
        let ndc_y = 1.0 - point_in_viewport.y * 2.0;
        let near = world_from_clip.project_point3(Vec3::new(ndc_x, ndc_y, 0.0));
        let far = world_from_clip.project_point3(Vec3::new(ndc_x, ndc_y, 1.0));
        Ray {
            origin: near,
            direction: far - near,
        }
    }

    /// This camera's direction with target and distance chosen so `bounds` fill the view of a viewport of
    /// aspect `aspect` (its bounding sphere fits the narrower field of view, with a small margin).
    pub fn framing(&self, bounds: Aabb, aspect: f32) -> Self {
        let center = (bounds.min + bounds.max) * 0.5;
        let radius = ((bounds.max - bounds.min).length() * 0.5).max(1e-3);
        let half_fovy = self.fovy_rad * 0.5;
        let half_fovx = (half_fovy.tan() * aspect.max(1e-6)).atan();
        let half_fov = half_fovy.min(half_fovx);
        Self {
            target_in_world: center,
            distance: radius / half_fov.sin() * 1.05,
            ..*self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looking_at_round_trips_through_the_eye() {
        let eye = Vec3::new(3.0, 2.0, -4.0);
        let target = Vec3::new(1.0, 0.5, 0.0);
        let camera = OrbitCamera::looking_at(eye, target, 0.8).unwrap();
        assert!((camera.eye_in_world() - eye).length() < 1e-5);
        assert_eq!(camera.target_in_world, target);
        assert!(OrbitCamera::looking_at(eye, eye, 0.8).is_none());
    }

    #[test]
    fn target_projects_to_the_viewport_centre() {
        let camera = OrbitCamera {
            target_in_world: Vec3::new(1.0, 2.0, 3.0),
            ..Default::default()
        };
        let clip = camera.clip_from_world(16.0 / 9.0) * camera.target_in_world.extend(1.0);
        let ndc = clip.truncate() / clip.w;
        assert!(ndc.x.abs() < 1e-5 && ndc.y.abs() < 1e-5);
        assert!((0.0..1.0).contains(&ndc.z));
        assert!((camera.eye_in_world() - camera.target_in_world).length() - camera.distance < 1e-4);
    }
}
