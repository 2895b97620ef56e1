// Scene pass: instanced primitives, metallic-roughness PBR (GGX + Lambert), one directional light and a
// hemisphere ambient, a PCF-filtered shadow map for the light. Radiance is tonemapped (ACES) here, per
// fragment, and written straight into the output view (multisampled and resolved into it where the GPU
// allows); the view has an sRGB format, so the hardware applies the sRGB transfer function on write, and
// blended surfaces blend in linear display values. One pass draws the picture: no HDR target, no
// full-screen pass after it.

struct Frame {
    clip_from_world: mat4x4<f32>,
    camera_position_in_world: vec4<f32>,
    camera_forward_in_world: vec4<f32>,
    // xyz: unit vector from a surface towards the light.
    to_light_in_world: vec4<f32>,
    // rgb: light color * intensity * pi, so a white Lambert surface facing the light reflects `intensity`.
    light_radiance: vec4<f32>,
    sky_ambient: vec4<f32>,
    ground_ambient: vec4<f32>,
    // Shadow-map clip space (z in 0..1) from world space; see shadow.rs.
    light_clip_from_world: mat4x4<f32>,
    // x: shadow-map texel size in uv, y: receiver offset along the normal in world units.
    shadow_params: vec4<f32>,
    // x: AOV (0 beauty, 1 albedo, 2 normal, 3 depth, 4 object id; see aov.rs), y: view depth shown as 0,
    // z: 1 / view depth range shown as 0..1.
    view_params: vec4<f32>,
};

@group(0) @binding(0) var<uniform> frame: Frame;
@group(0) @binding(1) var shadow_map: texture_depth_2d;
@group(0) @binding(2) var shadow_sampler: sampler_comparison;

// The draw's surface (see surface.rs): the immutable part of its material. Textures a surface lacks are
// 1x1 white; a surface with at least one samples all five and multiplies (`fs_main`), one with none uses
// `fs_untextured`.
struct Surface {
    // x: alpha cutoff (MASK) or -1 (no cutout), y: opacity, z: normal scale, w: occlusion strength.
    params: vec4<f32>,
    // x: emissive strength, y: 1 when unlit, z: 1 when blended, w: 1 when it has a normal map.
    flags: vec4<f32>,
    // Per texture (base color, metallic-roughness, normal, occlusion, emissive) a 2x3 uv transform,
    // column-major, in two vec4s: (m0, m1, m2, m3), (m4, m5, -, -).
    uv_transforms: array<vec4<f32>, 10>,
};

@group(1) @binding(0) var<uniform> surface: Surface;
@group(1) @binding(1) var base_color_texture: texture_2d<f32>;
@group(1) @binding(2) var metallic_roughness_texture: texture_2d<f32>;
@group(1) @binding(3) var normal_texture: texture_2d<f32>;
@group(1) @binding(4) var occlusion_texture: texture_2d<f32>;
@group(1) @binding(5) var emissive_texture: texture_2d<f32>;
@group(1) @binding(6) var base_color_sampler: sampler;
@group(1) @binding(7) var metallic_roughness_sampler: sampler;
@group(1) @binding(8) var normal_sampler: sampler;
@group(1) @binding(9) var occlusion_sampler: sampler;
@group(1) @binding(10) var emissive_sampler: sampler;

fn transformed_uv(slot: u32, uv: vec2<f32>) -> vec2<f32> {
    let a = surface.uv_transforms[slot * 2u];
    let b = surface.uv_transforms[slot * 2u + 1u];
    return vec2<f32>(a.x * uv.x + a.z * uv.y + b.x, a.y * uv.x + a.w * uv.y + b.y);
}

struct VertexIn {
    @location(0) position_in_mesh: vec3<f32>,
    @location(1) normal_in_mesh: vec3<f32>,
    // Instance data (see instances.rs, InstanceRaw): world_from_mesh columns, material, object color,
    // highlight color and strength. (Locations 6-8 are free.)
    @location(2) world_from_mesh_0: vec4<f32>,
    @location(3) world_from_mesh_1: vec4<f32>,
    @location(4) world_from_mesh_2: vec4<f32>,
    @location(5) world_from_mesh_3: vec4<f32>,
    @location(9) base_color_metallic: vec4<f32>,
    @location(10) emissive_roughness: vec4<f32>,
    @location(11) object_color: vec4<f32>,
    @location(12) highlight: vec4<f32>,
    @location(13) uv: vec2<f32>,
    @location(14) tangent_in_mesh: vec4<f32>,
    @location(15) color: vec4<f32>,
};

