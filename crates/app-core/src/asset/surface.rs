//! A surface: the immutable part of a glTF material (textures, samplers, alpha handling, sidedness),
//! shared by every node drawn with it. The factors a user edits (base color, metallic, roughness,
//! emissive) stay on the node's [`crate::Material`] and multiply the textures.
//!
//! Encoding: tag `YSSURF01`, alpha mode (u8: 0 opaque, 1 mask, 2 blend), alpha cutoff, opacity
//! (f32 each), double-sided and unlit (u8 each), normal scale, occlusion strength, emissive strength
//! (f32 each), then five texture slots in [`Surface::textures`] order, each a presence byte and, when
//! present, the image id (16 bytes), wrap u, wrap v, mag filter, min filter, mipmaps (u8 each) and the
//! 2×3 texture-coordinate transform (6 × f32, column-major).

use super::bytes::{Reader, Writer};
use super::{AssetError, AssetId};

const TAG: &[u8; 8] = b"YSSURF01";
const WHAT: &str = "surface asset";

/// How a surface's alpha is used (glTF `alphaMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AlphaMode {
    /// Alpha is ignored.
    #[default]
    Opaque,
    /// Fragments with alpha below the cutoff are discarded.
    Mask,
    /// Blended over what is behind, drawn after opaque surfaces, back to front.
    Blend,
}

/// Texture-coordinate wrapping (glTF sampler `wrapS`/`wrapT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Wrap {
    /// Tiles (glTF's default).
    #[default]
    Repeat,
    /// Tiles, mirrored every other time.
    MirroredRepeat,
    /// Clamps to the edge texel.
    ClampToEdge,
}

/// Texel filtering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Filter {
    /// Nearest texel.
    Nearest,
    /// Linear interpolation.
    #[default]
    Linear,
}

/// How a texture is sampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Sampler {
    /// Wrap along u.
    pub wrap_u: Wrap,
    /// Wrap along v.
    pub wrap_v: Wrap,
    /// Magnification filter.
    pub mag_filter: Filter,
    /// Minification filter (and between mip levels).
    pub min_filter: Filter,
    /// Whether minification uses mipmaps.
    pub mipmaps: bool,
}

/// A 2×3 affine transform of texture coordinates (`KHR_texture_transform`), column-major:
/// `uv' = [m0 m2 m4; m1 m3 m5] · [u v 1]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UvTransform(pub [f32; 6]);

impl Default for UvTransform {
    fn default() -> Self {
        Self::IDENTITY
    }
}

impl UvTransform {
    /// No change.
    pub const IDENTITY: Self = Self([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// `KHR_texture_transform`: translation · rotation · scale.
    pub fn from_offset_rotation_scale(offset: [f32; 2], rotation: f32, scale: [f32; 2]) -> Self {
        let (s, c) = rotation.sin_cos();
        Self([
            c * scale[0],
            -s * scale[0],
            s * scale[1],
            c * scale[1],
            offset[0],
            offset[1],
        ])
    }
}

/// One texture of a surface.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextureRef {
    /// The image asset.
    pub image: AssetId,
    /// How it is sampled.
    pub sampler: Sampler,
    /// Applied to the mesh's texture coordinates first.
    pub uv_transform: UvTransform,
}

/// The immutable part of a material.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Surface {
    /// sRGB color texture; RGB multiplies the node's base color, A the opacity.
    pub base_color: Option<TextureRef>,
    /// Linear data texture: G roughness, B metallic (glTF), multiplying the node's factors.
    pub metallic_roughness: Option<TextureRef>,
    /// Tangent-space normal map (linear).
    pub normal: Option<TextureRef>,
    /// Ambient occlusion in R (linear).
    pub occlusion: Option<TextureRef>,
    /// sRGB emissive texture multiplying the node's emissive factor.
    pub emissive: Option<TextureRef>,
    /// How alpha is used.
    pub alpha_mode: AlphaMode,
    /// [`AlphaMode::Mask`]'s threshold.
    pub alpha_cutoff: f32,
    /// Base color factor alpha, 0..=1.
    pub opacity: f32,
    /// Draw back faces too (with flipped normals).
    pub double_sided: bool,
    /// `KHR_materials_unlit`: the base color is the output.
    pub unlit: bool,
    /// Scales the normal map's x and y.
    pub normal_scale: f32,
    /// How much the occlusion texture darkens ambient light, 0..=1.
    pub occlusion_strength: f32,
    /// `KHR_materials_emissive_strength`: multiplies the emissive factor.
    pub emissive_strength: f32,
}

impl Default for Surface {
    fn default() -> Self {
        Self {
            base_color: None,
            metallic_roughness: None,
            normal: None,
            occlusion: None,
            emissive: None,
            alpha_mode: AlphaMode::Opaque,
            alpha_cutoff: 0.5,
            opacity: 1.0,
            double_sided: false,
            unlit: false,
            normal_scale: 1.0,
            occlusion_strength: 1.0,
            emissive_strength: 1.0,
        }
    }
}

impl Surface {
    /// The five texture slots in encoding order: base color, metallic-roughness, normal, occlusion,
    /// emissive.
    pub fn textures(&self) -> [Option<&TextureRef>; 5] {
        [
            self.base_color.as_ref(),
            self.metallic_roughness.as_ref(),
            self.normal.as_ref(),
            self.occlusion.as_ref(),
            self.emissive.as_ref(),
        ]
    }

