//! Helpers shared by the native test files (lavapipe when there is no GPU).
#![allow(dead_code)] // each test file uses some of them

use app_render::{Gpu, Renderer, RgbaImage};

/// A headless GPU: the machine's, or lavapipe.
pub fn gpu() -> Gpu {
    pollster::block_on(Gpu::headless())
        .expect("a Vulkan or GL adapter (install mesa-vulkan-drivers)")
}

/// Renders the renderer's current view offscreen at `size`² and reads it back.
pub fn render(renderer: &mut Renderer, size: u32) -> RgbaImage {
    let readback = renderer.render_offscreen(size, size).expect("valid size");
    readback.wait(&renderer.gpu().device).expect("readback")
}
