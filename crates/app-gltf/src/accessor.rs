//! Reading accessors: typed, strided, possibly sparse views of buffer bytes.
//!
//! Contract:
//! - Every read is checked before anything is allocated: the count against the caller's limit, the
//!   element type and component type against what the attribute allows (glTF 2.0 plus
//!   `KHR_mesh_quantization`), `byteOffset + byteStride × (count − 1) + element size` against the
//!   buffer view (u64, checked arithmetic), sparse indices and values against their views and the
//!   accessor's count. Failures name the accessor and the view.
//! - Normalized integers follow the glTF formulas (`max(c / 127, −1)` for bytes, `c / 255` for
//!   unsigned bytes, likewise for shorts); float data must be finite.
//! - An accessor without a buffer view reads as zeros (then its sparse values, if any).

use gltf::json::accessor::{ComponentType, Type};
use gltf::json::validation::Checked;
use gltf::json::{self, accessor::Accessor};

use crate::error::{ImportError, invalid, lookup};
use crate::source::Source;

/// What an accessor is read as; decides the element types and component types it may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// `POSITION`: VEC3; float, or (quantized) any 8/16-bit integer.
    Position,
    /// `NORMAL`: VEC3; float, or normalized signed 8/16-bit.
    Normal,
    /// `TANGENT`: VEC4; float, or normalized signed 8/16-bit.
    Tangent,
    /// `TEXCOORD_0`: VEC2; float, or any 8/16-bit integer.
    TexCoord,
    /// `COLOR_0`: VEC3 or VEC4; float, or normalized unsigned 8/16-bit.
    Color,
    /// Primitive indices: SCALAR unsigned 8/16/32-bit.
    Indices,
    /// `EXT_mesh_gpu_instancing` `TRANSLATION`: VEC3; float, or (quantized) any 8/16-bit integer.
    Translation,
    /// `EXT_mesh_gpu_instancing` `ROTATION`: VEC4; float, or normalized signed 8/16-bit.
    Rotation,
    /// `EXT_mesh_gpu_instancing` `SCALE`: VEC3; float, or (quantized) any 8/16-bit integer.
    Scale,
}

impl Role {
    /// The attribute's glTF name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Role::Position => "POSITION",
            Role::Normal => "NORMAL",
            Role::Tangent => "TANGENT",
            Role::TexCoord => "TEXCOORD_0",
            Role::Color => "COLOR_0",
            Role::Indices => "indices",
            Role::Translation => "TRANSLATION",
            Role::Rotation => "ROTATION",
            Role::Scale => "SCALE",
        }
    }

    fn types(self) -> &'static [Type] {
        match self {
            Role::Position | Role::Normal | Role::Translation | Role::Scale => &[Type::Vec3],
            Role::Tangent | Role::Rotation => &[Type::Vec4],
            Role::TexCoord => &[Type::Vec2],
            Role::Color => &[Type::Vec3, Type::Vec4],
            Role::Indices => &[Type::Scalar],
        }
    }

    /// Whether `ctype` with this `normalized` flag is allowed (floats ignore the flag).
    fn allows(self, ctype: ComponentType, normalized: bool) -> bool {
        use ComponentType::*;
        match (self, ctype) {
            (Role::Indices, U8 | U16 | U32) => !normalized,
            (Role::Indices, _) => false,
            (_, F32) => true,
            (
                Role::Position | Role::TexCoord | Role::Translation | Role::Scale,
                I8 | U8 | I16 | U16,
            ) => true,
            (Role::Normal | Role::Tangent | Role::Rotation, I8 | I16) => normalized,
            (Role::Color, U8 | U16) => normalized,
            _ => false,
        }
    }
}

fn type_name(t: Type) -> &'static str {
    match t {
        Type::Scalar => "SCALAR",
        Type::Vec2 => "VEC2",
        Type::Vec3 => "VEC3",
        Type::Vec4 => "VEC4",
        Type::Mat2 => "MAT2",
        Type::Mat3 => "MAT3",
        Type::Mat4 => "MAT4",
    }
}

fn component_name(c: ComponentType) -> &'static str {
    match c {
        ComponentType::I8 => "BYTE",
        ComponentType::U8 => "UNSIGNED_BYTE",
        ComponentType::I16 => "SHORT",
        ComponentType::U16 => "UNSIGNED_SHORT",
        ComponentType::U32 => "UNSIGNED_INT",
        ComponentType::F32 => "FLOAT",
    }
}

/// The decoded values of an accessor: `components` numbers per element, element after element.
pub(crate) struct Values<T> {
    /// Numbers per element (1 to 4).
    pub components: usize,
    /// `count × components` numbers.
    pub data: Vec<T>,
}

/// The element count of accessor `index`, without reading it (for size estimates).
pub(crate) fn count(
    src: &Source<'_>,
    index: usize,
    referrer: &dyn Fn() -> String,
) -> Result<u64, ImportError> {
    Ok(lookup(&src.root.accessors, index, "accessor", referrer)?
        .count
        .0)
}

