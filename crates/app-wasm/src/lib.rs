//! The one wasm-bindgen boundary: the JavaScript `Engine` API (see `shared/API.md` and the README) over
//! `app-scene` (the Yrs document) and `app-render` (wgpu).
//!
//! Only this crate touches wasm-bindgen, web-sys and js-sys, and only on `wasm32`. What connects the scene
//! to the renderer ([`bridge`]) is plain Rust, so it is tested natively with `cargo test`.

pub mod bridge;
mod error;

pub use error::EngineError;

#[cfg(target_arch = "wasm32")]
mod create;
#[cfg(target_arch = "wasm32")]
mod device_watch;
#[cfg(target_arch = "wasm32")]
mod engine;
#[cfg(target_arch = "wasm32")]
mod guard;
#[cfg(target_arch = "wasm32")]
mod js;
#[cfg(target_arch = "wasm32")]
mod options;
#[cfg(target_arch = "wasm32")]
mod outbox;
#[cfg(target_arch = "wasm32")]
mod poison;
#[cfg(target_arch = "wasm32")]
mod presence;
#[cfg(target_arch = "wasm32")]
mod state;
#[cfg(target_arch = "wasm32")]
mod sync;
#[cfg(target_arch = "wasm32")]
mod view;
#[cfg(target_arch = "wasm32")]
pub mod web;

#[cfg(target_arch = "wasm32")]
pub use engine::Engine;
