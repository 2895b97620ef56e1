//! The undo manager's clock. yrs groups edits made less than [`CAPTURE_TIMEOUT_MS`] apart into one
//! undo step (a slider drag), so it needs "now" in milliseconds. On wasm yrs has no clock of its own
//! and this crate must not depend on `js-sys`, so the time source is injected as a plain `fn`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Edits closer together than this merge into one undo step.
pub const CAPTURE_TIMEOUT_MS: u64 = 500;

/// A time source in milliseconds (any epoch), e.g. `|| js_sys::Date::now() as u64` in app-wasm.
pub type ClockFn = fn() -> u64;

/// Milliseconds since the Unix epoch from the OS clock; `None` on wasm32-unknown-unknown, where
/// `std::time::SystemTime::now` panics.
pub fn system_clock() -> Option<ClockFn> {
    #[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
    {
        fn now() -> u64 {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        }
        Some(now)
    }
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    {
        None
    }
}

/// Wraps a time source so it never goes backwards: yrs computes `now - last` in `u64`, which would
/// overflow (a panic in debug builds) if the OS clock stepped back. Without a source every reading
/// jumps past the capture timeout, so each edit is its own undo step.
///
/// While `frozen` is set (a batch: `batch.rs`) time stands still, so every edit falls inside the
/// capture timeout of the one before and the undo manager merges them into one step.
pub struct MonotonicClock {
    source: Option<ClockFn>,
    last: AtomicU64,
    frozen: Arc<AtomicBool>,
}

impl MonotonicClock {
    /// A clock reading `source`, or stepping by more than the capture timeout if `None`; it stands
    /// still while `frozen` is true.
    pub fn new(source: Option<ClockFn>, frozen: Arc<AtomicBool>) -> Self {
        Self {
            source,
            last: AtomicU64::new(1),
            frozen,
        }
    }
}

impl yrs::sync::Clock for MonotonicClock {
    fn now(&self) -> u64 {
        let last = self.last.load(Ordering::Relaxed);
        if self.frozen.load(Ordering::Relaxed) {
            return last;
        }
        let next = match self.source {
            // yrs treats 0 as "no previous edit", so never return it.
            Some(source) => source().max(last).max(1),
            None => last.saturating_add(CAPTURE_TIMEOUT_MS + 1),
        };
        self.last.store(next, Ordering::Relaxed);
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::sync::Clock;

    #[test]
    fn never_goes_backwards() {
        fn backwards() -> u64 {
            static T: AtomicU64 = AtomicU64::new(1000);
            T.fetch_sub(10, Ordering::Relaxed)
        }
        let clock = MonotonicClock::new(Some(backwards), Arc::default());
        let a = clock.now();
        assert!(clock.now() >= a);
        let frozen = Arc::new(AtomicBool::new(false));
        let stepping = MonotonicClock::new(None, frozen.clone());
        let b = stepping.now();
        assert!(stepping.now() - b > CAPTURE_TIMEOUT_MS);
        frozen.store(true, Ordering::Relaxed);
        let c = stepping.now();
        assert_eq!(stepping.now(), c, "a frozen clock stands still");
    }
}
