//! `KHR_materials_pbrSpecularGlossiness`, the archived material model that older exporters (Blender
//! 2.8x, Sketchfab's downloads, 3ds Max) still put in `extensionsRequired`, read as the
//! metallic-roughness material the engine draws, approximately.
//!
//! Contract:
//! - [`read`] returns the extension's values from a material's untyped extension object, or `None`
//!   when the material has none. Numbers that are missing take the extension's defaults (diffuse
//!   white and opaque, specular white, glossiness 1); numbers of the wrong type are errors naming the
//!   material.
//! - The caller draws diffuse as the base color (factor, alpha and texture: both are sRGB color),
//!   `1 − glossiness` as roughness and metallic 0 (a dielectric: specular color is not drawn), so
//!   the model keeps its colors and textures and its shine roughly; the specular-glossiness texture
//!   (specular in RGB, glossiness in A) has no metallic-roughness counterpart without decoding the
//!   image, and is left out. Both are noted naming the material.

use gltf::json::extensions::texture::TextureTransform;
use serde_json::Value;

use crate::error::{ImportError, invalid};

/// The extension's name.
pub(crate) const EXTENSION: &str = "KHR_materials_pbrSpecularGlossiness";

/// A texture reference read from untyped JSON.
pub(crate) struct TextureInfo {
    pub index: usize,
    pub tex_coord: u32,
    pub transform: Option<TextureTransform>,
}

/// What the extension holds, with defaults filled in.
pub(crate) struct SpecGloss {
    pub diffuse_factor: [f32; 4],
    pub glossiness_factor: f32,
    pub diffuse_texture: Option<TextureInfo>,
    pub has_specular_glossiness_texture: bool,
}

/// The extension in material `index`'s untyped extensions, if there.
pub(crate) fn read(
    others: Option<&serde_json::Map<String, Value>>,
    index: usize,
) -> Result<Option<SpecGloss>, ImportError> {
    let Some(ext) = others.and_then(|o| o.get(EXTENSION)) else {
        return Ok(None);
    };
    let bad = |what: &str| invalid(format!("material {index}: {EXTENSION} {what}"));
    let number = |v: &Value, what: &str| {
        v.as_f64()
            .map(|n| n as f32)
            .ok_or_else(|| bad(&format!("{what} is not a number")))
    };
    let mut diffuse_factor = [1.0; 4];
    if let Some(v) = ext.get("diffuseFactor") {
        let values = v
            .as_array()
            .filter(|a| a.len() == 4)
            .ok_or_else(|| bad("diffuseFactor is not 4 numbers"))?;
        for (slot, value) in diffuse_factor.iter_mut().zip(values) {
            *slot = number(value, "diffuseFactor")?;
        }
    }
    let glossiness_factor = match ext.get("glossinessFactor") {
        Some(v) => number(v, "glossinessFactor")?,
        None => 1.0,
    };
    let diffuse_texture = match ext.get("diffuseTexture") {
        None => None,
        Some(info) => {
            let texture = info
                .get("index")
                .and_then(Value::as_u64)
                .and_then(|i| usize::try_from(i).ok())
                .ok_or_else(|| bad("diffuseTexture has no texture index"))?;
            let tex_coord = match info.get("texCoord") {
                None => 0,
                Some(t) => t
                    .as_u64()
                    .and_then(|t| u32::try_from(t).ok())
                    .ok_or_else(|| bad("diffuseTexture's texCoord is not a set index"))?,
            };
            let transform = crate::material::untyped(
                info.get("extensions").and_then(Value::as_object),
                &format!("material {index}: {EXTENSION} diffuseTexture"),
            )?;
            Some(TextureInfo {
                index: texture,
                tex_coord,
                transform,
            })
        }
    };
    Ok(Some(SpecGloss {
        diffuse_factor,
        glossiness_factor,
        diffuse_texture,
        has_specular_glossiness_texture: ext.get("specularGlossinessTexture").is_some(),
    }))
}
