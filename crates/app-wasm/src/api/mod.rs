//! The JavaScript `Engine` API of `shared/API.md`: only `#[wasm_bindgen] impl Engine` glue, one file
//! per concern. Each method converts and validates its arguments, then makes one call below
//! (`Engine::with` / `Engine::edit` in `engine.rs`, which also queue the events the call produced).
//! Top floor: nothing below imports from here.

mod import;
mod lifecycle;
mod presence;
mod scene;
mod sync;
mod view;