    /// The asset bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.tag(TAG);
        w.u8(self.alpha_mode as u8);
        w.f32(self.alpha_cutoff);
        w.f32(self.opacity);
        w.u8(u8::from(self.double_sided));
        w.u8(u8::from(self.unlit));
        w.f32(self.normal_scale);
        w.f32(self.occlusion_strength);
        w.f32(self.emissive_strength);
        for slot in self.textures() {
            let Some(t) = slot else {
                w.u8(0);
                continue;
            };
            w.u8(1);
            w.bytes(&t.image.0);
            let s = t.sampler;
            for b in [
                s.wrap_u as u8,
                s.wrap_v as u8,
                s.mag_filter as u8,
                s.min_filter as u8,
            ] {
                w.u8(b);
            }
            w.u8(u8::from(s.mipmaps));
            w.f32s(&t.uv_transform.0);
        }
        w.0
    }

    /// Decodes and checks asset bytes (ranges: cutoff, opacity and occlusion strength 0..=1, scales and
    /// strengths finite and ≥ 0 where they must be).
    pub fn decode(bytes: &[u8]) -> Result<Self, AssetError> {
        let mut r = Reader::new(bytes, TAG, WHAT)?;
        let bad = |what: &str| AssetError::invalid(WHAT, format!("{what} is out of range"));
        let alpha_mode = match r.u8()? {
            0 => AlphaMode::Opaque,
            1 => AlphaMode::Mask,
            2 => AlphaMode::Blend,
            _ => return Err(bad("alpha mode")),
        };
        let unit = |v: f32, what: &str| {
            if (0.0..=1.0).contains(&v) {
                Ok(v)
            } else {
                Err(bad(what))
            }
        };
        let alpha_cutoff = unit(r.f32()?, "alpha cutoff")?;
        let opacity = unit(r.f32()?, "opacity")?;
        let flag = |v: u8, what: &str| if v <= 1 { Ok(v == 1) } else { Err(bad(what)) };
        let double_sided = flag(r.u8()?, "double-sided")?;
        let unlit = flag(r.u8()?, "unlit")?;
        let normal_scale = r.f32()?;
        let occlusion_strength = unit(r.f32()?, "occlusion strength")?;
        let emissive_strength = r.f32()?;
        if emissive_strength < 0.0 {
            return Err(bad("emissive strength"));
        }
        let mut slots = [None; 5];
        for slot in &mut slots {
            if !flag(r.u8()?, "texture presence")? {
                continue;
            }
            let mut id = [0; 16];
            id.copy_from_slice(r.take(16)?);
            let wrap = |v: u8| match v {
                0 => Ok(Wrap::Repeat),
                1 => Ok(Wrap::MirroredRepeat),
                2 => Ok(Wrap::ClampToEdge),
                _ => Err(bad("wrap mode")),
            };
            let filter = |v: u8| match v {
                0 => Ok(Filter::Nearest),
                1 => Ok(Filter::Linear),
                _ => Err(bad("filter")),
            };
            let sampler = Sampler {
                wrap_u: wrap(r.u8()?)?,
                wrap_v: wrap(r.u8()?)?,
                mag_filter: filter(r.u8()?)?,
                min_filter: filter(r.u8()?)?,
                mipmaps: flag(r.u8()?, "mipmaps")?,
            };
            let [m]: [[f32; 6]; 1] = r
                .f32_groups::<6>(1)?
                .try_into()
                .map_err(|_| bad("texture transform"))?;
            *slot = Some(TextureRef {
                image: AssetId(id),
                sampler,
                uv_transform: UvTransform(m),
            });
        }
        r.finish()?;
        let [base_color, metallic_roughness, normal, occlusion, emissive] = slots;
        Ok(Self {
            base_color,
            metallic_roughness,
            normal,
            occlusion,
            emissive,
            alpha_mode,
            alpha_cutoff,
            opacity,
            double_sided,
            unlit,
            normal_scale,
            occlusion_strength,
            emissive_strength,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_truncations_and_bad_enums() {
        let surface = Surface {
            base_color: Some(TextureRef {
                image: AssetId::of(b"img"),
                sampler: Sampler {
                    wrap_u: Wrap::ClampToEdge,
                    mipmaps: true,
                    ..Sampler::default()
                },
                uv_transform: UvTransform::from_offset_rotation_scale([0.5, 0.0], 0.3, [2.0, 2.0]),
            }),
            alpha_mode: AlphaMode::Mask,
            alpha_cutoff: 0.3,
            double_sided: true,
            ..Surface::default()
        };
        let bytes = surface.encode();
        assert_eq!(Surface::decode(&bytes).unwrap(), surface);
        for len in 0..bytes.len() {
            assert!(Surface::decode(&bytes[..len]).is_err());
        }
        let mut bad = bytes.clone();
        bad[8] = 9;
        assert!(
            Surface::decode(&bad)
                .unwrap_err()
                .to_string()
                .contains("alpha mode")
        );
        assert_eq!(
            Surface::decode(&Surface::default().encode()).unwrap(),
            Surface::default()
        );
    }
}
