//! WebGL2 context loss. A WebGL2 canvas can lose its context (driver reset, too many contexts, the
//! `WEBGL_lose_context` extension) without wgpu's device-lost callback ever firing. This watch
//! listens for `webglcontextlost` / `webglcontextrestored` on the canvas: on loss it prevents the
//! default (so the browser will restore the context) and notes it; the engine then treats the device
//! as lost and, once the context is back, rebuilds everything from the document like after a WebGPU
//! device loss (`state.rs`). Leaf.
//!
//! Both listeners live in this struct and are removed when it drops (no `Closure::forget`).

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::HtmlCanvasElement;

/// Where the canvas's WebGL2 context stands.
#[derive(Debug, Default)]
struct Flags {
    /// Lost since the engine last looked.
    lost: Cell<bool>,
    /// Lost and not yet restored.
    down: Cell<bool>,
}

/// The canvas's context-loss listeners and what they saw.
pub struct ContextWatch {
    canvas: HtmlCanvasElement,
    flags: Rc<Flags>,
    on_lost: Closure<dyn FnMut(web_sys::Event)>,
    on_restored: Closure<dyn FnMut(web_sys::Event)>,
}

impl ContextWatch {
    /// Listens on `canvas`.
    pub fn new(canvas: &HtmlCanvasElement) -> Self {
        let flags = Rc::new(Flags::default());
        let seen = flags.clone();
        let on_lost = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            // Without this the browser never restores the context.
            event.prevent_default();
            seen.lost.set(true);
            seen.down.set(true);
        });
        let seen = flags.clone();
        let on_restored = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
            seen.down.set(false);
        });
        let target: &web_sys::EventTarget = canvas.as_ref();
        // Adding a listener to an element cannot fail.
        let _ = target
            .add_event_listener_with_callback("webglcontextlost", on_lost.as_ref().unchecked_ref());
        let _ = target.add_event_listener_with_callback(
            "webglcontextrestored",
            on_restored.as_ref().unchecked_ref(),
        );
        Self {
            canvas: canvas.clone(),
            flags,
            on_lost,
            on_restored,
        }
    }

    /// True once after each loss.
    pub fn take_lost(&self) -> bool {
        self.flags.lost.replace(false)
    }

    /// Whether the context is lost and not yet restored (recovery must wait).
    pub fn is_down(&self) -> bool {
        self.flags.down.get()
    }
}

impl Drop for ContextWatch {
    fn drop(&mut self) {
        let target: &web_sys::EventTarget = self.canvas.as_ref();
        let _ = target.remove_event_listener_with_callback(
            "webglcontextlost",
            self.on_lost.as_ref().unchecked_ref(),
        );
        let _ = target.remove_event_listener_with_callback(
            "webglcontextrestored",
            self.on_restored.as_ref().unchecked_ref(),
        );
    }
}
