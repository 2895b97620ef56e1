//! Orbit, pan and zoom driven by input events, with smooth damping advanced by `tick(dt_secs)`.
//!
//! Input events only move the *goal* pose; each frame the shown camera moves a fixed fraction of the
//! remaining way per unit time (exponential damping), so motion is smooth at any frame rate and input
//! is never polled.

use glam::{Vec2, Vec3};

use crate::OrbitCamera;
use crate::bounds::Aabb;

/// Radians of orbit per CSS pixel dragged.
const ORBIT_RAD_PER_PX: f32 = 0.008;
/// Zoom factor per unit of `WheelEvent.deltaY` (a mouse notch is about 100: ~12% closer).
const ZOOM_PER_WHEEL_UNIT: f32 = 0.0012;
/// Pitch stays inside ±(90° − this), so the view never flips over the pole.
const PITCH_MARGIN_RAD: f32 = 0.01;
/// How fast the shown camera catches up with the goal: the remaining distance shrinks by e per
/// 1/DAMPING_PER_SEC seconds (about 90% of the way in 0.15 s).
const DAMPING_PER_SEC: f32 = 15.0;
/// Closest and farthest the camera may get, relative to the framing distance, so zoom cannot reach 0.
const MIN_DISTANCE: f32 = 1e-3;
const MAX_DISTANCE: f32 = 1e6;

/// The goal pose input events steer, and the rules for moving towards it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrbitControls {
    /// Where the camera is heading.
    pub goal: OrbitCamera,
}

impl OrbitControls {
    /// Controls resting at `camera`.
    pub fn new(camera: OrbitCamera) -> Self {
        Self { goal: camera }
    }

    /// Orbits by a drag of `delta_px` CSS pixels: right turns the view right, down tilts it down.
    pub fn orbit(&mut self, delta_px: Vec2) {
        let limit = std::f32::consts::FRAC_PI_2 - PITCH_MARGIN_RAD;
        self.goal.yaw_rad -= delta_px.x * ORBIT_RAD_PER_PX;
        self.goal.pitch_rad =
            (self.goal.pitch_rad + delta_px.y * ORBIT_RAD_PER_PX).clamp(-limit, limit);
    }

    /// Pans by a drag of `delta_px` CSS pixels in a viewport `viewport_height_px` CSS pixels tall: the
    /// point under the cursor (at the target's depth) follows the cursor.
    pub fn pan(&mut self, delta_px: Vec2, viewport_height_px: f32) {
        let world_per_px = 2.0 * self.goal.distance * (self.goal.fovy_rad * 0.5).tan()
            / viewport_height_px.max(1.0);
        let (sin_yaw, cos_yaw) = self.goal.yaw_rad.sin_cos();
        let (sin_pitch, cos_pitch) = self.goal.pitch_rad.sin_cos();
        let right = Vec3::new(cos_yaw, 0.0, -sin_yaw);
        let up = Vec3::new(-sin_yaw * sin_pitch, cos_pitch, -cos_yaw * sin_pitch);
        self.goal.target_in_world += (-right * delta_px.x + up * delta_px.y) * world_per_px;
    }

    /// Zooms by a wheel's `deltaY`: positive moves away, as in every 3D viewer.
    pub fn zoom(&mut self, delta_y: f32) {
        let factor = (delta_y * ZOOM_PER_WHEEL_UNIT).clamp(-2.0, 2.0).exp();
        self.goal.distance = (self.goal.distance * factor).clamp(MIN_DISTANCE, MAX_DISTANCE);
    }

    /// Heads for a pose that shows all of `bounds` (keeping the current direction).
    pub fn frame(&mut self, bounds: Aabb, aspect: f32) {
        if bounds.is_finite() {
            self.goal = self.goal.framing(bounds, aspect);
            self.goal.distance = self.goal.distance.clamp(MIN_DISTANCE, MAX_DISTANCE);
        }
    }

