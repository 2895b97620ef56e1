//! The engine's own update guard: remote bytes (`apply_update`, `apply_update_v2`, `sync_receive`) are
//! rehearsed in a *second* instance of this same WebAssembly module before the live document sees
//! them, so bytes that make yrs 0.28.1 panic trap that instance, never the engine's. No page-side
//! code is needed (`web/collab/guard.js` remains for pages that want its statistics and events).
//!
//! - **The instance.** One per page, shared by every engine: the wasm-bindgen glue is imported again
//!   under a different URL query (a new ES module record, so a new `wasm` instance with its own memory)
//!   and instantiated from the already compiled module (`wasm_bindgen::module()`; no download, no
//!   compile). Loaded when the first engine is created; a spare is prepared in the background, so
//!   a trap is replaced at once.
//! - **The mirror.** Per engine, created lazily on its first remote bytes from the live document
//!   (`UpdateGuard`, `guard.rs`). It follows local updates as they leave (`engine.rs`), so it never
//!   has to catch up by walking the document.
//! - **The rehearsal.** Applying the message to the mirror and encoding what it added (a diff, not
//!   the whole mirror): cost follows the message, not the document.
//! - **Where the glue cannot be found** (a bundler inlined it; a test runner's own layout) the guard
//!   is unavailable: remote bytes go through the native checks only (`update_walk.rs`), as before, and
//!   the console says so once.
//!
//! Leaf.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
let copies = 0;
const memories = [];
export async function guard_load_instance(module) {
  // The glue sits two folders up from this snippet (snippets/<crate>/inline0.js); a new query makes
  // a new module record, so a new instance with its own memory.
  if (!/\/snippets\/[^/]+\/inline\d+\.js$/.test(import.meta.url)) {
    // A bundler inlined this snippet: the glue is not a file of its own to load again.
    throw new Error('the engine was bundled; its glue cannot be loaded a second time');
  }
  const url = new URL('../../app_wasm.js', import.meta.url);
  url.searchParams.set('update-guard', String(++copies));
  const glue = await import(url.href);
  const exports = await glue.default({ module_or_path: module });
  memories.push(new WeakRef(exports.memory)); // weak: a dead instance's memory must be collectable
  if (typeof glue.UpdateGuard !== 'function') throw new Error('no UpdateGuard in ' + url.pathname);
  return glue;
}
export function guard_new_mirror(glue, state) {
  const mirror = new glue.UpdateGuard(state, null);
  mirror.set_full_rehearsal(false);
  return mirror;
}
export function guard_call(mirror, method, bytes) { return mirror[method](bytes); }
export function guard_memory_bytes() { return memories.reduce((sum, m) => sum + (m.deref()?.buffer.byteLength ?? 0), 0); }
export function guard_free(mirror) { try { mirror.free(); } catch {} }
export function guard_is_trap(error) { return error instanceof WebAssembly.RuntimeError; }
export function guard_message(error) { return String(error && error.message !== undefined ? error.message : error); }
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn guard_load_instance(module: JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    fn guard_new_mirror(glue: &JsValue, state: &[u8]) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    fn guard_call(mirror: &JsValue, method: &str, bytes: &[u8]) -> Result<JsValue, JsValue>;
    fn guard_free(mirror: &JsValue);
    fn guard_memory_bytes() -> f64;
    fn guard_is_trap(error: &JsValue) -> bool;
    fn guard_message(error: &JsValue) -> String;
}

/// The page's guard instances.
#[derive(Default)]
struct Host {
    /// The instance in use: its glue module namespace, and a generation number that mirrors record.
    current: Option<(u32, JsValue)>,
    /// Loaded and ready to replace `current` when it traps.
    spare: Option<JsValue>,
    /// A load is under way (of the first instance or a spare).
    loading: bool,
    /// Loading failed: this page's layout hides the glue. Not retried.
    unavailable: bool,
    /// Generations handed out so far.
    generation: u32,
}

thread_local! {
    static HOST: RefCell<Host> = RefCell::new(Host::default());
}

