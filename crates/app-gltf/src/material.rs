//! glTF materials to a node [`Material`] (the factors a user edits) and a [`Surface`] (textures,
//! samplers, alpha, sidedness), with the images the textures show.
//!
//! Contract:
//! - Factors are clamped to the engine's ranges (base color, metallic, roughness, opacity, alpha
//!   cutoff, occlusion strength 0..=1; emissive and emissive strength 0..=[`MAX_EMISSIVE`]). A
//!   primitive without a material gets glTF's default material: white, metallic 1, roughness 1.
//! - Values that cannot matter are reset to the defaults (alpha cutoff outside MASK, opacity under
//!   OPAQUE, normal scale without a normal map, occlusion strength without an occlusion map), so a
//!   surface equal to [`Surface::default`] is recognised and not stored.
//! - Images must be PNG, JPEG or WebP ([`ImageAsset::from_encoded`] checks the header and the size);
//!   an image declared (mime type, data URI or file name) as another format (KTX2, AVIF, …) leaves its
//!   texture out with a note; bytes declared PNG/JPEG/WebP, or undeclared, that are not are an error.
//! - A texture with `EXT_texture_webp` shows its WebP image (what three.js does in every browser
//!   that decodes WebP, which is every browser with WebGPU or WebGL2); its core `source`, a PNG/JPEG
//!   fallback if present, is not imported.
//! - Textures reading `TEXCOORD_1` or above (also through `KHR_texture_transform`'s `texCoord`) are
//!   left out with a note: the engine's meshes carry one set of texture coordinates, and drawing a
//!   lightmap or detail map with the wrong set looks worse than not drawing it.
//! - A material whose emissive texture is left out (other uv set, other image format) gets no
//!   emission, with a note: its emissive factor alone would light the whole surface.
//! - A texture without a sampler, or a sampler without filters, samples linearly with mipmaps (what
//!   three.js does). Of glTF's four mipmapped minification filters, the within-level filter is kept.

use std::collections::HashMap;

use app_core::{
    AlphaMode, AssetId, Filter, ImageAsset, MAX_EMISSIVE, Material, Sampler, Surface, TextureRef,
    UvTransform, Wrap,
};
use glam::Vec3;
use gltf::json::extensions::texture::TextureTransform;
use gltf::json::{self, texture as jt, validation::Checked};

use crate::error::{ImportError, invalid, lookup};
use crate::output::Output;
use crate::source::{Source, load_uri};
use crate::spec_gloss;

/// A resolved material: the node's factors and the surface, whose image ids name [`Materials`]'s
/// pending images.
#[derive(Clone, Copy)]
pub(crate) struct Resolved {
    /// The node's factors.
    pub material: Material,
    /// The surface (textures refer to pending images).
    pub surface: Surface,
}

/// Materials and images resolved so far (each once per import).
#[derive(Default)]
pub(crate) struct Materials {
    materials: HashMap<Option<usize>, Resolved>,
    /// Image index → its asset id, or `None` when it is not PNG/JPEG.
    images: HashMap<usize, Option<AssetId>>,
    /// Encoded image assets not yet in the output (added when a surface using them is).
    pending: HashMap<AssetId, Vec<u8>>,
}

fn clamp(v: f32, lo: f32, hi: f32, default: f32) -> f32 {
    if v.is_nan() { default } else { v.clamp(lo, hi) }
}

fn unit(v: f32, default: f32) -> f32 {
    clamp(v, 0.0, 1.0, default)
}

/// glTF's material for primitives without one.
fn gltf_default_material() -> Material {
    Material {
        base_color: Vec3::ONE,
        metallic: 1.0,
        roughness: 1.0,
        emissive: Vec3::ZERO,
    }
}

impl Materials {
    /// Material `index` (`None`: glTF's default material), resolved once.
    pub fn resolve(
        &mut self,
        src: &Source<'_>,
        out: &mut Output,
        index: Option<usize>,
        referrer: &dyn Fn() -> String,
    ) -> Result<Resolved, ImportError> {
        if let Some(done) = self.materials.get(&index) {
            return Ok(*done);
        }
        let resolved = match index {
            None => Resolved {
                material: gltf_default_material(),
                surface: Surface::default(),
            },
            Some(i) => {
                let m = lookup(&src.root.materials, i, "material", referrer)?;
                self.material(src, out, i, m)?
            }
        };
        self.materials.insert(index, resolved);
        Ok(resolved)
    }

