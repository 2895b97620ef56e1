//! Golden-image comparison, shared by the native and the browser tests so every backend is held to one
//! rule: a pixel differs when any channel is off by more than a threshold *and* no pixel within one
//! pixel of it in the other image explains it, and an image matches when the share of differing pixels
//! stays under a limit.
//!
//! "Explains" means: the pixel's value lies, per channel and within the threshold, inside the range of
//! the other image's 3×3 neighbourhood, *in both directions*. That forgives what differs between
//! rasterisers along edges — which side of a silhouette a pixel's samples land on, MSAA coverage and
//! sample positions, a shadow-filter edge half a texel over — since such a pixel is a blend of what
//! lies beside it. Anything that moved by more than a pixel, changed color, or appeared or vanished
//! (a shadow, a highlight, an isolated speck) still counts.

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
    /// The one tolerance of every backend (native lavapipe, browser WebGPU and WebGL2 on SwiftShader):
    /// a shading change of more than 8/255 or a missing shadow (about 2% of a reference image) fails.
    pub const DEFAULT: Self = Self {
        channel: 8,
        max_differing_share: 0.005,
    };
}

/// The outcome of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Share of pixels that differ beyond the channel threshold with no match in their neighbourhood.
    pub differing_share: f64,
    /// Share of pixels that differ beyond the threshold but match a neighbour (edge shifts; forgiven).
    pub edge_share: f64,
    /// The reference dimmed to a third, with differing pixels in magenta and forgiven ones in yellow.
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
    let (width, height) = (actual.width as i64, actual.height as i64);
    let close = |a: &[u8], b: &[u8]| {
        a.iter()
            .zip(b)
            .take(3)
            .all(|(a, b)| a.abs_diff(*b) <= tolerance.channel)
    };
    fn at(image: &RgbaImage, x: i64, y: i64) -> &[u8] {
        let i = ((y * i64::from(image.width) + x) * 4) as usize;
        &image.pixels[i..i + 4]
    }
    // Whether each channel of `pixel` lies within the range `image` spans within one pixel of (x, y),
    // widened by the threshold: `pixel` could be a blend of that neighbourhood.
    let within_neighbourhood = |image: &RgbaImage, pixel: &[u8], x: i64, y: i64| {
        let (mut lo, mut hi) = ([u8::MAX; 3], [u8::MIN; 3]);
        for ny in (y - 1).max(0)..=(y + 1).min(height - 1) {
            for nx in (x - 1).max(0)..=(x + 1).min(width - 1) {
                let n = at(image, nx, ny);
                for c in 0..3 {
                    lo[c] = lo[c].min(n[c]);
                    hi[c] = hi[c].max(n[c]);
                }
            }
        }
        (0..3).all(|c| {
            pixel[c] >= lo[c].saturating_sub(tolerance.channel)
                && pixel[c] <= hi[c].saturating_add(tolerance.channel)
        })
    };
    let mut diff = vec![0; actual.pixels.len()];
    let (mut differing, mut edges) = (0usize, 0usize);
    for y in 0..height {
        for x in 0..width {
            let (a, e) = (at(actual, x, y), at(expected, x, y));
            let i = ((y * width + x) * 4) as usize;
            let mark: [u8; 4] = if close(a, e) {
                let grey = e[0] / 3;
                [grey, grey, grey, 255]
            } else if within_neighbourhood(expected, a, x, y)
                && within_neighbourhood(actual, e, x, y)
            {
                edges += 1;
                [255, 220, 0, 255]
            } else {
                differing += 1;
                [255, 0, 255, 255]
            };
            diff[i..i + 4].copy_from_slice(&mark);
        }
    }
    let total = (width * height).max(1) as f64;
    Some(Comparison {
        differing_share: differing as f64 / total,
        edge_share: edges as f64 / total,
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

    /// A `size`×`size` grey image with a white square of side 4 at (x, y).
    fn square_at(x: usize, y: usize) -> RgbaImage {
        let size = 20;
        let mut pixels = [100, 100, 100, 255].repeat(size * size);
        for row in y..y + 4 {
            for col in x..x + 4 {
                let i = (row * size + col) * 4;
                pixels[i..i + 3].copy_from_slice(&[255, 255, 255]);
            }
        }
        RgbaImage {
            width: size as u32,
            height: size as u32,
            pixels,
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
        assert_eq!(&comparison.diff.pixels[..4], &[255, 0, 255, 255]);
        let other_size = RgbaImage {
            width: 5,
            height: 20,
            pixels: reference.pixels.clone(),
        };
        assert!(compare(&other_size, &reference, Tolerance::DEFAULT).is_none());
    }

    #[test]
    fn a_one_pixel_edge_shift_is_forgiven_but_a_real_move_is_not() {
        let reference = square_at(8, 8);
        let shifted = compare(&square_at(9, 8), &reference, Tolerance::DEFAULT).unwrap();
        assert_eq!(shifted.differing_share, 0.0);
        assert!(shifted.edge_share > 0.0);
        let moved = compare(&square_at(13, 8), &reference, Tolerance::DEFAULT).unwrap();
        // The old and the new square, 16 pixels each, minus what the one-pixel rule explains.
        assert!(
            moved.differing_share >= 16.0 / 400.0,
            "{}",
            moved.differing_share
        );
        assert!(!moved.passes(Tolerance::DEFAULT));
    }
}