/// Loads one more instance of the glue and module.
async fn load() -> Result<JsValue, JsValue> {
    guard_load_instance(wasm_bindgen::module()).await
}

/// Makes sure the page has a guard instance (and starts a spare). Never fails: without one the
/// engine runs unguarded (see the module docs).
pub async fn start() {
    // Another engine may be loading the instance right now: wait for it (bounded) rather than
    // start a second load or leave this engine without a guard for its first messages.
    for _ in 0..1_000 {
        let (ready, loading) = HOST.with(|h| {
            let h = h.borrow();
            (h.current.is_some() || h.unavailable, h.loading)
        });
        if ready {
            return;
        }
        if !loading {
            break;
        }
        crate::web::yield_to_event_loop().await;
    }
    HOST.with(|h| h.borrow_mut().loading = true);
    let loaded = load().await;
    HOST.with(|h| {
        let mut h = h.borrow_mut();
        h.loading = false;
        match loaded {
            Ok(glue) => {
                h.generation += 1;
                h.current = Some((h.generation, glue));
            }
            Err(error) => {
                h.unavailable = true;
                web_sys::console::warn_1(
                    &format!(
                        "app-wasm: the update guard could not load a second instance ({}); remote updates are checked natively only",
                        guard_message(&error)
                    )
                    .into(),
                );
            }
        }
    });
    prepare_spare();
}

/// Starts loading a spare instance in the background, unless one exists or is loading.
fn prepare_spare() {
    let needed = HOST.with(|h| {
        let mut h = h.borrow_mut();
        let needed = h.spare.is_none() && !h.loading && !h.unavailable;
        if needed {
            h.loading = true;
        }
        needed
    });
    if !needed {
        return;
    }
    wasm_bindgen_futures::spawn_local(async {
        let loaded = load().await;
        HOST.with(|h| {
            let mut h = h.borrow_mut();
            h.loading = false;
            if let Ok(glue) = loaded {
                if h.current.is_none() {
                    h.generation += 1;
                    h.current = Some((h.generation, glue));
                } else {
                    h.spare = Some(glue);
                }
            }
        });
        // A trap while this one loaded left no spare behind the new current one.
        prepare_spare();
    });
}

/// The instance dies with a trap: the spare takes over now, another spare is prepared.
fn replace_current(dead_generation: u32) {
    HOST.with(|h| {
        let mut h = h.borrow_mut();
        if h.current.as_ref().map(|(g, _)| *g) != Some(dead_generation) {
            return;
        }
        h.current = None;
        if let Some(glue) = h.spare.take() {
            h.generation += 1;
            h.current = Some((h.generation, glue));
        }
    });
    prepare_spare();
}

/// `{ available, instances, spare, memory_bytes }` of the page's guard: whether one is loaded, how
/// many instances were loaded so far (each trap costs one), whether a spare is ready, and the memory
/// of every instance loaded (dead ones included until the browser collects them).
pub fn stats() -> (bool, u32, bool, f64) {
    HOST.with(|h| {
        let h = h.borrow();
        (
            h.current.is_some(),
            h.generation + u32::from(h.spare.is_some()),
            h.spare.is_some(),
            guard_memory_bytes(),
        )
    })
}

/// Why the guard refused bytes. The live document was not touched.
#[derive(Debug, thiserror::Error)]
pub enum GuardRefusal {
    /// yrs panicked on the bytes in the guard's instance (the trap's message: release bundles, built
    /// with `-Cpanic=immediate-abort`, carry no panic message, so it reads "unreachable").
    #[error(
        "update guard rejected the message: yrs would panic on it (its rehearsal trapped: {0})"
    )]
    Trapped(String),
    /// The mirror refused the bytes (malformed, hostile, oversized).
    #[error("{0}")]
    Refused(String),
    /// The guard's instance died on an earlier message and no replacement is ready yet.
    #[error(
        "update guard is restarting after a hostile message; this message was not applied (resynchronise later)"
    )]
    Unavailable,
}

