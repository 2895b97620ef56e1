//! Reading rendered images back to the CPU as tightly packed RGBA8.

use crate::RenderError;

/// An RGBA8 image, rows top to bottom, no padding; sRGB-encoded like the canvas shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RgbaImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height * 4` bytes.
    pub pixels: Vec<u8>,
}

impl RgbaImage {
    /// The pixel at (x, y), or `None` outside the image.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 4]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = ((y * self.width + x) * 4) as usize;
        self.pixels.get(i..i + 4).and_then(|p| p.try_into().ok())
    }

    /// The pixel at `(x, y)`, or transparent black outside the image (for tests probing projected
    /// points).
    pub fn pixel_at(&self, (x, y): (u32, u32)) -> [u8; 4] {
        self.pixel(x, y).unwrap_or([0; 4])
    }
}

/// A frame copied into a mappable buffer, waiting to be mapped. Rows are padded to wgpu's 256-byte
/// copy alignment; [`Readback::into_image`] strips the padding.
pub struct Readback {
    buffer: wgpu::Buffer,
    width: u32,
    height: u32,
    padded_bytes_per_row: u32,
    /// The copied texture stores blue first (a `Bgra8*` canvas format): swapped back on the CPU.
    bgra: bool,
}

/// Whether frames rendered in `format` can be read back as RGBA8 (a swap at most).
pub fn is_readable(format: wgpu::TextureFormat) -> bool {
    use wgpu::TextureFormat::{Bgra8Unorm, Bgra8UnormSrgb, Rgba8Unorm, Rgba8UnormSrgb};
    matches!(
        format,
        Rgba8UnormSrgb | Bgra8UnormSrgb | Rgba8Unorm | Bgra8Unorm
    )
}

impl Readback {
    /// Row pitch of a copy of `width` RGBA8 pixels.
    pub(crate) fn padded_bytes_per_row(width: u32) -> u32 {
        (width * 4).div_ceil(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT)
            * wgpu::COPY_BYTES_PER_ROW_ALIGNMENT
    }

    /// Copies all of `texture` (a format [`is_readable`] accepts, usable as a copy source) into a new
    /// readback, recorded on `encoder`: submit it, then [`Readback::map`].
    pub fn copy_of(
        device: &wgpu::Device,
        encoder: &mut wgpu::CommandEncoder,
        texture: &wgpu::Texture,
    ) -> Self {
        let size = texture.size();
        let mut readback = Self::new(device, size.width, size.height);
        readback.bgra = matches!(
            texture.format(),
            wgpu::TextureFormat::Bgra8Unorm | wgpu::TextureFormat::Bgra8UnormSrgb
        );
        encoder.copy_texture_to_buffer(
            texture.as_image_copy(),
            readback.copy_destination(),
            wgpu::Extent3d {
                depth_or_array_layers: 1,
                ..size
            },
        );
        readback
    }

    /// Creates the destination buffer for a `width`×`height` copy.
    fn new(device: &wgpu::Device, width: u32, height: u32) -> Self {
        let padded_bytes_per_row = Self::padded_bytes_per_row(width);
        let buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size: u64::from(padded_bytes_per_row) * u64::from(height),
            usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
            mapped_at_creation: false,
        });
        Self {
            buffer,
            width,
            height,
            padded_bytes_per_row,
            bgra: false,
        }
    }

    /// The copy destination.
    fn copy_destination(&self) -> wgpu::TexelCopyBufferInfo<'_> {
        wgpu::TexelCopyBufferInfo {
            buffer: &self.buffer,
            layout: wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(self.padded_bytes_per_row),
                rows_per_image: Some(self.height),
            },
        }
    }

    /// Starts mapping; `on_mapped` runs when the GPU is done (natively after a device poll, in the browser
    /// from the event loop). Call [`Readback::into_image`] after it reported success.
    pub fn map(
        &self,
        on_mapped: impl FnOnce(Result<(), RenderError>) + wgpu::WasmNotSend + 'static,
    ) {
        self.buffer
            .map_async(wgpu::MapMode::Read, .., move |result| {
                on_mapped(result.map_err(|e| RenderError::Readback(e.to_string())))
            });
    }

    /// The mapped pixels without row padding. Call only after [`Readback::map`] reported success.
    pub fn into_image(self) -> Result<RgbaImage, RenderError> {
        let row_bytes = (self.width * 4) as usize;
        let mut pixels = Vec::with_capacity(row_bytes * self.height as usize);
        {
            let mapped = self
                .buffer
                .get_mapped_range(..)
                .map_err(|e| RenderError::Readback(e.to_string()))?;
            for row in mapped
                .chunks(self.padded_bytes_per_row as usize)
                .take(self.height as usize)
            {
                pixels.extend_from_slice(&row[..row_bytes]);
            }
        }
        self.buffer.unmap();
        if self.bgra {
            for pixel in pixels.chunks_exact_mut(4) {
                pixel.swap(0, 2);
            }
        }
        if pixels.len() != row_bytes * self.height as usize {
            return Err(RenderError::Readback(
                "mapped buffer is shorter than the image".into(),
            ));
        }
        Ok(RgbaImage {
            width: self.width,
            height: self.height,
            pixels,
        })
    }

    /// Maps and waits, blocking this thread (native only: the browser must never block on the GPU).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn wait(self, device: &wgpu::Device) -> Result<RgbaImage, RenderError> {
        let (sender, receiver) = std::sync::mpsc::channel();
        self.map(move |result| {
            // The receiver outlives this callback: it is dropped only after recv below returns.
            let _ = sender.send(result);
        });
        device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| RenderError::Readback(e.to_string()))?;
        receiver
            .recv()
            .map_err(|e| RenderError::Readback(e.to_string()))??;
        self.into_image()
    }
}