/// Reads accessor `index` as floats (normalized integers per the glTF formulas).
pub(crate) fn read_floats(
    src: &Source<'_>,
    index: usize,
    role: Role,
    max_count: usize,
    referrer: &dyn Fn() -> String,
) -> Result<Values<f32>, ImportError> {
    let values = read(src, index, role, max_count, referrer, float_component)?;
    if let Some(at) = values.data.iter().position(|v| !v.is_finite()) {
        return Err(invalid(format!(
            "accessor {index} ({}): element {} is not a finite number",
            role.name(),
            at / values.components.max(1)
        )));
    }
    Ok(values)
}

/// Reads accessor `index` as vertex indices.
pub(crate) fn read_indices(
    src: &Source<'_>,
    index: usize,
    max_count: usize,
    referrer: &dyn Fn() -> String,
) -> Result<Vec<u32>, ImportError> {
    Ok(read(
        src,
        index,
        Role::Indices,
        max_count,
        referrer,
        int_component,
    )?
    .data)
}

/// One component as f32; `None` if `bytes` is too short (ruled out by the bounds checks).
fn float_component(bytes: &[u8], ctype: ComponentType, normalized: bool) -> Option<f32> {
    let v = match ctype {
        ComponentType::F32 => return Some(f32::from_le_bytes(bytes.get(..4)?.try_into().ok()?)),
        ComponentType::I8 => f32::from(i8::from_le_bytes([*bytes.first()?])),
        ComponentType::U8 => f32::from(*bytes.first()?),
        ComponentType::I16 => f32::from(i16::from_le_bytes(bytes.get(..2)?.try_into().ok()?)),
        ComponentType::U16 => f32::from(u16::from_le_bytes(bytes.get(..2)?.try_into().ok()?)),
        ComponentType::U32 => u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?) as f32,
    };
    if !normalized {
        return Some(v);
    }
    Some(match ctype {
        ComponentType::I8 => (v / 127.0).max(-1.0),
        ComponentType::U8 => v / 255.0,
        ComponentType::I16 => (v / 32767.0).max(-1.0),
        ComponentType::U16 => v / 65535.0,
        ComponentType::U32 => v / u32::MAX as f32,
        ComponentType::F32 => v,
    })
}

/// One unsigned integer component (indices).
fn int_component(bytes: &[u8], ctype: ComponentType, _normalized: bool) -> Option<u32> {
    match ctype {
        ComponentType::U8 | ComponentType::I8 => Some(u32::from(*bytes.first()?)),
        ComponentType::U16 | ComponentType::I16 => Some(u32::from(u16::from_le_bytes(
            bytes.get(..2)?.try_into().ok()?,
        ))),
        ComponentType::U32 | ComponentType::F32 => {
            Some(u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?))
        }
    }
}

fn component_size(c: ComponentType) -> usize {
    match c {
        ComponentType::I8 | ComponentType::U8 => 1,
        ComponentType::I16 | ComponentType::U16 => 2,
        ComponentType::U32 | ComponentType::F32 => 4,
    }
}

/// The bytes `[offset, offset + stride × (count − 1) + element)` of view `view`, after checking them.
fn strided<'s>(
    src: &'s Source<'_>,
    accessor: usize,
    view: usize,
    offset: u64,
    stride: u64,
    element: u64,
    count: u64,
) -> Result<&'s [u8], ImportError> {
    let bytes = src.view(view, &|| format!("accessor {accessor}"))?;
    if count == 0 {
        return Ok(&[]);
    }
    let span = stride
        .checked_mul(count - 1)
        .and_then(|s| s.checked_add(element));
    let end = span.and_then(|s| s.checked_add(offset));
    match end.zip(span) {
        Some((end, _)) if end <= bytes.len() as u64 => {
            Ok(bytes.get(offset as usize..end as usize).unwrap_or_default())
        }
        _ => Err(invalid(format!(
            "accessor {accessor}: byteOffset {offset} + {} bytes is past the end of buffer view \
             {view} ({} bytes)",
            span.map_or_else(|| "too many".to_string(), |s| s.to_string()),
            bytes.len()
        ))),
    }
}