    fn material(
        &mut self,
        src: &Source<'_>,
        out: &mut Output,
        index: usize,
        m: &json::Material,
    ) -> Result<Resolved, ImportError> {
        let pbr = &m.pbr_metallic_roughness;
        let [r, g, b, a] = pbr.base_color_factor.0;
        let e = m.emissive_factor.0;
        let emissive = |v: f32| clamp(v, 0.0, MAX_EMISSIVE as f32, 0.0);
        let mut material = Material {
            base_color: Vec3::new(unit(r, 1.0), unit(g, 1.0), unit(b, 1.0)),
            metallic: unit(pbr.metallic_factor.0, 1.0),
            roughness: unit(pbr.roughness_factor.0, 1.0),
            emissive: Vec3::new(emissive(e[0]), emissive(e[1]), emissive(e[2])),
        };
        let ext = m.extensions.as_ref();
        let alpha_mode = match m.alpha_mode {
            Checked::Valid(json::material::AlphaMode::Mask) => AlphaMode::Mask,
            Checked::Valid(json::material::AlphaMode::Blend) => AlphaMode::Blend,
            _ => AlphaMode::Opaque,
        };
        let defaults = Surface::default();
        let mut surface = Surface {
            alpha_mode,
            alpha_cutoff: match alpha_mode {
                AlphaMode::Mask => unit(m.alpha_cutoff.map_or(0.5, |c| c.0), 0.5),
                _ => defaults.alpha_cutoff,
            },
            opacity: match alpha_mode {
                AlphaMode::Opaque => 1.0,
                _ => unit(a, 1.0),
            },
            double_sided: m.double_sided,
            unlit: ext.and_then(|x| x.unlit.as_ref()).is_some(),
            emissive_strength: ext
                .and_then(|x| x.emissive_strength.as_ref())
                .map_or(1.0, |s| {
                    clamp(s.emissive_strength.0, 0.0, MAX_EMISSIVE as f32, 1.0)
                }),
            ..defaults
        };
        let slot = |name: &str| format!("material {index} {name}");
        let typed = |e: Option<&json::extensions::texture::Info>| {
            e.and_then(|e| e.texture_transform.clone())
        };
        // Specular-glossiness, drawn as metallic-roughness, unless the material also gives a
        // metallic-roughness fallback (then that is exact, and used).
        let fallback_given = pbr.base_color_texture.is_some()
            || pbr.metallic_roughness_texture.is_some()
            || pbr.base_color_factor.0 != [1.0; 4]
            || pbr.metallic_factor.0 != 1.0
            || pbr.roughness_factor.0 != 1.0;
        let spec_gloss = match spec_gloss::read(ext.map(|x| &x.others), index)? {
            Some(sg) if !fallback_given => Some(sg),
            _ => None,
        };
        if let Some(sg) = &spec_gloss {
            let [r, g, b, a] = sg.diffuse_factor;
            material.base_color = Vec3::new(unit(r, 1.0), unit(g, 1.0), unit(b, 1.0));
            material.metallic = 0.0;
            material.roughness = unit(1.0 - sg.glossiness_factor, 0.0);
            if alpha_mode != AlphaMode::Opaque {
                surface.opacity = unit(a, 1.0);
            }
            out.ignored.named(
                "specular-glossiness materials, drawn as metallic-roughness without specular color",
                format!("material {index}"),
            );
            if sg.has_specular_glossiness_texture {
                out.ignored
                    .named("specular-glossiness textures", format!("material {index}"));
            }
            if let Some(t) = &sg.diffuse_texture {
                surface.base_color = self.texture(
                    src,
                    out,
                    t.index,
                    t.tex_coord,
                    t.transform.clone(),
                    &slot("diffuseTexture"),
                )?;
            }
        } else if let Some(t) = &pbr.base_color_texture {
            let transform = typed(t.extensions.as_ref());
            surface.base_color = self.texture(
                src,
                out,
                t.index.value(),
                t.tex_coord,
                transform,
                &slot("baseColorTexture"),
            )?;
        }
        if let Some(t) = pbr
            .metallic_roughness_texture
            .as_ref()
            .filter(|_| spec_gloss.is_none())
        {
            let transform = typed(t.extensions.as_ref());
            let what = slot("metallicRoughnessTexture");
            surface.metallic_roughness =
                self.texture(src, out, t.index.value(), t.tex_coord, transform, &what)?;
        }
        if let Some(t) = &m.normal_texture {
            let what = slot("normalTexture");
            let transform = untyped(t.extensions.as_ref().map(|e| &e.others), &what)?;
            surface.normal =
                self.texture(src, out, t.index.value(), t.tex_coord, transform, &what)?;
            if surface.normal.is_some() {
                surface.normal_scale = if t.scale.is_finite() { t.scale } else { 1.0 };
            }
        }
        if let Some(t) = &m.occlusion_texture {
            let what = slot("occlusionTexture");
            let transform = untyped(t.extensions.as_ref().map(|e| &e.others), &what)?;
            surface.occlusion =
                self.texture(src, out, t.index.value(), t.tex_coord, transform, &what)?;
            if surface.occlusion.is_some() {
                surface.occlusion_strength = unit(t.strength.0, 1.0);
            }
        }
        if let Some(t) = &m.emissive_texture {
            let transform = typed(t.extensions.as_ref());
            surface.emissive = self.texture(
                src,
                out,
                t.index.value(),
                t.tex_coord,
                transform,
                &slot("emissiveTexture"),
            )?;
            if surface.emissive.is_none() && material.emissive != Vec3::ZERO {
                // The factor scales the texture, which usually lights a few small parts (screens,
                // lamps): without it the whole surface would glow at the factor's color (white, as
                // exporters write it). No emission is nearer to the model.
                material.emissive = Vec3::ZERO;
                surface.emissive_strength = defaults.emissive_strength;
                out.ignored.named(
                    "emission of materials whose emissive texture is left out",
                    format!("material {index}"),
                );
            }
        }
        Ok(Resolved { material, surface })
    }