struct VertexOut {
    @builtin(position) clip_position: vec4<f32>,
    @location(0) position_in_world: vec3<f32>,
    @location(1) normal_in_world: vec3<f32>,
    @location(2) base_color_metallic: vec4<f32>,
    @location(3) emissive_roughness: vec4<f32>,
    @location(4) object_color: vec4<f32>,
    @location(5) highlight: vec4<f32>,
    @location(6) uv: vec2<f32>,
    // xyz: tangent in world space, w: bitangent sign.
    @location(7) tangent_in_world: vec4<f32>,
    @location(8) color: vec4<f32>,
};

@vertex
fn vs_main(in: VertexIn) -> VertexOut {
    let world_from_mesh = mat4x4<f32>(in.world_from_mesh_0, in.world_from_mesh_1, in.world_from_mesh_2, in.world_from_mesh_3);
    // Normals transform by the inverse-transpose of the upper 3x3. Its cofactor matrix is that times the
    // determinant: no division, the same direction once normalised, with the determinant's sign undone so
    // mirrored transforms keep outward normals. A zero scale leaves zero normals only on faces that
    // collapse to nothing.
    let linear = mat3x3<f32>(in.world_from_mesh_0.xyz, in.world_from_mesh_1.xyz, in.world_from_mesh_2.xyz);
    let cofactor = mat3x3<f32>(cross(linear[1], linear[2]), cross(linear[2], linear[0]), cross(linear[0], linear[1]));
    let normal_from_mesh = cofactor * select(1.0, -1.0, dot(linear[0], cofactor[0]) < 0.0);
    let position_in_world = world_from_mesh * vec4<f32>(in.position_in_mesh, 1.0);
    var out: VertexOut;
    out.clip_position = frame.clip_from_world * position_in_world;
    out.position_in_world = position_in_world.xyz;
    out.normal_in_world = normal_from_mesh * in.normal_in_mesh;
    out.base_color_metallic = in.base_color_metallic;
    out.emissive_roughness = in.emissive_roughness;
    out.object_color = in.object_color;
    out.highlight = in.highlight;
    out.uv = in.uv;
    out.tangent_in_world = vec4<f32>((world_from_mesh * vec4<f32>(in.tangent_in_mesh.xyz, 0.0)).xyz, in.tangent_in_mesh.w);
    out.color = in.color;
    return out;
}

// Shadow caster pass: depth only, from the light. Reads only the mesh position and world_from_mesh.
struct ShadowIn {
    @location(0) position_in_mesh: vec3<f32>,
    @location(2) world_from_mesh_0: vec4<f32>,
    @location(3) world_from_mesh_1: vec4<f32>,
    @location(4) world_from_mesh_2: vec4<f32>,
    @location(5) world_from_mesh_3: vec4<f32>,
};

@vertex
fn vs_shadow(in: ShadowIn) -> @builtin(position) vec4<f32> {
    let world_from_mesh = mat4x4<f32>(in.world_from_mesh_0, in.world_from_mesh_1, in.world_from_mesh_2, in.world_from_mesh_3);
    return frame.light_clip_from_world * world_from_mesh * vec4<f32>(in.position_in_mesh, 1.0);
}

// Shadow casters with an alpha-mask surface: the same depth, but cutouts (alpha below the cutoff) cast
// nothing. Bind group 1 is the caster's surface.
struct ShadowMaskIn {
    @location(0) position_in_mesh: vec3<f32>,
    @location(2) world_from_mesh_0: vec4<f32>,
    @location(3) world_from_mesh_1: vec4<f32>,
    @location(4) world_from_mesh_2: vec4<f32>,
    @location(5) world_from_mesh_3: vec4<f32>,
    @location(13) uv: vec2<f32>,
    @location(15) color: vec4<f32>,
};

struct ShadowMaskOut {
    @builtin(position) clip_position: vec4<f32>,
    @location(0) uv: vec2<f32>,
    @location(1) alpha: f32,
};

@vertex
fn vs_shadow_mask(in: ShadowMaskIn) -> ShadowMaskOut {
    let world_from_mesh = mat4x4<f32>(in.world_from_mesh_0, in.world_from_mesh_1, in.world_from_mesh_2, in.world_from_mesh_3);
    var out: ShadowMaskOut;
    out.clip_position = frame.light_clip_from_world * world_from_mesh * vec4<f32>(in.position_in_mesh, 1.0);
    out.uv = in.uv;
    out.alpha = in.color.a;
    return out;
}

@fragment
fn fs_shadow_mask(in: ShadowMaskOut) {
    let texel = textureSample(base_color_texture, base_color_sampler, transformed_uv(0u, in.uv));
    if (surface.params.y * texel.a * in.alpha < surface.params.x) {
        discard;
    }
}

