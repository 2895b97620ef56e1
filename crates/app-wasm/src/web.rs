//! Browser glue: timing, yielding to the event loop, and waiting for a GPU read-back without blocking.

use app_render::{Readback, RenderError, RgbaImage};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Milliseconds from `performance.now()` (0 if unavailable, e.g. in a worker without it).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Resolves on the next macrotask, letting the browser run GPU callbacks.
pub async fn yield_to_event_loop() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        } else {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Maps `readback` and returns its pixels. On WebGPU the mapping completes from the browser's event
/// loop; on WebGL2 wgpu needs non-blocking polls, so poll and yield until done (never `poll(Wait)` here).
pub async fn read_image(
    device: wgpu::Device,
    readback: Readback,
) -> Result<RgbaImage, RenderError> {
    let (sender, mut receiver) = futures_channel::oneshot::channel();
    readback.map(move |result| {
        let _ = sender.send(result);
    });
    // Bounded: a device that never completes the mapping (lost) must not hang the promise forever.
    for _ in 0..10_000 {
        let _ = device.poll(wgpu::PollType::Poll);
        match receiver.try_recv() {
            Ok(Some(result)) => {
                result?;
                return readback.into_image();
            }
            Ok(None) => yield_to_event_loop().await,
            Err(_) => {
                return Err(RenderError::Readback(
                    "the GPU dropped the mapping request".into(),
                ));
            }
        }
    }
    Err(RenderError::Readback(
        "timed out waiting for the GPU".into(),
    ))
}
