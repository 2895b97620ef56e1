//! `Engine.create` options, validated at the edge.

use wasm_bindgen::JsValue;

use crate::EngineError;

/// Which graphics API the page asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendChoice {
    /// WebGPU when an adapter exists, else WebGL2.
    Auto,
    /// WebGPU only.
    WebGpu,
    /// WebGL2 only.
    WebGl2,
}

/// When `render_frame` draws (`options.redraw`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redraw {
    /// Only when the frame would differ from the last one drawn (the default): an unchanged scene
    /// with a still camera costs no GPU calls, and the canvas keeps showing the last frame.
    OnChange,
    /// Every call, as three.js's `renderer.render` does: for measuring the cost of drawing.
    Always,
}

/// Parsed `Engine.create(canvas, options)` options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreateOptions {
    /// `options.backend`.
    pub backend: BackendChoice,
    /// `options.present` (default true). `false` renders offscreen only, never touching the canvas's
    /// swap chain: for thumbnails, tests, and headless Chromium builds whose WebGPU canvas destroys the
    /// device on `getCurrentTexture()` (seen with Chromium 156 + SwiftShader; see README).
    pub present: bool,
    /// `options.max_frames_in_flight` (default 2; `Infinity`: no limit): how many offscreen frames the
    /// GPU may still be working on before `render_frame` skips drawing one (`stats().frames_skipped`).
    /// Presenting engines are paced by the canvas's swap chain instead. No limit is for measuring the
    /// CPU cost of every frame on a GPU slower than the page (the benchmarks, on SwiftShader).
    pub max_frames_in_flight: u32,
    /// `options.redraw`: `"on_change"` (default) or `"always"`.
    pub redraw: Redraw,
    /// `options.update_guard`: `"auto"` (default: remote bytes are rehearsed in a second instance
    /// first, where the page's layout allows one: `guard_host.rs`) or `"off"` (native checks only,
    /// for pages that bring their own guard, and for measuring).
    pub update_guard: bool,
    /// `options.msaa_samples`: 4 (default: 4× multisampling where the adapter allows it, else 1) or 1
    /// (one sample per pixel, as three.js's `antialias: false`; cheaper on slow and software GPUs).
    /// `stats().msaa_samples` reports what the device draws.
    pub msaa_samples: u32,
}

/// Every option `Engine.create` reads; any other name is refused (a typo must not pass silently).
const KNOWN: [&str; 6] = [
    "backend",
    "present",
    "max_frames_in_flight",
    "redraw",
    "update_guard",
    "msaa_samples",
];

/// The default `max_frames_in_flight`, as a swap chain's frame latency.
pub const DEFAULT_MAX_FRAMES_IN_FLIGHT: u32 = 2;

/// `max_frames_in_flight` for `Infinity`: frames are not counted at all.
pub const NO_FRAME_LIMIT: u32 = u32::MAX;

/// Validates `options.max_frames_in_flight` given as a number: a whole number from 1, or `Infinity`.
pub fn max_frames_in_flight(value: f64) -> Result<u32, EngineError> {
    if value == f64::INFINITY {
        return Ok(NO_FRAME_LIMIT);
    }
    if value.fract() == 0.0 && value >= 1.0 && value < f64::from(u32::MAX) {
        // Whole and in range (NaN fails every comparison above): the cast is exact.
        return Ok(value as u32);
    }
    Err(EngineError::Options(format!(
        "options.max_frames_in_flight must be a whole number from 1, or Infinity, got {value}"
    )))
}

/// `options[name]`, `undefined` when absent.
fn field(options: &JsValue, name: &str) -> Result<JsValue, EngineError> {
    js_sys::Reflect::get(options, &JsValue::from_str(name))
        .map_err(|_| EngineError::Options(format!("could not read options.{name}")))
}

