//! Arbitrary output variables: what the view shows instead of (or as) the lit picture, and the stable
//! per-node color of the `object_id` mode.

use app_core::NodeId;
use glam::Vec3;

use crate::RenderError;

/// What the scene pass writes. Switching modes changes one uniform (and the clear color); no pipeline
/// is built or swapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum AovMode {
    /// The lit, shadowed, tonemapped picture.
    #[default]
    Beauty,
    /// Base color, unlit (linear, shown as sRGB like any color).
    Albedo,
    /// World-space normal mapped from -1..1 to 0..1 per channel (bytes = (n * 0.5 + 0.5) * 255).
    Normal,
    /// Linear view depth normalised to the scene's range: 0 (black) at the nearest point of the scene's
    /// bounds, 1 (white) at the farthest.
    Depth,
    /// A distinct, stable color per node ([`object_color`]).
    ObjectId,
}

impl AovMode {
    /// Every mode, in the order of their shader index.
    pub const ALL: [AovMode; 5] = [
        AovMode::Beauty,
        AovMode::Albedo,
        AovMode::Normal,
        AovMode::Depth,
        AovMode::ObjectId,
    ];

    /// The name used by the JavaScript API.
    pub fn as_str(self) -> &'static str {
        match self {
            AovMode::Beauty => "beauty",
            AovMode::Albedo => "albedo",
            AovMode::Normal => "normal",
            AovMode::Depth => "depth",
            AovMode::ObjectId => "object_id",
        }
    }

    /// Parses an API name; unknown names are an error that lists the valid ones.
    pub fn parse(name: &str) -> Result<Self, RenderError> {
        Self::ALL
            .into_iter()
            .find(|mode| mode.as_str() == name)
            .ok_or_else(|| RenderError::UnknownAov(name.chars().take(64).collect()))
    }

    /// The index `scene.wgsl` switches on.
    pub(crate) fn shader_index(self) -> f32 {
        match self {
            AovMode::Beauty => 0.0,
            AovMode::Albedo => 1.0,
            AovMode::Normal => 2.0,
            AovMode::Depth => 3.0,
            AovMode::ObjectId => 4.0,
        }
    }
}

/// The `object_id` color of a node: a hash of its id mapped to a saturated, fairly bright color, so
/// neighbours are told apart at a glance and a node keeps its color across sessions and peers.
/// Display values (0..1, shown as these sRGB bytes), not linear radiance.
pub fn object_color(id: &NodeId) -> Vec3 {
    // FNV-1a: stable across platforms and runs (std's hasher is randomly seeded).
    let hash = id.as_str().bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    // Spread the hash's bits before slicing it into hue, saturation and value.
    let hash = hash ^ (hash >> 15);
    let hash = hash.wrapping_mul(0x2c1b_3c6d) ^ (hash >> 12);
    let hue = (hash & 0xffff) as f32 / 65536.0;
    let saturation = 0.55 + 0.45 * ((hash >> 16) & 0xff) as f32 / 255.0;
    let value = 0.6 + 0.4 * ((hash >> 24) & 0xff) as f32 / 255.0;
    hsv_to_rgb(hue, saturation, value)
}

fn hsv_to_rgb(hue: f32, saturation: f32, value: f32) -> Vec3 {
    let h = hue.fract() * 6.0;
    let channel = |n: f32| {
        let k = (n + h) % 6.0;
        value - value * saturation * k.min(4.0 - k).clamp(0.0, 1.0)
    };
    Vec3::new(channel(5.0), channel(3.0), channel(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_errors() {
        for mode in AovMode::ALL {
            assert_eq!(AovMode::parse(mode.as_str()).unwrap(), mode);
        }
        let error = AovMode::parse("lighting").unwrap_err().to_string();
        assert!(
            error.contains("lighting") && error.contains("object_id"),
            "{error}"
        );
    }

    #[test]
    fn object_colors_are_stable_distinct_and_in_range() {
        let ids: Vec<NodeId> = (0..200)
            .map(|i| NodeId::new(format!("1a2b-{i}")).unwrap())
            .collect();
        let colors: Vec<Vec3> = ids.iter().map(object_color).collect();
        assert_eq!(colors[7], object_color(&ids[7]), "stable");
        for c in &colors {
            assert!(c.min_element() >= 0.0 && c.max_element() <= 1.0, "{c}");
        }
        // Consecutive ids (the usual case: one client's counter) are far apart in color.
        for pair in colors.windows(2) {
            assert!((pair[0] - pair[1]).abs().max_element() > 0.02, "{pair:?}");
        }
    }
}
