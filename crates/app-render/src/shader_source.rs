//! The shaders as each backend takes them: WGSL text (feature `wgsl`), or naga IR that `build.rs`
//! parsed and validated (feature `naga-ir`). The GL backend prefers the IR, so the WebGL2 bundle, built
//! with `naga-ir` alone, carries neither naga's WGSL front end nor the WGSL text; the WebGPU backend
//! takes WGSL (the browser parses it itself). Both forms come from `src/shaders/`, stripped of comments.

#[cfg(not(any(feature = "wgsl", feature = "naga-ir")))]
compile_error!("app-render needs the `wgsl` feature, the `naga-ir` feature, or both");

/// A module descriptor for `src/shaders/<name>` on `backend`.
macro_rules! shader {
    ($name:literal, $backend:expr) => {
        wgpu::ShaderModuleDescriptor {
            label: Some($name),
            source: $crate::shader_source::pick(
                $backend,
                #[cfg(feature = "wgsl")]
                include_str!(concat!(env!("OUT_DIR"), "/", $name)),
                #[cfg(feature = "naga-ir")]
                include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".naga")),
            ),
        }
    };
}
pub(crate) use shader;

/// The source for `backend` among those built in.
pub(crate) fn pick(
    backend: wgpu::Backend,
    #[cfg(feature = "wgsl")] wgsl: &'static str,
    #[cfg(feature = "naga-ir")] naga_ir: &'static [u8],
) -> wgpu::ShaderSource<'static> {
    #[cfg(all(feature = "wgsl", feature = "naga-ir"))]
    if backend != wgpu::Backend::Gl {
        return wgpu::ShaderSource::Wgsl(wgsl.into());
    }
    let _ = backend;
    #[cfg(feature = "naga-ir")]
    return wgpu::ShaderSource::Naga(std::borrow::Cow::Owned(decode(naga_ir)));
    #[cfg(not(feature = "naga-ir"))]
    return wgpu::ShaderSource::Wgsl(wgsl.into());
}

/// Decodes a module written by `build.rs`.
#[cfg(feature = "naga-ir")]
#[allow(clippy::expect_used)]
fn decode(bytes: &[u8]) -> naga::Module {
    // Invariant: build.rs wrote these bytes with this naga version and this format, and decoded them
    // there once already (it fails the build otherwise).
    postcard::from_bytes(bytes).expect("build.rs checked that its naga IR decodes")
}
