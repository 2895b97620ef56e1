//! The one wasm-bindgen boundary: the JavaScript `Engine` API (see `shared/API.md` and the README) over
//! `app-scene` (the Yrs document) and `app-render` (wgpu).
//!
//! Only this crate touches wasm-bindgen, web-sys and js-sys, and only on `wasm32`. What connects the scene
//! to the renderer ([`bridge`]) is plain Rust, so it is tested natively with `cargo test`.
//!
//! Two modules come out of this crate: the engine (the default) and, with `--features importer`, the
//! glTF importer (`importer_module.rs`: one exported function and nothing else), which the engine
//! loads on its first `import_gltf` (`gltf_importer.rs`) so pages that never import never download it.
//!
//! Floors (each file's `use crate::…` lines point only downward; `tests/layers.rs` checks it):
//! 1. `api/` — the `#[wasm_bindgen] impl Engine` glue, one file per concern.
//! 2. `engine.rs` — `Engine`, its parts, `with`/`edit` (which deliver queued events after every call).
//! 3. `state.rs` — the frame (`state/recovery.rs`: device-loss recovery).
//! 4. leaves — `asset_feed`, `bridge`, `change_summary`, `context_watch`, `create`, `device_watch`, `error`, `guard` (its own JS class), `guard_host` (the engine's own update guard), `gltf_importer`, `image_decode`, `import_options`, `js`,
//!    `mailbox`, `options`, `poison`, `presence`, `recovery_backoff`, `web`: they import only other leaves.

pub mod asset_feed;
pub mod bridge;
pub mod change_summary;
mod error;
pub mod recovery_backoff;

pub use error::EngineError;

#[cfg(all(target_arch = "wasm32", not(feature = "importer")))]
mod api;
#[cfg(all(target_arch = "wasm32", not(feature = "importer")))]
mod context_watch;
#[cfg(all(target_arch = "wasm32", not(feature = "importer")))]
mod create;
#[cfg(all(target_arch = "wasm32", not(feature = "importer")))]
mod device_watch;
#[cfg(all(target_arch = "wasm32", not(feature = "importer")))]
mod engine;
#[cfg(all(target_arch = "wasm32", not(feature = "importer")))]
mod gltf_importer;
#[cfg(all(target_arch = "wasm32", not(feature = "importer")))]
mod guard;
#[cfg(all(target_arch = "wasm32", not(feature = "importer")))]
mod guard_host;
#[cfg(all(target_arch = "wasm32", not(feature = "importer")))]
mod image_decode;
#[cfg(target_arch = "wasm32")]
mod import_options;
#[cfg(all(target_arch = "wasm32", feature = "importer"))]
mod importer_module;
#[cfg(all(target_arch = "wasm32", not(feature = "importer")))]
mod js;
#[cfg(all(target_arch = "wasm32", not(feature = "importer")))]
mod mailbox;
#[cfg(all(target_arch = "wasm32", not(feature = "importer")))]
mod options;
#[cfg(all(target_arch = "wasm32", not(feature = "importer")))]
mod poison;
#[cfg(all(target_arch = "wasm32", not(feature = "importer")))]
mod presence;
#[cfg(all(target_arch = "wasm32", not(feature = "importer")))]
mod state;
#[cfg(all(target_arch = "wasm32", not(feature = "importer")))]
pub mod web;

#[cfg(all(target_arch = "wasm32", not(feature = "importer")))]
pub use engine::Engine;
#[cfg(all(target_arch = "wasm32", not(feature = "importer")))]
pub use gltf_importer::{InProcessImporter, use_in_process_importer};