/// `options[name]` as a boolean, `default` when absent.
fn flag(options: &JsValue, name: &str, default: bool) -> Result<bool, EngineError> {
    let value = field(options, name)?;
    if value.is_undefined() {
        return Ok(default);
    }
    value.as_bool().ok_or_else(|| {
        EngineError::Options(format!(
            "options.{name} must be true or false, got {value:?}"
        ))
    })
}

/// A value `choice` accepts: a string (`"auto"`) or a number (`4`).
trait Choice: Copy {
    /// Whether the JS `value` is this choice.
    fn matches(self, value: &JsValue) -> bool;
    /// How an error message names it.
    fn shown(self) -> String;
}

impl Choice for &str {
    fn matches(self, value: &JsValue) -> bool {
        value.as_string().as_deref() == Some(self)
    }
    fn shown(self) -> String {
        format!("\"{self}\"")
    }
}

impl Choice for f64 {
    fn matches(self, value: &JsValue) -> bool {
        value.as_f64() == Some(self)
    }
    fn shown(self) -> String {
        self.to_string()
    }
}

/// `options[name]` as one of `choices`, `default` when absent.
fn choice<C: Choice, T: Copy>(
    options: &JsValue,
    name: &str,
    choices: &[(C, T)],
    default: T,
) -> Result<T, EngineError> {
    let value = field(options, name)?;
    if value.is_undefined() {
        return Ok(default);
    }
    choices
        .iter()
        .find(|(choice, _)| choice.matches(&value))
        .map(|&(_, chosen)| chosen)
        .ok_or_else(|| {
            let names: Vec<String> = choices.iter().map(|(c, _)| c.shown()).collect();
            // "a", "b" or "c"
            let listed = match names.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
                _ => names.join(""),
            };
            EngineError::Options(format!("options.{name} must be {listed}, got {value:?}"))
        })
}

impl CreateOptions {
    /// Reads `options` (undefined, null or an object). Unknown names and wrong types are errors.
    pub fn from_js(options: &JsValue) -> Result<Self, EngineError> {
        if options.is_undefined() || options.is_null() {
            return Ok(Self {
                backend: BackendChoice::Auto,
                present: true,
                max_frames_in_flight: DEFAULT_MAX_FRAMES_IN_FLIGHT,
                redraw: Redraw::OnChange,
                update_guard: true,
                msaa_samples: 4,
            });
        }
        if !options.is_object() {
            return Err(EngineError::Options(
                "options must be an object, e.g. { backend: \"auto\" }".into(),
            ));
        }
        if let Some(key) = crate::js::unknown_key(options, &KNOWN) {
            return Err(EngineError::Options(format!(
                "unknown option \"{key}\" (known: {})",
                KNOWN.join(", ")
            )));
        }
        let backend = choice(
            options,
            "backend",
            &[
                ("auto", BackendChoice::Auto),
                ("webgpu", BackendChoice::WebGpu),
                ("webgl2", BackendChoice::WebGl2),
            ],
            BackendChoice::Auto,
        )?;
        let present = flag(options, "present", true)?;
        let msaa_samples = choice(options, "msaa_samples", &[(1.0, 1), (4.0, 4)], 4)?;
        let limit = field(options, "max_frames_in_flight")?;
        let max_frames_in_flight = if limit.is_undefined() {
            DEFAULT_MAX_FRAMES_IN_FLIGHT
        } else {
            let number = limit.as_f64().ok_or_else(|| {
                EngineError::Options(format!(
                    "options.max_frames_in_flight must be a number, got {limit:?}"
                ))
            })?;
            max_frames_in_flight(number)?
        };
        let redraw = choice(
            options,
            "redraw",
            &[("on_change", Redraw::OnChange), ("always", Redraw::Always)],
            Redraw::OnChange,
        )?;
        let update_guard = choice(
            options,
            "update_guard",
            &[("auto", true), ("off", false)],
            true,
        )?;
        Ok(Self {
            backend,
            present,
            max_frames_in_flight,
            redraw,
            update_guard,
            msaa_samples,
        })
    }
}
