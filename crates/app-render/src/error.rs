//! Renderer errors.

/// Why the renderer could not start or finish a frame.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// No adapter matched (no WebGPU/WebGL2 in the browser, no Vulkan/GL driver natively).
    #[error("no GPU adapter available: {0}")]
    NoAdapter(String),
    /// The adapter refused to create a device with the limits the renderer needs.
    #[error("could not create a GPU device: {0}")]
    RequestDevice(String),
    /// Reading an image back from the GPU failed (device lost, mapping error).
    #[error("reading pixels back from the GPU failed: {0}")]
    Readback(String),
    /// A requested image size is zero or beyond the device's texture limit.
    #[error("image size {width}x{height} is outside 1..={max} per side")]
    BadSize {
        /// Requested width in pixels.
        width: u32,
        /// Requested height in pixels.
        height: u32,
        /// The device's maximum 2D texture size.
        max: u32,
    },
    /// `set_aov_mode` got a name it does not know.
    #[error(
        "unknown AOV mode {0:?}: expected \"beauty\", \"albedo\", \"normal\", \"depth\" or \"object_id\""
    )]
    UnknownAov(String),
}