// Fraction of the light reaching `position_in_world`: 3x3 taps one texel apart, each a hardware 2x2
// comparison (linear filtering on a comparison sampler), so a 4x4-texel footprint with smooth weights.
// The receiver is pushed along its normal by a texel-sized offset, which with the caster pass's
// slope-scaled bias removes acne without detaching shadows from their casters.
fn light_visibility(position_in_world: vec3<f32>, normal_in_world: vec3<f32>) -> f32 {
    let offset_position = position_in_world + normal_in_world * frame.shadow_params.y;
    let clip = frame.light_clip_from_world * vec4<f32>(offset_position, 1.0);
    // Orthographic: w is 1. Clip y points up, texture v points down.
    let uv = clip.xy * vec2<f32>(0.5, -0.5) + vec2<f32>(0.5);
    let depth = clip.z;
    let texel = frame.shadow_params.x;
    var lit = 0.0;
    for (var y = -1; y <= 1; y++) {
        for (var x = -1; x <= 1; x++) {
            lit += textureSampleCompare(shadow_map, shadow_sampler, uv + vec2<f32>(f32(x), f32(y)) * texel, depth);
        }
    }
    // Outside the light frustum (only possible past the far plane) nothing casts: fully lit.
    return select(lit / 9.0, 1.0, depth > 1.0);
}

const PI: f32 = 3.14159265;

fn distribution_ggx(n_dot_h: f32, alpha: f32) -> f32 {
    let a2 = alpha * alpha;
    let d = n_dot_h * n_dot_h * (a2 - 1.0) + 1.0;
    return a2 / (PI * d * d);
}

fn geometry_smith(n_dot_v: f32, n_dot_l: f32, roughness: f32) -> f32 {
    // Schlick-GGX with k for direct lighting (Karis 2013).
    let k = (roughness + 1.0) * (roughness + 1.0) / 8.0;
    let gv = n_dot_v / (n_dot_v * (1.0 - k) + k);
    let gl = n_dot_l / (n_dot_l * (1.0 - k) + k);
    return gv * gl;
}

fn fresnel_schlick(cos_theta: f32, f0: vec3<f32>) -> vec3<f32> {
    return f0 + (vec3<f32>(1.0) - f0) * pow(1.0 - cos_theta, 5.0);
}

// Data AOVs are display values (bytes = value * 255). The output view encodes linear to sRGB on write,
// so they are decoded here and come out unchanged.
fn srgb_to_linear(c: vec3<f32>) -> vec3<f32> {
    let lo = c / 12.92;
    let hi = pow((c + vec3<f32>(0.055)) / 1.055, vec3<f32>(2.4));
    return select(hi, lo, c <= vec3<f32>(0.04045));
}


// What a surface's five textures hold at a fragment (1x1 white where it has none).
struct Texels {
    base: vec4<f32>,
    metallic_roughness: vec4<f32>,
    normal: vec4<f32>,
    occlusion: vec4<f32>,
    emissive: vec4<f32>,
};

// Surfaces with textures. Every texture is sampled first, in uniform control flow.
@fragment
fn fs_main(in: VertexOut, @builtin(front_facing) front_facing: bool) -> @location(0) vec4<f32> {
    let texels = Texels(
        textureSample(base_color_texture, base_color_sampler, transformed_uv(0u, in.uv)),
        textureSample(metallic_roughness_texture, metallic_roughness_sampler, transformed_uv(1u, in.uv)),
        textureSample(normal_texture, normal_sampler, transformed_uv(2u, in.uv)),
        textureSample(occlusion_texture, occlusion_sampler, transformed_uv(3u, in.uv)),
        textureSample(emissive_texture, emissive_sampler, transformed_uv(4u, in.uv)),
    );
    return shade(in, front_facing, texels);
}

// Surfaces without textures (built-in shapes, untextured materials): what sampling their white
// placeholders would give, without the five samples. Software rasterisers (SwiftShader) compile this
// pipeline in about a third less time, which is most of an engine's first frame there.
@fragment
fn fs_untextured(in: VertexOut, @builtin(front_facing) front_facing: bool) -> @location(0) vec4<f32> {
    let white = vec4<f32>(1.0);
    return shade(in, front_facing, Texels(white, white, white, white, white));
}

