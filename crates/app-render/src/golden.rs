//! Golden-image comparison, shared by the native and the browser tests so every backend is held to one
//! rule: a pixel differs when any channel is off by more than a threshold, and an image matches when
//! the share of differing pixels stays under a limit.

use crate::RgbaImage;

/// How close an image must be to its reference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    /// Per-channel difference above which a pixel counts as different.
    pub channel: u8,
    /// Share (0..1) of differing pixels allowed.
    pub max_differing_share: f64,
}

impl Tolerance {
    /// Loose enough for rasteriser differences along silhouettes and in shadow-filter edges, tight
    /// enough that a moved object, a lost shadow or a shading change fails. Native (lavapipe) and
    /// browser WebGPU (SwiftShader) use it as it is.
    pub const DEFAULT: Self = Self {
        channel: 8,
        max_differing_share: 0.005,
    };

    /// WebGL2 through ANGLE on SwiftShader: same scene, but a different rasteriser and a different MSAA
    /// resolve, and no MSAA at all where the context offers none, so silhouettes differ along their
    /// whole length. Still tight enough that a missing shadow (about 2% of the image) fails.
    pub const WEBGL2: Self = Self {
        channel: 12,
        max_differing_share: 0.015,
    };
}

/// The outcome of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Share of pixels that differ beyond the channel threshold.
    pub differing_share: f64,
    /// The reference dimmed to a third, with differing pixels in magenta.
    pub diff: RgbaImage,
}

impl Comparison {
    /// Whether the share is within `tolerance`.
    pub fn passes(&self, tolerance: Tolerance) -> bool {
        self.differing_share <= tolerance.max_differing_share
    }
}

/// Compares `actual` with `expected` under `tolerance`'s channel threshold; `None` when the sizes
/// differ (always a failure).
pub fn compare(
    actual: &RgbaImage,
    expected: &RgbaImage,
    tolerance: Tolerance,
) -> Option<Comparison> {
    if (actual.width, actual.height) != (expected.width, expected.height)
        || actual.pixels.len() != expected.pixels.len()
    {
        return None;
    }
    let mut diff = vec![0; actual.pixels.len()];
    let mut differing = 0usize;
    for ((a, e), d) in actual
        .pixels
        .chunks_exact(4)
        .zip(expected.pixels.chunks_exact(4))
        .zip(diff.chunks_exact_mut(4))
    {
        let worst = a
            .iter()
            .zip(e)
            .map(|(a, e)| a.abs_diff(*e))
            .max()
            .unwrap_or(0);
        if worst > tolerance.channel {
            differing += 1;
            d.copy_from_slice(&[255, 0, 255, 255]);
        } else {
            let grey = e[0] / 3;
            d.copy_from_slice(&[grey, grey, grey, 255]);
        }
    }
    let total = (actual.width as usize * actual.height as usize).max(1);
    Some(Comparison {
        differing_share: differing as f64 / total as f64,
        diff: RgbaImage {
            width: actual.width,
            height: actual.height,
            pixels: diff,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(fill: [u8; 4]) -> RgbaImage {
        RgbaImage {
            width: 10,
            height: 10,
            pixels: fill.repeat(100),
        }
    }

    #[test]
    fn small_channel_noise_passes_and_a_changed_region_fails() {
        let reference = image([100, 100, 100, 255]);
        let noisy = image([106, 96, 100, 255]);
        assert_eq!(
            compare(&noisy, &reference, Tolerance::DEFAULT)
                .unwrap()
                .differing_share,
            0.0
        );
        let mut changed = reference.clone();
        changed.pixels[..4].copy_from_slice(&[200, 100, 100, 255]);
        let comparison = compare(&changed, &reference, Tolerance::DEFAULT).unwrap();
        assert_eq!(comparison.differing_share, 0.01);
        assert!(!comparison.passes(Tolerance::DEFAULT));
        assert!(comparison.passes(Tolerance::WEBGL2));
        assert_eq!(&comparison.diff.pixels[..4], &[255, 0, 255, 255]);
        let other_size = RgbaImage {
            width: 5,
            height: 20,
            pixels: reference.pixels.clone(),
        };
        assert!(compare(&other_size, &reference, Tolerance::DEFAULT).is_none());
    }
}
