//! Delivery of local document updates to JavaScript (`on_local_update`). Updates are queued while the
//! engine is borrowed and delivered from a microtask afterwards, so the callback never runs inside an
//! engine call and may call back into the engine.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsValue;

#[derive(Default)]
struct Queue {
    callback: Option<js_sys::Function>,
    pending: Vec<Vec<u8>>,
    scheduled: bool,
}

/// The engine's outgoing update queue. Owned by the engine; a scheduled delivery holds a clone of the
/// `Rc` only until it ran.
#[derive(Default, Clone)]
pub struct Outbox(Rc<RefCell<Queue>>);

impl Outbox {
    /// Replaces the callback (`None` stops delivery and drops queued updates).
    pub fn set_callback(&self, callback: Option<js_sys::Function>) {
        let mut queue = self.0.borrow_mut();
        if callback.is_none() {
            queue.pending.clear();
        }
        queue.callback = callback;
    }

    /// Queues `updates` and schedules one delivery if none is pending. Without a callback they are dropped
    /// (the document itself keeps everything; `encode_state` still returns it).
    pub fn push(&self, updates: Vec<Vec<u8>>) {
        if updates.is_empty() {
            return;
        }
        let mut queue = self.0.borrow_mut();
        if queue.callback.is_none() {
            return;
        }
        queue.pending.extend(updates);
        if !queue.scheduled {
            queue.scheduled = true;
            let outbox = self.clone();
            wasm_bindgen_futures::spawn_local(async move { outbox.deliver() });
        }
    }

    /// Runs in a microtask: hands every queued update to the callback with no borrow held.
    fn deliver(&self) {
        let (callback, pending) = {
            let mut queue = self.0.borrow_mut();
            queue.scheduled = false;
            (queue.callback.clone(), std::mem::take(&mut queue.pending))
        };
        let Some(callback) = callback else { return };
        for update in pending {
            let bytes = js_sys::Uint8Array::from(update.as_slice());
            if let Err(error) = callback.call1(&JsValue::UNDEFINED, &bytes) {
                web_sys::console::error_2(&"on_local_update callback threw:".into(), &error);
            }
        }
    }
}
