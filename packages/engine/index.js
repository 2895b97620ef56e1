// `@yscene/engine`: init() picks the bundle, then `Engine` is that bundle's class.
//
//   import init, { Engine } from '@yscene/engine';
//   await init();                                   // or init({ backend: "webgl2" | "webgpu" | "auto" })
//   const engine = await Engine.create(canvas);
//
// Two bundles exist because wgpu's WebGL2 backend is a large part of the download: `./webgpu` (WebGPU only)
// and `./webgl2` (WebGL2 only). init() asks the browser for a WebGPU adapter (`navigator.gpu` is not
// enough: Chromium exposes it where requestAdapter() then returns null) and loads the WebGPU bundle when one
// comes back, else the WebGL2 bundle. Each bundle sits behind a dynamic import(), so a bundler that splits
// code (Vite, esbuild --splitting) puts it in its own chunk, and its .wasm is fetched only by its init().
//
// `Engine` is a live binding: before init() it is a stand-in whose create() rejects saying to call init()
// first; after init() it is the loaded bundle's class (instanceof works, statics such as live_count too).

const loaders = {
  webgpu: () => import('./webgpu.js'),
  webgl2: () => import('./webgl2.js'),
};
const BACKENDS = ['auto', 'webgpu', 'webgl2'];
const OPTIONS = ['backend', 'wasm'];

/** `Engine` until init() has loaded a bundle. */
class EngineBeforeInit {
  constructor() {
    throw new Error('Engine has no constructor: call `await init()`, then `await Engine.create(canvas)`');
  }

  static create() {
    return Promise.reject(new Error('call `await init()` (from "@yscene/engine") before Engine.create: it loads the engine bundle'));
  }

  static live_count() {
    return 0;
  }
}

/** The engine class of the loaded bundle (a stand-in until init() resolves). */
export let Engine = EngineBeforeInit;

let loading = null; // the first successful (or pending) init(): { promise, requested }

/** Resolves to true when this browser hands out a WebGPU adapter. Never rejects. */
export async function hasWebGpuAdapter() {
  if (typeof navigator === 'undefined' || !navigator.gpu) return false;
  try {
    return (await navigator.gpu.requestAdapter()) != null;
  } catch {
    return false;
  }
}

function checkOptions(options) {
  if (options === undefined || options === null) return { backend: 'auto', wasm: {} };
  if (typeof options !== 'object') throw new Error('init(options): options must be an object, e.g. { backend: "auto" }');
  for (const key of Object.keys(options)) {
    if (!OPTIONS.includes(key)) throw new Error(`init(options): unknown option "${key}" (known: ${OPTIONS.join(', ')})`);
  }
  const backend = options.backend ?? 'auto';
  if (!BACKENDS.includes(backend)) {
    throw new Error(`init(options): options.backend must be "auto", "webgpu" or "webgl2", got ${JSON.stringify(backend)}`);
  }
  const wasm = options.wasm ?? {};
  if (typeof wasm !== 'object') throw new Error('init(options): options.wasm must be { webgpu?, webgl2? }');
  return { backend, wasm };
}

/**
 * Loads the engine bundle that fits this browser (or `options.backend`) and instantiates its wasm module.
 * `options.wasm.webgpu` / `options.wasm.webgl2` replace a bundle's .wasm (a URL, Response, bytes or a
 * compiled module), for setups whose bundler does not copy it. Resolves to `{ bundle, Engine, wasm }`;
 * calling it again returns the same promise (a different explicit backend than the one loaded rejects).
 */
export default function init(options) {
  let checked;
  try {
    checked = checkOptions(options);
  } catch (error) {
    return Promise.reject(error);
  }
  const { backend, wasm } = checked;
  if (loading) {
    if (backend !== 'auto' && loading.requested !== backend) {
      return loading.promise.then((result) => {
        if (result.bundle === backend) return result;
        throw new Error(`init(): the ${result.bundle} bundle is already loaded; { backend: "${backend}" } must be passed to the first init() call`);
      });
    }
    return loading.promise;
  }
  const promise = (async () => {
    const bundle = backend === 'auto' ? ((await hasWebGpuAdapter()) ? 'webgpu' : 'webgl2') : backend;
    let module;
    try {
      module = await loaders[bundle]();
    } catch (error) {
      throw new Error(`could not load the ${bundle} engine bundle: ${error?.message ?? error}`);
    }
    const exports = await module.default(wasm[bundle] === undefined ? {} : { module_or_path: wasm[bundle] });
    Engine = module.Engine;
    return { bundle, Engine: module.Engine, wasm: exports };
  })();
  loading = { promise, requested: backend };
  // A failed load (offline, a missing file) may be retried.
  promise.catch(() => { if (loading?.promise === promise) loading = null; });
  return promise;
}
