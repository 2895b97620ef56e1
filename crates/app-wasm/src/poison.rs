//! Panic containment. On wasm a panic aborts the current call (a trap), possibly leaving an engine's state
//! half-updated. The panic hook logs the message and poisons the engine that was running, so every later
//! call on it throws a clean `Error` instead of touching corrupted state; other and new engines work on.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;

thread_local! {
    /// The engine whose call is executing, if any (wasm is single-threaded; calls do not nest).
    static RUNNING: Cell<Option<u32>> = const { Cell::new(None) };
    /// Engines that panicked.
    static POISONED: RefCell<HashSet<u32>> = RefCell::new(HashSet::new());
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
}

/// Installs the panic hook (idempotent).
pub fn install_panic_hook() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let running = RUNNING.with(Cell::get);
            if let Some(id) = running {
                // try_borrow_mut: the panic may have happened while POISONED was borrowed.
                POISONED.with(|p| p.try_borrow_mut().map(|mut p| p.insert(id)).ok());
            }
            web_sys::console::error_1(&format!("app-wasm engine panicked: {info}").into());
        }));
    });
}

/// A fresh engine id.
pub fn new_engine_id() -> u32 {
    NEXT_ID.with(|next| {
        let id = next.get();
        next.set(id.wrapping_add(1));
        id
    })
}

/// Marks engine `id` as running until the guard drops. Returns `None` if the engine is poisoned.
pub fn enter(id: u32) -> Option<RunningGuard> {
    if POISONED.with(|p| p.borrow().contains(&id)) {
        return None;
    }
    let previous = RUNNING.with(|r| r.replace(Some(id)));
    Some(RunningGuard { previous })
}

/// Forgets an engine's poisoned state once it is freed.
pub fn forget(id: u32) {
    POISONED.with(|p| p.borrow_mut().remove(&id));
}

/// Restores the previously running engine (a trap skips this drop, which is what leaves `RUNNING` set
/// for the panic hook).
pub struct RunningGuard {
    previous: Option<u32>,
}

impl Drop for RunningGuard {
    fn drop(&mut self) {
        RUNNING.with(|r| r.set(self.previous));
    }
}
