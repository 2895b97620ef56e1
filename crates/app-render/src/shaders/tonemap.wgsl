// Output pass: HDR radiance -> ACES filmic tonemap -> the output view (beauty), or the scene pass's
// values unchanged (data AOVs, which the scene pass already wrote in display encoding). The output view
// has an sRGB format, so the hardware applies the sRGB transfer function on write.

@group(0) @binding(0) var hdr: texture_2d<f32>;

struct VertexOut {
    @builtin(position) clip_position: vec4<f32>,
};

// One triangle covering the screen; no vertex buffer needed.
@vertex
fn vs_main(@builtin(vertex_index) index: u32) -> VertexOut {
    let uv = vec2<f32>(f32((index << 1u) & 2u), f32(index & 2u));
    var out: VertexOut;
    out.clip_position = vec4<f32>(uv * 2.0 - 1.0, 0.0, 1.0);
    return out;
}

// Narkowicz's fit of the ACES reference rendering transform.
fn aces_filmic(x: vec3<f32>) -> vec3<f32> {
    let a = 2.51;
    let b = 0.03;
    let c = 2.43;
    let d = 0.59;
    let e = 0.14;
    return clamp((x * (a * x + b)) / (x * (c * x + d) + e), vec3<f32>(0.0), vec3<f32>(1.0));
}

@fragment
fn fs_tonemap(in: VertexOut) -> @location(0) vec4<f32> {
    let radiance = textureLoad(hdr, vec2<i32>(in.clip_position.xy), 0).rgb;
    return vec4<f32>(aces_filmic(radiance), 1.0);
}

@fragment
fn fs_pass_through(in: VertexOut) -> @location(0) vec4<f32> {
    return vec4<f32>(textureLoad(hdr, vec2<i32>(in.clip_position.xy), 0).rgb, 1.0);
}