fn read<T: Copy + Default>(
    src: &Source<'_>,
    index: usize,
    role: Role,
    max_count: usize,
    referrer: &dyn Fn() -> String,
    component: fn(&[u8], ComponentType, bool) -> Option<T>,
) -> Result<Values<T>, ImportError> {
    let acc: &Accessor = lookup(&src.root.accessors, index, "accessor", referrer)?;
    let what = || format!("accessor {index} ({})", role.name());
    let count = acc.count.0;
    if count > max_count as u64 {
        return Err(invalid(format!(
            "{}: count {count} is more than the {max_count} allowed",
            what()
        )));
    }
    let count = count as usize;
    let Checked::Valid(ty) = acc.type_ else {
        return Err(invalid(format!("{}: unknown type", what())));
    };
    if !role.types().contains(&ty) {
        let allowed: Vec<&str> = role.types().iter().map(|&t| type_name(t)).collect();
        return Err(invalid(format!(
            "{}: type {} is not allowed (must be {})",
            what(),
            type_name(ty),
            allowed.join(" or ")
        )));
    }
    let Checked::Valid(json::accessor::GenericComponentType(ctype)) = acc.component_type else {
        return Err(invalid(format!("{}: unknown componentType", what())));
    };
    if !role.allows(ctype, acc.normalized) {
        return Err(invalid(format!(
            "{}: componentType {}{} is not allowed here",
            what(),
            if acc.normalized { "normalized " } else { "" },
            component_name(ctype)
        )));
    }
    let components = ty.multiplicity();
    let csize = component_size(ctype);
    let element = components * csize;
    // count ≤ max_count (≤ 12M) and components ≤ 4: no overflow.
    let mut data = Vec::new();
    if let Some(view_index) = acc.buffer_view {
        let view_index = view_index.value();
        let view = lookup(&src.root.buffer_views, view_index, "buffer view", &what)?;
        let stride = match view.byte_stride {
            Some(s) if s.0 != 0 => s.0,
            _ => element,
        };
        if stride < element {
            return Err(invalid(format!(
                "buffer view {view_index}: byteStride {stride} is smaller than accessor {index}'s \
                 {element}-byte elements"
            )));
        }
        let offset = acc.byte_offset.map_or(0, |o| o.0);
        let bytes = strided(
            src,
            index,
            view_index,
            offset,
            stride as u64,
            element as u64,
            count as u64,
        )?;
        data.reserve_exact(count * components);
        for i in 0..count {
            for c in 0..components {
                let at = i * stride + c * csize;
                let v = bytes
                    .get(at..)
                    .and_then(|b| component(b, ctype, acc.normalized))
                    .ok_or_else(|| invalid(format!("{}: element {i} is out of bounds", what())))?;
                data.push(v);
            }
        }
    } else {
        data.resize(count * components, T::default());
    }
    if let Some(sparse) = &acc.sparse {
        apply_sparse(
            src,
            index,
            sparse,
            &mut data,
            count,
            components,
            ctype,
            acc.normalized,
            component,
        )?;
    }
    Ok(Values { components, data })
}

#[allow(clippy::too_many_arguments)]
fn apply_sparse<T: Copy>(
    src: &Source<'_>,
    index: usize,
    sparse: &json::accessor::sparse::Sparse,
    data: &mut [T],
    count: usize,
    components: usize,
    ctype: ComponentType,
    normalized: bool,
    component: fn(&[u8], ComponentType, bool) -> Option<T>,
) -> Result<(), ImportError> {
    let n = sparse.count.0;
    if n > count as u64 {
        return Err(invalid(format!(
            "accessor {index}: sparse count {n} is more than the accessor's count {count}"
        )));
    }
    let n = n as usize;
    let Checked::Valid(json::accessor::IndexComponentType(itype)) = sparse.indices.component_type
    else {
        return Err(invalid(format!(
            "accessor {index}: unknown sparse indices componentType"
        )));
    };
    if !matches!(
        itype,
        ComponentType::U8 | ComponentType::U16 | ComponentType::U32
    ) {
        return Err(invalid(format!(
            "accessor {index}: sparse indices must be unsigned integers"
        )));
    }
    let isize = component_size(itype);
    let indices = strided(
        src,
        index,
        sparse.indices.buffer_view.value(),
        sparse.indices.byte_offset.0,
        isize as u64,
        isize as u64,
        n as u64,
    )?;
    let csize = component_size(ctype);
    let element = components * csize;
    let values = strided(
        src,
        index,
        sparse.values.buffer_view.value(),
        sparse.values.byte_offset.0,
        element as u64,
        element as u64,
        n as u64,
    )?;
    for k in 0..n {
        let target = indices
            .get(k * isize..)
            .and_then(|b| int_component(b, itype, false))
            .ok_or_else(|| {
                invalid(format!(
                    "accessor {index}: sparse index {k} is out of bounds"
                ))
            })? as usize;
        if target >= count {
            return Err(invalid(format!(
                "accessor {index}: sparse index {target} is past its count {count}"
            )));
        }
        for c in 0..components {
            let v = values
                .get(k * element + c * csize..)
                .and_then(|b| component(b, ctype, normalized))
                .ok_or_else(|| {
                    invalid(format!(
                        "accessor {index}: sparse value {k} is out of bounds"
                    ))
                })?;
            if let Some(slot) = data.get_mut(target * components + c) {
                *slot = v;
            }
        }
    }
    Ok(())
}