    /// Texture `index` as a slot, or `None` (with a note) when it cannot be drawn.
    #[allow(clippy::too_many_arguments)]
    fn texture(
        &mut self,
        src: &Source<'_>,
        out: &mut Output,
        index: usize,
        tex_coord: u32,
        transform: Option<TextureTransform>,
        what: &str,
    ) -> Result<Option<TextureRef>, ImportError> {
        let referrer = || what.to_string();
        let texture = lookup(&src.root.textures, index, "texture", &referrer)?;
        if transform
            .as_ref()
            .and_then(|t| t.tex_coord)
            .unwrap_or(tex_coord)
            != 0
        {
            out.ignored.named(
                "textures on TEXCOORD_1 or above",
                format!("texture {index}"),
            );
            return Ok(None);
        }
        let webp = texture
            .extensions
            .as_ref()
            .and_then(|e| e.others.get("EXT_texture_webp"))
            .map(|webp| {
                webp.get("source")
                    .and_then(serde_json::Value::as_u64)
                    .and_then(|s| usize::try_from(s).ok())
                    .ok_or_else(|| {
                        invalid(format!(
                            "texture {index}: EXT_texture_webp has no image index as its source"
                        ))
                    })
            })
            .transpose()?;
        let source = webp.unwrap_or(texture.source.value());
        if source == u32::MAX as usize {
            // No core `source`: the image is only in an extension (KHR_texture_basisu, …).
            out.ignored.named(NO_IMAGE, format!("texture {index}"));
            return Ok(None);
        }
        let Some(image) = self.image(src, out, source, &|| format!("texture {index}"))? else {
            out.ignored.named(NO_IMAGE, format!("texture {index}"));
            return Ok(None);
        };
        let sampler = match texture.sampler {
            Some(s) => sampler(lookup(&src.root.samplers, s.value(), "sampler", &|| {
                format!("texture {index}")
            })?),
            None => DEFAULT_SAMPLER,
        };
        let uv_transform = match transform {
            None => UvTransform::IDENTITY,
            Some(t) => {
                let m =
                    UvTransform::from_offset_rotation_scale(t.offset.0, t.rotation.0, t.scale.0);
                if !m.0.iter().all(|v| v.is_finite()) {
                    return Err(invalid(format!(
                        "{what}: KHR_texture_transform holds a number that is not finite"
                    )));
                }
                m
            }
        };
        Ok(Some(TextureRef {
            image,
            sampler,
            uv_transform,
        }))
    }

