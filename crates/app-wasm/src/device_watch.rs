//! Noticing GPU device loss, and counting live engines.
//!
//! wgpu's device-lost callback must be `Send`, so it cannot hold the engine's state; it records the loss
//! in a thread-local table under the watch's id instead (wasm is single-threaded), and the engine polls
//! that flag once per frame. A watch dropped before its device is destroyed (`free()`) leaves no entry,
//! so the callback that the destruction triggers is silent.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

thread_local! {
    /// Watched devices: watch id -> lost?
    static LOST: RefCell<HashMap<u32, bool>> = RefCell::new(HashMap::new());
    static NEXT_WATCH: Cell<u32> = const { Cell::new(1) };
    /// Engines created and not yet dropped (freed or collected).
    static LIVE_ENGINES: Cell<u32> = const { Cell::new(0) };
}

/// Watches one device for loss. Owned by the engine next to that device.
pub struct DeviceWatch {
    id: u32,
}

impl DeviceWatch {
    /// Registers `device`'s lost callback.
    pub fn new(device: &wgpu::Device) -> Self {
        let id = NEXT_WATCH.with(|next| {
            let id = next.get();
            next.set(id.wrapping_add(1));
            id
        });
        LOST.with(|lost| lost.borrow_mut().insert(id, false));
        device.set_device_lost_callback(move |reason, message| {
            let watched = LOST.with(|lost| {
                lost.try_borrow_mut()
                    .ok()
                    .and_then(|mut lost| lost.get_mut(&id).map(|flag| *flag = true))
                    .is_some()
            });
            if watched {
                // A warning, not an error: the engine recovers on its own.
                web_sys::console::warn_1(
                    &format!(
                        "GPU device lost ({reason:?}: {message}); recreating it from the document"
                    )
                    .into(),
                );
            }
        });
        Self { id }
    }

    /// Whether the device was lost.
    pub fn is_lost(&self) -> bool {
        LOST.with(|lost| lost.borrow().get(&self.id).copied().unwrap_or(false))
    }

    /// Stops watching: a loss after this (the engine destroying its own device on `free()`) is
    /// neither recorded nor logged.
    pub fn silence(&self) {
        LOST.with(|lost| lost.borrow_mut().remove(&self.id));
    }

    /// Marks the device lost without waiting for the browser (backends where destroying a device is
    /// not observable, such as WebGL2).
    pub fn mark_lost(&self) {
        LOST.with(|lost| lost.borrow_mut().insert(self.id, true));
    }
}

impl Drop for DeviceWatch {
    fn drop(&mut self) {
        LOST.with(|lost| lost.borrow_mut().remove(&self.id));
    }
}

/// Counts one live engine for as long as it exists.
pub struct LiveEngine(());

impl LiveEngine {
    /// Counts a new engine.
    pub fn new() -> Self {
        LIVE_ENGINES.with(|n| n.set(n.get() + 1));
        Self(())
    }

    /// Engines alive now.
    pub fn count() -> u32 {
        LIVE_ENGINES.with(Cell::get)
    }
}

impl Drop for LiveEngine {
    fn drop(&mut self) {
        LIVE_ENGINES.with(|n| n.set(n.get().saturating_sub(1)));
    }
}
