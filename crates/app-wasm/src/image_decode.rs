//! Decoding images with the browser: `createImageBitmap` (no premultiplication, no color-space
//! conversion, so texels arrive as stored), drawn into an `OffscreenCanvas` and read back as RGBA8.
//! The wasm bundle carries no image decoder.
//!
//! Contract: [`ImageDecodes::start`] begins one decode outside any engine call; its result waits in
//! a queue that the next frame (or any call that syncs the renderer) takes with
//! [`ImageDecodes::take_done`]. A failed decode is dropped with a console message: the surfaces
//! sampling that image stay untextured and everything else draws. Known limit: a 2D canvas stores
//! premultiplied alpha, so fully transparent texels read back black and low-alpha colors lose
//! precision (what three.js's ImageBitmapLoader path shares on some browsers).

use std::cell::RefCell;
use std::rc::Rc;

use app_core::{AssetId, ImageAsset};
use futures_channel::oneshot;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A decoded image: id, width, height, RGBA8 rows top to bottom.
pub type Decoded = (AssetId, u32, u32, Vec<u8>);

/// Decodes in flight and their results.
#[derive(Default)]
pub struct ImageDecodes {
    done: Rc<RefCell<Vec<Decoded>>>,
    in_flight: Rc<RefCell<u32>>,
}

impl ImageDecodes {
    /// Starts decoding `image`; the returned receiver fires when it ended (either way).
    pub fn start(&self, id: AssetId, image: ImageAsset) -> oneshot::Receiver<()> {
        let (sender, receiver) = oneshot::channel();
        let done = self.done.clone();
        let in_flight = self.in_flight.clone();
        *in_flight.borrow_mut() += 1;
        wasm_bindgen_futures::spawn_local(async move {
            match decode(&image).await {
                Ok((w, h, rgba)) => done.borrow_mut().push((id, w, h, rgba)),
                Err(error) => web_sys::console::warn_1(
                    &format!("image {id} could not be decoded: {error:?}").into(),
                ),
            }
            *in_flight.borrow_mut() -= 1;
            let _ = sender.send(());
        });
        receiver
    }

    /// Decoded images not handed over yet.
    pub fn take_done(&self) -> Vec<Decoded> {
        std::mem::take(&mut *self.done.borrow_mut())
    }

    /// Decodes not finished yet.
    pub fn in_flight(&self) -> u32 {
        *self.in_flight.borrow()
    }
}

async fn decode(image: &ImageAsset) -> Result<(u32, u32, Vec<u8>), JsValue> {
    let bytes = js_sys::Uint8Array::from(image.encoded.as_slice());
    let bag = web_sys::BlobPropertyBag::new();
    bag.set_type(image.format.mime());
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&js_sys::Array::of1(&bytes), &bag)?;
    let options = web_sys::ImageBitmapOptions::new();
    options.set_premultiply_alpha(web_sys::PremultiplyAlpha::None);
    options.set_color_space_conversion(web_sys::ColorSpaceConversion::None);
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let promise = window.create_image_bitmap_with_blob_and_image_bitmap_options(&blob, &options)?;
    let bitmap: web_sys::ImageBitmap = JsFuture::from(promise).await?.dyn_into()?;
    let (width, height) = (bitmap.width(), bitmap.height());
    if (width, height) != (image.width, image.height) {
        bitmap.close();
        return Err(JsValue::from_str(
            "decoded size differs from the file header",
        ));
    }
    let canvas = web_sys::OffscreenCanvas::new(width, height)?;
    let context: web_sys::OffscreenCanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("no 2d context"))?
        .dyn_into()?;
    context.draw_image_with_image_bitmap(&bitmap, 0.0, 0.0)?;
    bitmap.close();
    let data = context.get_image_data(0.0, 0.0, f64::from(width), f64::from(height))?;
    Ok((width, height, data.data().0))
}
