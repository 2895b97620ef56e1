//! The wgpu renderer. It draws `app-core` values — it never sees the Yrs document — into any texture view
//! (a canvas surface, or an offscreen RGBA8 image that can be read back).
//!
//! Everything the renderer holds on the GPU is a cache: [`Renderer::new`] followed by one
//! [`Renderer::upsert_node`] per node of a snapshot rebuilds it completely (device loss, backend switch).

mod bounds;
mod camera;
mod error;
mod gpu;
mod instances;
mod mesh;
mod readback;
mod renderer;
mod shadow;
mod targets;

pub use camera::OrbitCamera;
pub use error::RenderError;
pub use gpu::Gpu;
pub use readback::{Readback, RgbaImage};
pub use renderer::{FrameStats, Renderer};
pub use wgpu;