    /// Moves `camera` towards the goal for a frame of `dt_secs`. Returns true while it is still moving
    /// (a caller can stop redrawing an idle view). Snaps when the rest is invisible.
    pub fn tick(&self, camera: &mut OrbitCamera, dt_secs: f32) -> bool {
        let goal = self.goal;
        let follow = 1.0 - (-DAMPING_PER_SEC * dt_secs.max(0.0)).exp();
        let close = (camera.target_in_world - goal.target_in_world).length() < goal.distance * 1e-4
            && (camera.yaw_rad - goal.yaw_rad).abs() < 1e-4
            && (camera.pitch_rad - goal.pitch_rad).abs() < 1e-4
            && (camera.distance / goal.distance - 1.0).abs() < 1e-4;
        if close || follow >= 1.0 {
            let moved = *camera != goal;
            *camera = goal;
            return moved;
        }
        camera.target_in_world = camera.target_in_world.lerp(goal.target_in_world, follow);
        camera.yaw_rad += (goal.yaw_rad - camera.yaw_rad) * follow;
        camera.pitch_rad += (goal.pitch_rad - camera.pitch_rad) * follow;
        // Interpolate distance geometrically, so zooming feels the same at every scale.
        camera.distance *= (goal.distance / camera.distance).powf(follow);
        camera.fovy_rad = goal.fovy_rad;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_converges_on_the_goal_smoothly_and_then_rests() {
        let mut camera = OrbitCamera::default();
        let mut controls = OrbitControls::new(camera);
        controls.orbit(Vec2::new(100.0, 0.0));
        controls.zoom(500.0);
        assert!(controls.tick(&mut camera, 1.0 / 60.0));
        let partway = camera.yaw_rad;
        assert!(
            partway < 0.0 && partway > controls.goal.yaw_rad,
            "moves part of the way: {partway}"
        );
        for _ in 0..120 {
            controls.tick(&mut camera, 1.0 / 60.0);
        }
        assert_eq!(camera, controls.goal);
        assert!(!controls.tick(&mut camera, 1.0 / 60.0), "at rest");
    }

    #[test]
    fn pitch_never_flips_over_the_pole_and_zoom_never_reaches_zero() {
        let mut controls = OrbitControls::new(OrbitCamera::default());
        controls.orbit(Vec2::new(0.0, 1e6));
        assert!(controls.goal.pitch_rad < std::f32::consts::FRAC_PI_2);
        for _ in 0..1000 {
            controls.zoom(-1e4);
        }
        assert!(controls.goal.distance >= MIN_DISTANCE);
    }

    #[test]
    fn panning_moves_the_target_across_the_view_not_along_it() {
        let mut controls = OrbitControls::new(OrbitCamera::default());
        let before = controls.goal;
        let view_dir = (before.target_in_world - before.eye_in_world()).normalize();
        controls.pan(Vec2::new(50.0, -30.0), 600.0);
        let moved = controls.goal.target_in_world - before.target_in_world;
        assert!(moved.length() > 0.1);
        assert!(
            moved.dot(view_dir).abs() < 1e-4,
            "pan is perpendicular to the view"
        );
        // Dragging right moves the scene right: the target moves to the camera's left.
        let right = before
            .view_from_world()
            .inverse()
            .transform_vector3(Vec3::X);
        assert!(moved.dot(right) < 0.0);
    }

    #[test]
    fn framing_puts_the_bounds_in_view() {
        let mut controls = OrbitControls::new(OrbitCamera::default());
        let bounds = Aabb {
            min: Vec3::new(10.0, 0.0, 10.0),
            max: Vec3::new(30.0, 5.0, 14.0),
        };
        controls.frame(bounds, 16.0 / 9.0);
        let clip_from_world = controls.goal.clip_from_world(16.0 / 9.0);
        for corner in bounds.corners() {
            let ndc = clip_from_world.project_point3(corner);
            assert!(
                ndc.x.abs() <= 1.0 && ndc.y.abs() <= 1.0 && (0.0..=1.0).contains(&ndc.z),
                "{corner} -> {ndc}"
            );
        }
    }
}