fn shade(in: VertexOut, front_facing: bool, texels: Texels) -> vec4<f32> {
    let base_texel = texels.base;
    let mr_texel = texels.metallic_roughness;
    let normal_texel = texels.normal;
    let occlusion_texel = texels.occlusion;
    let emissive_texel = texels.emissive;

    var geometric_n = normalize(in.normal_in_world);
    var n = geometric_n;
    if (surface.flags.w > 0.5) {
        // Tangent-space normal mapping (glTF: +y is the bitangent, MikkTSpace tangents).
        let t = normalize(in.tangent_in_world.xyz - geometric_n * dot(geometric_n, in.tangent_in_world.xyz));
        let b = cross(geometric_n, t) * select(1.0, -1.0, in.tangent_in_world.w < 0.0);
        let m = (normal_texel.xyz * 2.0 - vec3<f32>(1.0)) * vec3<f32>(surface.params.z, surface.params.z, 1.0);
        let mapped = t * m.x + b * m.y + geometric_n * m.z;
        if (all(mapped == mapped) && dot(mapped, mapped) > 1e-12) {
            n = normalize(mapped);
        }
    }
    if (!front_facing) {
        n = -n;
        geometric_n = -geometric_n;
    }
    let visibility = light_visibility(in.position_in_world, geometric_n);
    let base_color = in.base_color_metallic.rgb * base_texel.rgb * in.color.rgb;
    let alpha = surface.params.y * base_texel.a * in.color.a;
    let metallic = in.base_color_metallic.a * mr_texel.b;
    // Clamp so a mirror-like surface still has a finite highlight under a point-like sun.
    let roughness = clamp(in.emissive_roughness.a * mr_texel.g, 0.045, 1.0);
    let emissive = in.emissive_roughness.rgb * emissive_texel.rgb * surface.flags.x;
    let occlusion = mix(1.0, occlusion_texel.r, surface.params.w);

    let v = normalize(frame.camera_position_in_world.xyz - in.position_in_world);
    let l = frame.to_light_in_world.xyz;
    let h = normalize(v + l);
    let n_dot_l = max(dot(n, l), 0.0);
    let n_dot_v = max(dot(n, v), 1e-4);
    let n_dot_h = max(dot(n, h), 0.0);
    let v_dot_h = max(dot(v, h), 0.0);

    let f0 = mix(vec3<f32>(0.04), base_color, metallic);
    let f = fresnel_schlick(v_dot_h, f0);
    let specular = distribution_ggx(n_dot_h, roughness * roughness) * geometry_smith(n_dot_v, n_dot_l, roughness) * f
        / max(4.0 * n_dot_v * n_dot_l, 1e-4);
    let k_diffuse = (vec3<f32>(1.0) - f) * (1.0 - metallic);
    let direct = (k_diffuse * base_color / PI + specular) * frame.light_radiance.rgb * n_dot_l * visibility;

    let hemisphere = mix(frame.ground_ambient.rgb, frame.sky_ambient.rgb, n.y * 0.5 + 0.5);
    let ambient = hemisphere * mix(base_color, f0, metallic) * occlusion;
    var lit = direct + ambient + emissive;
    if (surface.flags.y > 0.5) {
        lit = base_color;
    }

    // Selection highlight (local, or a peer's in their color): a tint plus a bright rim where the surface
    // turns away from the viewer, readable on any base color and in any lighting.
    let highlight = in.highlight.rgb;
    let strength = in.highlight.a;
    let rim = pow(1.0 - n_dot_v, 3.0);
    let beauty = mix(lit, highlight * 0.6, 0.25 * strength) + highlight * (rim * 3.0 * strength);
    // MASK: cut out below the cutoff (after every texture sample and the shadow lookup).
    if (alpha < surface.params.x) {
        discard;
    }
    // Opaque draws write alpha 1; blended ones their alpha (the pipeline blends "over").
    let out_alpha = select(1.0, alpha, surface.flags.z > 0.5);

    // Every branch below is taken for the whole draw (the mode is a uniform), after the shadow lookup,
    // which must run in uniform control flow.
    let mode = u32(frame.view_params.x + 0.5);
    if (mode == 1u) {
        return vec4<f32>(base_color, out_alpha);
    }
    if (mode == 2u) {
        return vec4<f32>(srgb_to_linear(n * 0.5 + vec3<f32>(0.5)), 1.0);
    }
    if (mode == 3u) {
        let view_depth = dot(in.position_in_world - frame.camera_position_in_world.xyz, frame.camera_forward_in_world.xyz);
        let depth = clamp((view_depth - frame.view_params.y) * frame.view_params.z, 0.0, 1.0);
        return vec4<f32>(srgb_to_linear(vec3<f32>(depth)), 1.0);
    }
    if (mode == 4u) {
        return vec4<f32>(srgb_to_linear(in.object_color.rgb), 1.0);
    }
    return vec4<f32>(aces_filmic(beauty), out_alpha);
}

// Narkowicz's fit of the ACES reference rendering transform (the background's clear value is this of
// the background radiance, computed on the CPU: `frame.rs`, `aces_filmic`).
fn aces_filmic(x: vec3<f32>) -> vec3<f32> {
    let a = 2.51;
    let b = 0.03;
    let c = 2.43;
    let d = 0.59;
    let e = 0.14;
    return clamp((x * (a * x + b)) / (x * (c * x + d) + e), vec3<f32>(0.0), vec3<f32>(1.0));
}
