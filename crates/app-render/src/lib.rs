//! The wgpu renderer. It draws `app-core` values — it never sees the Yrs document — into any texture view
//! (a canvas surface, or an offscreen RGBA8 image that can be read back).
//!
//! Everything the renderer holds on the GPU is a cache: [`Renderer::new`] followed by one
//! [`Renderer::upsert_node`] per node of a snapshot rebuilds it completely (device loss, backend switch).
//!
//! Test code is not part of the default API: the `test-support` feature adds `golden` (the golden-image
//! comparison every backend is held to) and `reference` (the reference scenes), for this crate's tests
//! and app-wasm's.

mod aov;
mod bounds;
mod bundle;
mod bvh;
mod camera;
mod controls;
mod error;
#[cfg(feature = "test-support")]
pub mod golden;
mod gpu;
mod instances;
mod mesh;
mod peer_cameras;
mod pick;
mod pipelines;
mod readback;
#[cfg(feature = "test-support")]
pub mod reference;
#[cfg(feature = "test-support")]
pub mod reference_meshes;
mod renderer;
mod shader_source;
mod shadow;
mod surface;
mod targets;

pub use aov::{AovMode, object_color};
pub use bounds::Aabb;
pub use camera::OrbitCamera;
pub use controls::OrbitControls;
pub use error::RenderError;
pub use gpu::{Gpu, adapter_options};
pub use peer_cameras::{PeerCamera, PeerPointer};
pub use pick::Ray;
pub use readback::{Readback, RgbaImage, is_readable};
pub use renderer::{
    DEFAULT_BACKGROUND, DrawKey, FrameKey, FrameStats, MeshKey, OFFSCREEN_FORMAT, Renderer,
    SELECTION_COLOR, drawing_buffer_size,
};
pub use wgpu;
