// Picks and loads one of the two engine bundles.
//
// Why this exists: the engine ships as two wasm bundles. `pkg/` has only the WebGPU backend and is a
// small download; `pkg-webgl2/` has only wgpu's WebGL2 backend and is several times bigger. Most
// visitors with a working WebGPU adapter should never pay for WebGL2, and visitors without one (many
// Linux desktops, older browsers) must still get a picture. So the choice is made here, at load time,
// by actually asking for a WebGPU adapter: Chromium exposes `navigator.gpu` even where
// `requestAdapter()` then returns null, so the presence of `navigator.gpu` alone proves nothing.

/** Resolves to true when this browser hands out a WebGPU adapter. Never rejects. */
export async function hasWebGpuAdapter() {
  if (typeof navigator === 'undefined' || !navigator.gpu) return false;
  try {
    return (await navigator.gpu.requestAdapter()) != null;
  } catch {
    return false;
  }
}

/**
 * Which bundle `loadEngine(backendParam)` would load: "webgpu" or "webgl2". A forced backend gets its own
 * bundle (each carries one backend), so `?backend=webgpu` without an adapter says that WebGPU is missing.
 */
export async function chooseBundle(backendParam = 'auto') {
  if (backendParam === 'webgpu' || backendParam === 'webgl2') return backendParam;
  return (await hasWebGpuAdapter()) ? 'webgpu' : 'webgl2';
}

const bundleUrls = {
  webgpu: new URL('./pkg/app_wasm.js', import.meta.url),
  webgl2: new URL('./pkg-webgl2/app_wasm.js', import.meta.url),
};

/**
 * Loads the bundle that fits this browser and initialises its wasm module.
 * `backendParam` is the page's `?backend=` ("auto", "webgpu", "webgl2"): "webgpu" and "webgl2" load that
 * bundle; anything else gets the WebGPU-only bundle when an adapter exists, else the WebGL2 bundle.
 * Resolves to `{ Engine, bundle, wasm }`: the Engine class, "webgpu" | "webgl2", and what the bundle's
 * `init()` resolved to (the wasm exports; `wasm.memory` is the module's linear memory).
 * Rejects with an Error that says which file could not be loaded.
 */
export async function loadEngine(backendParam = 'auto') {
  const bundle = await chooseBundle(backendParam);
  const url = bundleUrls[bundle];
  let module;
  try {
    module = await import(url.href);
  } catch (error) {
    throw new Error(`could not load the ${bundle} engine bundle ${url.pathname}: ${error?.message ?? error}`);
  }
  const wasm = await module.default();
  return { Engine: module.Engine, bundle, wasm, url: url.href };
}
