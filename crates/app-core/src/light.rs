//! Lights.

use glam::Vec3;

/// The background (clear radiance, linear RGB) of a document that sets none: a dark blue-grey. The
/// same value as `app_render::DEFAULT_BACKGROUND` (app-wasm's `tests/bridge.rs` checks they agree).
pub const DEFAULT_BACKGROUND: Vec3 = Vec3::new(0.018, 0.022, 0.032);

/// A light infinitely far away (the sun). `direction_in_world` points from the light towards the scene.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DirectionalLight {
    /// Direction the light travels, in world space; need not be normalised.
    pub direction_in_world: Vec3,
    /// Linear RGB color.
    pub color: Vec3,
    /// Multiplier on `color`, in arbitrary HDR units (1.0 is a bright sun before tonemapping).
    pub intensity: f32,
}

impl Default for DirectionalLight {
    fn default() -> Self {
        Self {
            direction_in_world: Vec3::new(-0.4, -1.0, -0.6),
            color: Vec3::ONE,
            intensity: 1.0,
        }
    }
}
