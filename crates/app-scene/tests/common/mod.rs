//! Helpers shared by the integration tests that feed `SceneDoc` hostile bytes (`hostile.rs`,
//! `yrs_panics.rs`): the valid scene mutations start from, a deterministic byte mutator, and a panic
//! hook that keeps yrs's expected panics off the output.
// Each test file is its own crate and uses only part of this module.
#![allow(dead_code)]

use std::cell::RefCell;

use app_scene::SceneDoc;

/// The valid scene the mutations start from: every node kind, a parent link, a name, the light and
/// a removal, so its updates hold deletions as well as insertions. Both `hostile.rs` and the
/// `find_yrs_panics` search mutate its updates: changing it changes which mutants they try.
pub fn sample_scene() -> SceneDoc {
    let mut d = SceneDoc::with_client_id(7);
    let a = d.add_sphere([1.0, 2.0, 3.0], 1.0).unwrap();
    let b = d.add_box([0.0; 3], [1.0, 2.0, 3.0]).unwrap();
    d.set_parent(b.as_str(), Some(a.as_str())).unwrap();
    d.set_name(a.as_str(), "ball").unwrap();
    d.set_light([1.0, -1.0, 0.0], [1.0; 3], 2.0).unwrap();
    d.remove_node(b.as_str()).unwrap();
    d.add_plane([0.0; 3], 4.0).unwrap();
    d
}

thread_local! {
    /// Where the last panic on this thread happened (`file:line`), recorded by the quiet hook.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Keeps yrs's expected panics off the output but records where they happened (see
/// [`last_panic`]); panics from anywhere else (test assertions) still print. Installed once per
/// test binary, however many tests call it.
pub fn quiet_yrs_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let location = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()));
            let from_yrs = location.as_deref().is_some_and(|l| l.contains("yrs-"));
            LAST_PANIC.with(|p| *p.borrow_mut() = location);
            if !from_yrs {
                default(info);
            }
        }));
    });
}

/// Where the last panic on this thread happened, as recorded by [`quiet_yrs_panics`]'s hook, and
/// forgets it ("unknown" if none was recorded).
pub fn last_panic() -> String {
    LAST_PANIC
        .with(|p| p.borrow_mut().take())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// A tiny deterministic generator (no dependency needed for byte mutation). The seed must not be 0.
pub struct XorShift(pub u64);

impl XorShift {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// `bytes` with one to four random edits: flip a bit, replace, truncate, insert or remove a byte.
pub fn mutate(rng: &mut XorShift, bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for _ in 0..=rng.below(3) {
        match rng.below(5) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] = rng.next() as u8;
            }
            2 => out.truncate(rng.below(out.len() + 1)),
            3 => {
                let i = rng.below(out.len() + 1);
                out.insert(i, rng.next() as u8);
            }
            _ if !out.is_empty() => {
                let i = rng.below(out.len());
                out.remove(i);
            }
            _ => {}
        }
    }
    out
}

/// Like [`mutate`] (one to five edits), plus edits that keep an update decodable but wrong: nudging
/// a byte by ±1, setting it to a small number, or copying a run of bytes elsewhere. Used to search
/// for updates that panic yrs itself; a different random sequence from [`mutate`] for the same seed.
pub fn mutate_nudging(rng: &mut XorShift, bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for _ in 0..=rng.below(4) {
        if out.is_empty() {
            out.push(rng.next() as u8);
        }
        let i = rng.below(out.len());
        match rng.below(8) {
            0 => out[i] ^= 1 << rng.below(8),
            1 => out[i] = rng.next() as u8,
            2 => out.truncate(rng.below(out.len() + 1)),
            3 => out.insert(i, rng.next() as u8),
            4 => {
                out.remove(i);
            }
            // Structure fields are mostly small varints: nudging them keeps the update decodable
            // but wrong, which is where yrs's integration code trusts its input.
            5 => out[i] = out[i].wrapping_add(if rng.below(2) == 0 { 1 } else { 255 }),
            6 => out[i] = rng.below(10) as u8,
            _ => {
                let len = 1 + rng.below(16.min(out.len() - i));
                let piece = out[i..i + len].to_vec();
                let at = rng.below(out.len() + 1);
                out.splice(at..at, piece);
            }
        }
    }
    out
}
