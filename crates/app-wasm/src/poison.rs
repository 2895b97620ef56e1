//! Panic containment. On wasm a panic aborts the current call (a trap), possibly leaving an engine's state
//! half-updated. That engine is then poisoned: every later call on it throws a clean `Error` instead of
//! touching corrupted state; other and new engines work on.
//!
//! Two ways find the engine that trapped, because the release bundles are built with
//! `-Cpanic=immediate-abort` (`scripts/build-web.sh`), which runs no panic hook:
//! - **At the next call** (every build): a trap skips the drop of the trapped call's [`RunningGuard`],
//!   so the next call into this instance finds `RUNNING` still naming that engine and poisons it. A call
//!   that finds `RUNNING` set can also be a legitimate re-entry (a getter on an argument calling into an
//!   engine while that engine's call reads it): then the outer call is still on the stack, and when it
//!   returns its guard's drop clears the mark, so a re-entry never poisons anything for good.
//! - **In the panic hook** (builds that keep it: tests, `wasm-pack`): it also logs the message.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;

thread_local! {
    /// The engine whose call is executing, if any (wasm is single-threaded; calls nest only through a
    /// callback that calls back in).
    static RUNNING: Cell<Option<u32>> = const { Cell::new(None) };
    /// Engines that trapped (or, until their running call returns, that a re-entry found running).
    static POISONED: RefCell<HashSet<u32>> = RefCell::new(HashSet::new());
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
}

/// Installs the panic hook (idempotent). Builds with `-Cpanic=immediate-abort` never call it.
pub fn install_panic_hook() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            if let Some(id) = RUNNING.with(Cell::get) {
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
    let previous = RUNNING.with(Cell::get);
    POISONED.with(|p| {
        // A trap while the set was borrowed would leave it borrowed for good: then nothing can be
        // trusted, and every call is refused rather than panicking here.
        let mut p = p.try_borrow_mut().ok()?;
        if let Some(earlier) = previous {
            // `earlier` trapped, unless it is still running below this call (see the module docs).
            p.insert(earlier);
        }
        (!p.contains(&id)).then_some(())
    })?;
    RUNNING.with(|r| r.set(Some(id)));
    Some(RunningGuard { id, previous })
}

/// Forgets an engine's poisoned state once it is freed.
pub fn forget(id: u32) {
    POISONED.with(|p| p.try_borrow_mut().map(|mut p| p.remove(&id)).ok());
}

/// Restores the previously running engine. A trap skips this drop: that is what leaves `RUNNING` naming
/// the trapped engine for the next call to find.
pub struct RunningGuard {
    id: u32,
    previous: Option<u32>,
}

impl Drop for RunningGuard {
    fn drop(&mut self) {
        POISONED.with(|p| {
            let Ok(mut p) = p.try_borrow_mut() else {
                return; // see `enter`: every later call is refused anyway
            };
            // This call returned, so it did not trap: a re-entry's mark on it is void.
            p.remove(&self.id);
            // A call nested in this one trapped, and its trap was caught on the way out (a getter
            // called through a catching import): `RUNNING` still names it.
            if let Some(nested) = RUNNING.with(Cell::get).filter(|&r| r != self.id) {
                p.insert(nested);
            }
        });
        RUNNING.with(|r| r.set(self.previous));
    }
}
