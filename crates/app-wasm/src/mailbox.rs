//! Delivery of engine events to JavaScript callbacks (`on_local_update`, `on_sync_message`,
//! `on_presence`). Values are queued while the engine is borrowed and handed to the callback from a
//! microtask afterwards, so a callback never runs inside an engine call and may call back into the
//! engine. Leaf: imports nothing of this crate.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsValue;

/// What a mailbox keeps between a send and its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Every value, delivered in order (document updates and protocol messages: each one matters).
    Every,
    /// Only the latest value: a newer one supersedes an undelivered older one (state snapshots such
    /// as the peer list).
    Latest,
}

struct Queue {
    /// Named in the console message when the callback throws.
    name: &'static str,
    keep: Keep,
    callback: Option<js_sys::Function>,
    pending: Vec<JsValue>,
    scheduled: bool,
}

/// One JS callback and the values waiting for it. Owned by the engine; a scheduled delivery holds a
/// clone of the `Rc` only until it ran.
#[derive(Clone)]
pub struct Mailbox(Rc<RefCell<Queue>>);

impl Mailbox {
    /// An empty mailbox with no callback; `name` is the engine method that sets its callback.
    pub fn new(name: &'static str, keep: Keep) -> Self {
        Self(Rc::new(RefCell::new(Queue {
            name,
            keep,
            callback: None,
            pending: Vec::new(),
            scheduled: false,
        })))
    }

    /// Replaces the callback (`None` stops delivery and drops what is queued).
    pub fn set_callback(&self, callback: Option<js_sys::Function>) {
        let mut queue = self.0.borrow_mut();
        if callback.is_none() {
            queue.pending.clear();
        }
        queue.callback = callback;
    }

    /// True while a callback is set.
    pub fn listening(&self) -> bool {
        self.0.borrow().callback.is_some()
    }

    /// Queues byte messages, each delivered as a `Uint8Array`. Without a callback they are dropped
    /// (the document itself keeps everything; `encode_state` still returns it).
    pub fn send_bytes(&self, messages: Vec<Vec<u8>>) {
        if messages.is_empty() {
            return;
        }
        self.send(|| {
            messages
                .iter()
                .map(|m| js_sys::Uint8Array::from(m.as_slice()).into())
                .collect()
        });
    }

    /// Queues one value, built only when a callback listens.
    pub fn send_value(&self, value: impl FnOnce() -> JsValue) {
        self.send(|| vec![value()]);
    }

    /// Queues `values()` (built only when a callback listens) and schedules one delivery.
    fn send(&self, values: impl FnOnce() -> Vec<JsValue>) {
        let mut queue = self.0.borrow_mut();
        if queue.callback.is_none() {
            return;
        }
        let values = values();
        match queue.keep {
            Keep::Every => queue.pending.extend(values),
            Keep::Latest => queue.pending = values.into_iter().last().into_iter().collect(),
        }
        if !queue.scheduled {
            queue.scheduled = true;
            let mailbox = self.clone();
            wasm_bindgen_futures::spawn_local(async move { mailbox.deliver() });
        }
    }

    /// Runs in a microtask with no borrow held: hands every queued value to the callback.
    fn deliver(&self) {
        let (name, callback, pending) = {
            let mut queue = self.0.borrow_mut();
            queue.scheduled = false;
            (
                queue.name,
                queue.callback.clone(),
                std::mem::take(&mut queue.pending),
            )
        };
        let Some(callback) = callback else { return };
        for value in pending {
            if let Err(error) = callback.call1(&JsValue::UNDEFINED, &value) {
                web_sys::console::error_2(&format!("{name} callback threw:").into(), &error);
            }
        }
    }
}
