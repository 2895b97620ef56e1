//! When to ask for a new GPU device after a loss.
//!
//! A single loss is replaced at once: the next frame asks for a new device, so a page sees a few
//! frames go by, never the scene go. But a device can die again right after it was made (a GPU
//! process that keeps crashing, a driver reset loop, or headless Chromium, where presenting to a
//! WebGPU canvas destroys the device on every frame). Asking again at frame rate would rebuild every
//! GPU resource from the document 30–60 times a second, and browsers answer a page that loses
//! devices that often by blocking its GPU access. So repeated trouble waits, doubling:
//!
//! - the first loss, or a loss after a device lived [`STABLE_MS`]: ask at once;
//! - a loss within [`STABLE_MS`] of the last recovery, or a request that failed: wait
//!   [`FIRST_WAIT_MS`], then twice as long each time, up to [`MAX_WAIT_MS`].
//!
//! Plain Rust over a clock the caller passes in (milliseconds), so it is tested natively.

/// How long a new device must live for its loss to count as a fresh start.
pub const STABLE_MS: f64 = 5_000.0;
/// The wait after the first quick loss or failed request.
pub const FIRST_WAIT_MS: f64 = 250.0;
/// The longest wait between two requests.
pub const MAX_WAIT_MS: f64 = 8_000.0;

/// The retry schedule of one engine's device-loss recovery.
#[derive(Debug, Default, Clone)]
pub struct RecoveryBackoff {
    /// When the last recovered device was installed (`None` before the first recovery: the
    /// engine's first device is never held against it).
    recovered_at_ms: Option<f64>,
    /// Troubled attempts in a row: quick losses and failed requests since the last stable device.
    strikes: u32,
    /// While a loss is being handled: the earliest time the next request may go.
    next_request_at_ms: Option<f64>,
}

impl RecoveryBackoff {
    /// Whether a new device may be requested now, for a loss noticed at or before `now_ms`. The first
    /// call for a loss decides its wait (at once, or longer after repeated trouble).
    pub fn may_request(&mut self, now_ms: f64) -> bool {
        let at = *self.next_request_at_ms.get_or_insert_with(|| {
            let quick = self
                .recovered_at_ms
                .is_some_and(|at| now_ms - at < STABLE_MS);
            self.strikes = if quick { self.strikes + 1 } else { 0 };
            now_ms + wait_ms(self.strikes)
        });
        now_ms >= at
    }

    /// The request made at `now_ms` failed: the next one waits longer.
    pub fn request_failed(&mut self, now_ms: f64) {
        self.strikes += 1;
        self.next_request_at_ms = Some(now_ms + wait_ms(self.strikes));
    }

    /// A new device was installed at `now_ms`: the loss is over.
    pub fn recovered(&mut self, now_ms: f64) {
        self.recovered_at_ms = Some(now_ms);
        self.next_request_at_ms = None;
    }

    /// The wait before the next request, once one is scheduled (for the console message).
    pub fn wait_ms(&self) -> f64 {
        wait_ms(self.strikes)
    }
}

/// 0 for no strikes, then [`FIRST_WAIT_MS`] doubling per strike, capped at [`MAX_WAIT_MS`].
fn wait_ms(strikes: u32) -> f64 {
    match strikes {
        0 => 0.0,
        // The cap is reached long before the exponent could overflow an f64.
        n => (FIRST_WAIT_MS * 2f64.powi(n.min(32) as i32 - 1)).min(MAX_WAIT_MS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Simulates a device that is lost `lifetime_ms` after each recovery, for `span_ms`, asking every
    /// `frame_ms`: returns the recovery times.
    fn recoveries(lifetime_ms: f64, frame_ms: f64, span_ms: f64) -> Vec<f64> {
        let mut backoff = RecoveryBackoff::default();
        let mut lost_at = Some(0.0);
        let mut out = Vec::new();
        let mut now = 0.0;
        while now < span_ms {
            match lost_at {
                Some(at) if now >= at && backoff.may_request(now) => {
                    backoff.recovered(now);
                    out.push(now);
                    lost_at = Some(now + lifetime_ms);
                }
                _ => {}
            }
            now += frame_ms;
        }
        out
    }

    #[test]
    fn a_single_loss_is_answered_at_once() {
        let mut backoff = RecoveryBackoff::default();
        assert!(backoff.may_request(10.0));
        backoff.recovered(10.0);
        // A device that lived longer than STABLE_MS is a fresh start.
        assert!(backoff.may_request(10.0 + STABLE_MS + 1.0));
    }

    #[test]
    fn devices_that_die_at_once_are_asked_for_ever_more_slowly() {
        // A device lost on every frame: before, one recovery per frame (600 in 10 s at 60 Hz).
        let times = recoveries(0.0, 1000.0 / 60.0, 10_000.0);
        let gaps: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(times.len() <= 7, "{times:?}");
        assert!(times.len() >= 5, "it keeps trying: {times:?}");
        // Each wait about doubles (each gap also holds a frame or two: the loss is seen on the next
        // frame, the wait ends between frames), and none passes the cap.
        for pair in gaps.windows(2) {
            assert!(pair[1] >= pair[0] * 1.8, "{gaps:?}");
        }
        assert!(gaps.iter().all(|&g| g <= MAX_WAIT_MS + 20.0), "{gaps:?}");
        assert!(
            (FIRST_WAIT_MS..FIRST_WAIT_MS + 40.0).contains(&gaps[0]),
            "{gaps:?}"
        );
    }

    #[test]
    fn the_wait_is_capped() {
        let times = recoveries(0.0, 100.0, 120_000.0);
        let gaps: Vec<f64> = times.windows(2).map(|w| w[1] - w[0]).collect();
        let last = gaps.last().copied().unwrap_or_default();
        assert!(
            (MAX_WAIT_MS..MAX_WAIT_MS + 200.0).contains(&last),
            "{gaps:?}"
        );
    }

    #[test]
    fn a_device_that_lives_resets_the_schedule() {
        let mut backoff = RecoveryBackoff::default();
        assert!(backoff.may_request(0.0));
        backoff.recovered(0.0);
        assert!(!backoff.may_request(10.0), "a quick loss waits");
        assert!(backoff.may_request(10.0 + FIRST_WAIT_MS));
        backoff.recovered(300.0);
        // This device lives: its loss is answered at once, and the next quick one waits the first
        // wait again, not a doubled one.
        let later = 300.0 + STABLE_MS + 1.0;
        assert!(backoff.may_request(later));
        backoff.recovered(later);
        assert!(!backoff.may_request(later + 1.0));
        assert!(backoff.may_request(later + 1.0 + FIRST_WAIT_MS));
    }

    #[test]
    fn failed_requests_wait_longer_each_time() {
        let mut backoff = RecoveryBackoff::default();
        assert!(backoff.may_request(0.0));
        backoff.request_failed(0.0);
        assert!(!backoff.may_request(FIRST_WAIT_MS - 1.0));
        assert!(backoff.may_request(FIRST_WAIT_MS));
        backoff.request_failed(FIRST_WAIT_MS);
        assert_eq!(backoff.wait_ms(), 2.0 * FIRST_WAIT_MS);
        assert!(!backoff.may_request(FIRST_WAIT_MS * 3.0 - 1.0));
        assert!(backoff.may_request(FIRST_WAIT_MS * 3.0));
    }
}
