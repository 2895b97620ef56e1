// `@yscene/engine`: init() loads the bundle that fits the browser; `Engine` is then that bundle's class.
import type { Backend, Engine, InitInput, WasmExports } from "./engine.js";

export { Engine } from "./engine.js";
export type {
  AovMode, Backend, Camera, DragButton, EngineOptions, ImportOptions, ImportResult, InitInput, Light, NodeInfo,
  NodeKind, Peer, PresenceInput,
  Quat, Rgb, SceneChangeEvent, Stats, UpdateGuardStats, Vec3, WasmExports,
} from "./engine.js";

/** `init(options)`. */
export interface InitOptions {
  /**
   * `"auto"` (default): the WebGPU-only bundle when `navigator.gpu.requestAdapter()` gives an adapter, else the
   * WebGL2 bundle (fetched only then). `"webgpu"` / `"webgl2"`: that bundle.
   */
  backend?: "auto" | Backend;
  /** Replace a bundle's .wasm (a URL, Response, bytes or compiled module), for bundlers that do not copy it. */
  wasm?: { webgpu?: InitInput; webgl2?: InitInput };
}

/** What `init()` resolves to. */
export interface InitResult {
  /** The bundle loaded. */
  bundle: Backend;
  /** The loaded bundle's Engine class (the same as the `Engine` export from now on). */
  Engine: typeof Engine;
  /** The wasm module's exports. */
  wasm: WasmExports;
}

/**
 * Loads and instantiates the engine bundle; call (and await) it once before `Engine.create`. Later calls
 * return the same result; one asking for a different backend than the loaded one rejects.
 */
export default function init(options?: InitOptions): Promise<InitResult>;

/** Whether this browser hands out a WebGPU adapter (what `init()` asks). Never rejects. */
export function hasWebGpuAdapter(): Promise<boolean>;
