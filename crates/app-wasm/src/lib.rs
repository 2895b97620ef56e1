//! The one wasm-bindgen boundary: the JavaScript `Engine` API (see `shared/API.md` and the README) over
//! `app-scene` (the Yrs document) and `app-render` (wgpu).
//!
//! Only this crate touches wasm-bindgen, web-sys and js-sys, and only on `wasm32`. What connects the scene
//! to the renderer ([`bridge`]) is plain Rust, so it is tested natively with `cargo test`.
//!
//! Floors (each file's `use crate::…` lines point only downward; `tests/layers.rs` checks it):
//! 1. `api/` — the `#[wasm_bindgen] impl Engine` glue, one file per concern.
//! 2. `engine.rs` — `Engine`, its parts, `with`/`edit` (which deliver queued events after every call).
//! 3. `state.rs` — the frame and device-loss recovery.
//! 4. leaves — `asset_feed`, `bridge`, `change_summary`, `context_watch`, `create`, `device_watch`, `error`, `guard` (its own JS class), `guard_host` (the engine's own update guard), `image_decode`, `import_options`, `js`,
//!    `mailbox`, `options`, `poison`, `presence`, `web`: they import only other leaves.

pub mod asset_feed;
pub mod bridge;
pub mod change_summary;
mod error;

pub use error::EngineError;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod context_watch;
#[cfg(target_arch = "wasm32")]
mod create;
#[cfg(target_arch = "wasm32")]
mod device_watch;
#[cfg(target_arch = "wasm32")]
mod engine;
#[cfg(target_arch = "wasm32")]
mod guard;
#[cfg(target_arch = "wasm32")]
mod guard_host;
#[cfg(target_arch = "wasm32")]
mod image_decode;
#[cfg(target_arch = "wasm32")]
mod import_options;
#[cfg(target_arch = "wasm32")]
mod js;
#[cfg(target_arch = "wasm32")]
mod mailbox;
#[cfg(target_arch = "wasm32")]
mod options;
#[cfg(target_arch = "wasm32")]
mod poison;
#[cfg(target_arch = "wasm32")]
mod presence;
#[cfg(target_arch = "wasm32")]
mod state;
#[cfg(target_arch = "wasm32")]
pub mod web;

#[cfg(target_arch = "wasm32")]
pub use engine::Engine;