    /// Image `index` as a pending asset, or `None` when it is declared as a format other than
    /// PNG/JPEG/WebP.
    fn image(
        &mut self,
        src: &Source<'_>,
        out: &mut Output,
        index: usize,
        referrer: &dyn Fn() -> String,
    ) -> Result<Option<AssetId>, ImportError> {
        if let Some(done) = self.images.get(&index) {
            return Ok(*done);
        }
        let image = lookup(&src.root.images, index, "image", referrer)?;
        let what = || format!("image {index}");
        let (bytes, data_mime) = match (&image.buffer_view, &image.uri) {
            (Some(view), _) => (
                std::borrow::Cow::Borrowed(src.view(view.value(), &what)?),
                None,
            ),
            (None, Some(uri)) => load_uri(uri, src.resources(), &what)?,
            (None, None) => {
                return Err(invalid(format!(
                    "image {index} has neither a uri nor a bufferView"
                )));
            }
        };
        let declared = image
            .mime_type
            .as_ref()
            .map(|m| m.0.clone())
            .or(data_mime)
            .map(|m| {
                m.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            })
            .or_else(|| image.uri.as_deref().and_then(extension_mime));
        let other_format = declared
            .as_deref()
            .is_some_and(|m| !matches!(m, "image/png" | "image/jpeg" | "image/jpg" | "image/webp"));
        let result = match ImageAsset::from_encoded(bytes.into_owned()) {
            Ok(asset) => {
                let encoded = asset.encode();
                out.reserve(encoded.len(), &what)?;
                let id = AssetId::of(&encoded);
                self.pending.insert(id, encoded);
                Some(id)
            }
            Err(_) if other_format => None,
            Err(e) => return Err(invalid(format!("image {index}: {e}"))),
        };
        self.images.insert(index, result);
        Ok(result)
    }

    /// Adds the images `surface` shows to the output (each once).
    pub fn add_images(&self, out: &mut Output, surface: &Surface) -> Result<(), ImportError> {
        for texture in surface.textures().into_iter().flatten() {
            if out.has(&texture.image) {
                continue;
            }
            if let Some(bytes) = self.pending.get(&texture.image) {
                out.add_with_id(texture.image, bytes.clone(), &|| {
                    format!("image {}", texture.image)
                })?;
            }
        }
        Ok(())
    }
}

/// `KHR_texture_transform` from an extension object gltf-json leaves untyped (normal and occlusion
/// textures, and specular-glossiness's diffuse texture).
pub(crate) fn untyped(
    others: Option<&serde_json::Map<String, serde_json::Value>>,
    what: &str,
) -> Result<Option<TextureTransform>, ImportError> {
    match others.and_then(|o| o.get("KHR_texture_transform")) {
        None => Ok(None),
        Some(value) => json::deserialize::from_value(value.clone())
            .map(Some)
            .map_err(|e| invalid(format!("{what}: KHR_texture_transform is malformed: {e}"))),
    }
}

/// The note for textures left out for their image's format.
const NO_IMAGE: &str = "textures without a PNG, JPEG or WebP image";

/// The media type a file name's extension suggests, for images declared by URI only.
fn extension_mime(uri: &str) -> Option<String> {
    let ext = uri.rsplit('.').next()?.to_ascii_lowercase();
    let mime = match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ktx2" => "image/ktx2",
        "basis" => "image/basis",
        "dds" => "image/vnd-ms.dds",
        "gif" => "image/gif",
        "avif" => "image/avif",
        _ => return None,
    };
    Some(mime.to_string())
}

/// Linear filtering with mipmaps, repeating: glTF's default wrap and three.js's default filters.
const DEFAULT_SAMPLER: Sampler = Sampler {
    wrap_u: Wrap::Repeat,
    wrap_v: Wrap::Repeat,
    mag_filter: Filter::Linear,
    min_filter: Filter::Linear,
    mipmaps: true,
};

fn sampler(s: &jt::Sampler) -> Sampler {
    let wrap = |w: Checked<jt::WrappingMode>| match w {
        Checked::Valid(jt::WrappingMode::ClampToEdge) => Wrap::ClampToEdge,
        Checked::Valid(jt::WrappingMode::MirroredRepeat) => Wrap::MirroredRepeat,
        _ => Wrap::Repeat,
    };
    let mag_filter = match s.mag_filter {
        Some(Checked::Valid(jt::MagFilter::Nearest)) => Filter::Nearest,
        _ => Filter::Linear,
    };
    let (min_filter, mipmaps) = match s.min_filter {
        Some(Checked::Valid(jt::MinFilter::Nearest)) => (Filter::Nearest, false),
        Some(Checked::Valid(jt::MinFilter::Linear)) => (Filter::Linear, false),
        Some(Checked::Valid(
            jt::MinFilter::NearestMipmapNearest | jt::MinFilter::NearestMipmapLinear,
        )) => (Filter::Nearest, true),
        _ => (Filter::Linear, true),
    };
    Sampler {
        wrap_u: wrap(s.wrap_s),
        wrap_v: wrap(s.wrap_t),
        mag_filter,
        min_filter,
        mipmaps,
    }
}
