//! Helpers shared by the browser test files.
#![allow(dead_code)] // each test file uses some of them

use std::cell::RefCell;
use std::rc::Rc;

use app_wasm::Engine;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

pub const SIZE: u32 = 128;

/// A JS callback that keeps every byte message it is called with (`on_local_update`,
/// `on_sync_message`). The engine holds the function; this owns the closure behind it, so keep it
/// alive while the engine may call it.
pub struct ByteSink {
    /// What the callback received so far.
    pub received: Rc<RefCell<Vec<Vec<u8>>>>,
    callback: Closure<dyn FnMut(js_sys::Uint8Array)>,
}

impl ByteSink {
    pub fn new() -> Self {
        let received: Rc<RefCell<Vec<Vec<u8>>>> = Rc::default();
        let sink = received.clone();
        let callback =
            Closure::<dyn FnMut(js_sys::Uint8Array)>::new(move |m: js_sys::Uint8Array| {
                sink.borrow_mut().push(m.to_vec())
            });
        Self { received, callback }
    }

    /// The function to hand to the engine.
    pub fn function(&self) -> JsValue {
        self.callback.as_ref().clone()
    }

    /// Everything received so far, leaving the sink empty.
    pub fn take(&self) -> Vec<Vec<u8>> {
        self.received.borrow_mut().split_off(0)
    }
}

/// A canvas element not in the page (enough for a GPU adapter or an offscreen engine).
pub fn detached_canvas() -> web_sys::HtmlCanvasElement {
    let document = web_sys::window().unwrap().document().unwrap();
    document
        .create_element("canvas")
        .unwrap()
        .dyn_into()
        .unwrap()
}

/// A `SIZE`² canvas added to the page.
pub fn canvas() -> web_sys::HtmlCanvasElement {
    let canvas = detached_canvas();
    canvas.set_width(SIZE);
    canvas.set_height(SIZE);
    let document = web_sys::window().unwrap().document().unwrap();
    document.body().unwrap().append_child(&canvas).unwrap();
    canvas
}

/// An engine that renders offscreen only: in this headless Chromium (156, SwiftShader) a WebGPU canvas's
/// `getCurrentTexture()` destroys the device, so the browser tests never touch the swap chain.
pub async fn engine() -> Engine {
    engine_with(&[]).await
}

/// An offscreen engine (as [`engine`]) created with these options as well.
pub async fn engine_with(options: &[(&str, JsValue)]) -> Engine {
    let object = js_sys::Object::new();
    js_sys::Reflect::set(&object, &"present".into(), &false.into()).unwrap();
    for (key, value) in options {
        js_sys::Reflect::set(&object, &(*key).into(), value).unwrap();
    }
    Engine::create(canvas(), object.into())
        .await
        .map_err(JsValue::from)
        .expect("engine")
}

pub async fn pixels(engine: &mut Engine) -> Vec<u8> {
    let value = JsFuture::from(engine.read_pixels())
        .await
        .expect("read_pixels resolves");
    js_sys::Uint8Array::new(&value).to_vec()
}

/// Renders a frame on both engines and asserts they show the same picture.
pub async fn assert_same_picture(a: &mut Engine, b: &mut Engine) {
    a.render_frame(0.0).unwrap();
    b.render_frame(0.0).unwrap();
    assert_eq!(pixels(a).await, pixels(b).await, "both draw the same scene");
}

/// Pixels that differ from the top-left corner (the background) by more than a little.
pub fn covered(image: &[u8]) -> usize {
    let corner = pixel(image, 0, 0);
    image
        .chunks(4)
        .filter(|p| (0..3).any(|c| p[c].abs_diff(corner[c]) > 12))
        .count()
}

pub fn pixel(pixels: &[u8], x: u32, y: u32) -> [u8; 4] {
    let i = ((y * SIZE + x) * 4) as usize;
    pixels[i..i + 4].try_into().unwrap()
}

pub fn message(error: wasm_bindgen::JsError) -> String {
    let value = JsValue::from(error);
    value
        .dyn_into::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_default()
}

/// Resolves on the next macrotask, so the browser can run GPU callbacks (device lost, mapping).
pub async fn next_task() {
    sleep_ms(0).await;
}

/// Resolves after `ms` milliseconds (a timer task), leaving the browser its GPU callbacks meanwhile.
pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    JsFuture::from(promise).await.unwrap();
}

/// `stats().device_losses`: devices replaced so far.
pub fn device_losses(engine: &Engine) -> u32 {
    js_sys::Reflect::get(&engine.stats().unwrap(), &"device_losses".into())
        .unwrap()
        .as_f64()
        .unwrap() as u32
}
