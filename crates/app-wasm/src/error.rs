//! The engine's error type: every failure a JavaScript caller can see. Leaf. wasm-bindgen turns each into a JS
//! `Error` whose message is the `Display` text below.

/// Why an `Engine` call failed. Each variant's message names the problem for the page developer.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Invalid argument or document edit (unknown id, NaN, radius ≤ 0, ...).
    #[error(transparent)]
    Scene(#[from] app_scene::SceneError),
    /// A malformed, oversized or refused y-protocols message (`sync_receive`).
    #[error(transparent)]
    Protocol(#[from] app_scene::ProtocolError),
    /// GPU failure (no adapter, device creation, read-back).
    #[error(transparent)]
    Render(#[from] app_render::RenderError),
    /// Invalid `Engine.create` options.
    #[error("invalid options: {0}")]
    Options(String),
    /// An argument outside the engine's scene API (sizes, pixel ratios) was invalid.
    #[error("{0}")]
    Argument(#[from] app_core::ValueError),
    /// An argument of the wrong type or shape (a string where a number belongs, a short array).
    #[error("{0}")]
    Invalid(String),
    /// Neither WebGPU nor WebGL2 could be used.
    #[error("{0}")]
    NoBackend(String),
    /// An earlier call panicked (a trap on wasm); the engine's state can no longer be trusted. Only
    /// builds that keep the panic hook (tests) log the panic's message to the console.
    #[error(
        "this engine stopped after an internal error (a trap inside one of its calls); create a new Engine"
    )]
    Poisoned,
    /// A call arrived while another was running on the same engine (a callback calling back in).
    #[error(
        "this engine is busy with another call (an engine call from inside a callback it is running?)"
    )]
    Busy,
    /// The engine's update guard refused remote bytes (`guard_host.rs`); the document is untouched.
    #[error("{0}")]
    Guard(String),
    /// A local edit while `set_read_only(true)` is in force.
    #[error(
        "this engine is read-only (set_read_only(true)): local edits are refused; remote updates still apply"
    )]
    ReadOnly,
    /// The engine was freed.
    #[error("this engine was freed")]
    Freed,
}