/// Which rehearsal: the `UpdateGuard` method for each remote entry point.
#[derive(Debug, Clone, Copy)]
pub enum Check {
    /// `apply_update`.
    UpdateV1,
    /// `apply_update_v2`.
    UpdateV2,
    /// `sync_receive`.
    SyncMessage,
}

impl Check {
    fn method(self) -> &'static str {
        match self {
            Check::UpdateV1 => "check_update_v1",
            Check::UpdateV2 => "check_update_v2",
            Check::SyncMessage => "check_sync_message",
        }
    }
}

/// One engine's mirror in the page's guard instance.
pub struct GuardClient {
    /// The mirror and the generation of the instance it lives in.
    mirror: Option<(u32, JsValue)>,
    /// `options.update_guard: "off"`.
    off: bool,
}

impl GuardClient {
    /// A client with no mirror yet; `off` never vets (`options.update_guard: "off"`).
    pub fn new(off: bool) -> Self {
        Self { mirror: None, off }
    }

    /// Rehearses `bytes` for `check`. `Ok(true)`: vetted, apply them; `Ok(false)`: no guard on this
    /// page, apply them with the native checks only. `seed` gives the live document (v1) when the
    /// mirror must be (re)created.
    pub fn vet(
        &mut self,
        check: Check,
        bytes: &[u8],
        seed: impl FnOnce() -> Vec<u8>,
    ) -> Result<bool, GuardRefusal> {
        if self.off {
            return Ok(false);
        }
        let current = HOST.with(|h| {
            let h = h.borrow();
            (h.current.clone(), h.unavailable)
        });
        let (generation, glue) = match current {
            (Some(current), _) => current,
            (None, true) => return Ok(false),
            (None, false) => return Err(GuardRefusal::Unavailable),
        };
        let mirror = match &self.mirror {
            Some((g, mirror)) if *g == generation => mirror.clone(),
            _ => {
                self.drop_mirror();
                let mirror = match guard_new_mirror(&glue, &seed()) {
                    Ok(mirror) => mirror,
                    Err(error) => return Err(self.failed(generation, &error)),
                };
                self.mirror = Some((generation, mirror.clone()));
                mirror
            }
        };
        match guard_call(&mirror, check.method(), bytes) {
            Ok(_) => Ok(true),
            Err(error) => Err(self.failed(generation, &error)),
        }
    }

    /// The live document refused bytes the mirror took: the mirror is ahead; start a new one later.
    pub fn forget_mirror(&mut self) {
        self.drop_mirror();
    }

    /// True while a mirror exists: it must follow every local update of the live document.
    pub fn following(&self) -> bool {
        self.mirror.is_some()
    }

    /// Keeps the mirror in step with a local update of the live document.
    pub fn follow(&mut self, update: &[u8]) {
        if let Some((_, mirror)) = &self.mirror
            && guard_call(mirror, "follow", update).is_err()
        {
            // Our own updates never trap or fail; if one did, the next remote bytes reseed.
            self.drop_mirror();
        }
    }

    fn failed(&mut self, generation: u32, error: &JsValue) -> GuardRefusal {
        if guard_is_trap(error) {
            self.mirror = None; // its memory died with the instance
            replace_current(generation);
            GuardRefusal::Trapped(guard_message(error))
        } else {
            // The mirror ran the live document's own checks: say what they say, as an unguarded
            // engine would ("rejected update: ..."), without the guard's prefix.
            let message = guard_message(error);
            let native = [
                "update guard rejected the message: ",
                "update guard rejected the update: ",
            ]
            .iter()
            .find_map(|prefix| message.strip_prefix(prefix))
            .map(str::to_owned);
            GuardRefusal::Refused(native.unwrap_or(message))
        }
    }

    fn drop_mirror(&mut self) {
        if let Some((_, mirror)) = self.mirror.take() {
            guard_free(&mirror);
        }
    }
}

impl Drop for GuardClient {
    fn drop(&mut self) {
        self.drop_mirror();
    }
}
