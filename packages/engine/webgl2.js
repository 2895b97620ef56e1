// `@yscene/engine/webgl2`: the bundle with wgpu's WebGL2 backend only (no WebGPU backend: one
// backend per bundle), nothing chosen for you.
//
//   import init, { Engine } from '@yscene/engine/webgl2';
//   await init();
//   const engine = await Engine.create(canvas, { backend: "webgl2" });
//
// The .wasm is imported as a URL (`?url`: Vite's asset-URL import; esbuild resolves the same path with
// `--loader:.wasm=file`), so a bundler copies it next to its output with a hashed name, and init() hands
// that URL to wasm-bindgen's init. wasm-bindgen's own default (`new URL('app_wasm_bg.wasm',
// import.meta.url)`) would point beside the *bundle* after esbuild, where no such file is.
import glueInit, { Engine } from './dist/pkg-webgl2/app_wasm.js';
import wasmPath from './dist/pkg-webgl2/app_wasm_bg.wasm?url';

export { Engine };

/**
 * Loads and instantiates the WebGL2 bundle's wasm module (once; later calls share the first). `options.module_or_path`
 * (wasm-bindgen's `InitInput`: a URL, Response, bytes or a compiled module) replaces the bundled file.
 */
export default function init(options = {}) {
  return glueInit({ module_or_path: options?.module_or_path ?? resolveAsset(wasmPath) });
}

/** The bundled .wasm's `path` (relative to the bundler's output folder, or absolute) as a full URL. */
function resolveAsset(path) {
  // import.meta.url is the module's (or, after bundling, the output chunk's) URL; an IIFE build has none.
  const base = import.meta.url || (typeof document !== 'undefined' ? document.baseURI : globalThis.location?.href);
  return new URL(path, base);
}
