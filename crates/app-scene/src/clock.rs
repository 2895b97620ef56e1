//! The undo manager's clock. yrs groups edits made less than [`CAPTURE_TIMEOUT_MS`] apart into one
//! undo step (a slider drag), so it needs "now" in milliseconds. On wasm yrs has no clock of its own
//! and this crate must not depend on `js-sys`, so the time source is injected as a plain `fn`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};

/// Edits closer together than this merge into one undo step.
pub const CAPTURE_TIMEOUT_MS: u64 = 500;

/// At most this many edits merge into one undo step (10 s of a drag at 60 Hz). yrs merges each edit
/// into its step by rebuilding the step's whole id set, so without a bound an edit's cost would grow
/// with the stream it belongs to: a script moving a node every frame would make each edit slower
/// than the last. A longer unbroken stream of edits becomes several undo steps.
pub const MAX_STEP_EDITS: u32 = 600;

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
///
/// The [`MAX_STEP_EDITS`]th reading in a row within the capture timeout jumps just past it, which
/// starts a new step; the jump is kept as an offset on later readings, so a real pause after it
/// still counts as the pause it is.
pub struct MonotonicClock {
    source: Option<ClockFn>,
    last: AtomicU64,
    frozen: Arc<AtomicBool>,
    /// Added to every reading of `source`: the sum of the jumps made to end long steps.
    offset: AtomicU64,
    /// Readings in a row within the capture timeout of the one before (edits merged into the step).
    step_edits: AtomicU32,
}

impl MonotonicClock {
    /// A clock reading `source`, or stepping by more than the capture timeout if `None`; it stands
    /// still while `frozen` is true.
    pub fn new(source: Option<ClockFn>, frozen: Arc<AtomicBool>) -> Self {
        Self {
            source,
            last: AtomicU64::new(1),
            frozen,
            offset: AtomicU64::new(0),
            step_edits: AtomicU32::new(0),
        }
    }
}

impl yrs::sync::Clock for MonotonicClock {
    fn now(&self) -> u64 {
        let last = self.last.load(Ordering::Relaxed);
        if self.frozen.load(Ordering::Relaxed) {
            return last;
        }
        let mut next = match self.source {
            // yrs treats 0 as "no previous edit", so never return it.
            Some(source) => source()
                .saturating_add(self.offset.load(Ordering::Relaxed))
                .max(last)
                .max(1),
            None => last.saturating_add(CAPTURE_TIMEOUT_MS + 1),
        };
        // `next >= last` above. yrs extends the current step when `now - last < timeout`.
        let gap = next - last;
        if gap < CAPTURE_TIMEOUT_MS {
            if self.step_edits.fetch_add(1, Ordering::Relaxed) + 1 >= MAX_STEP_EDITS {
                let jump = CAPTURE_TIMEOUT_MS + 1 - gap;
                self.offset.fetch_add(jump, Ordering::Relaxed);
                next = next.saturating_add(jump);
                self.step_edits.store(0, Ordering::Relaxed);
            }
        } else {
            self.step_edits.store(0, Ordering::Relaxed);
        }
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

    #[test]
    fn a_long_unbroken_stream_is_cut_into_steps_and_pauses_keep_their_length() {
        static T: AtomicU64 = AtomicU64::new(10_000);
        fn fake() -> u64 {
            T.load(Ordering::Relaxed)
        }
        let frozen = Arc::new(AtomicBool::new(false));
        let clock = MonotonicClock::new(Some(fake), frozen.clone());
        let mut last = clock.now();
        let mut new_steps = 0;
        // 16 ms apart, as a drag at 60 Hz: a new step every MAX_STEP_EDITS readings.
        for _ in 0..3 * MAX_STEP_EDITS {
            T.fetch_add(16, Ordering::Relaxed);
            let now = clock.now();
            assert!(now >= last);
            if now - last >= CAPTURE_TIMEOUT_MS {
                new_steps += 1;
            }
            last = now;
        }
        assert_eq!(new_steps, 3);
        // After the jumps, a real pause longer than the timeout is still a new step...
        T.fetch_add(CAPTURE_TIMEOUT_MS + 1, Ordering::Relaxed);
        let after_pause = clock.now();
        assert!(after_pause - last > CAPTURE_TIMEOUT_MS);
        // ...and a short one is not.
        T.fetch_add(100, Ordering::Relaxed);
        assert_eq!(clock.now() - after_pause, 100);
        // A batch (frozen clock) is one step however long: no reading jumps.
        frozen.store(true, Ordering::Relaxed);
        let batch = clock.now();
        for _ in 0..2 * MAX_STEP_EDITS {
            assert_eq!(clock.now(), batch);
        }
    }
}
