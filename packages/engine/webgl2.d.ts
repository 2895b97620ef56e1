// `@yscene/engine/webgl2`: the bundle with WebGL2 only (one backend per bundle).
import type { InitInput, WasmExports } from "./engine.js";

export { Engine } from "./engine.js";
export type {
  AovMode, Backend, Camera, DragButton, EngineOptions, InitInput, Light, NodeInfo, NodeKind, Peer, PresenceInput,
  Quat, Rgb, SceneChangeEvent, Stats, UpdateGuardStats, Vec3, WasmExports,
} from "./engine.js";

/** Options of a bundle's `init`. */
export interface BundleInitOptions {
  /** Replaces the bundled .wasm (a URL, Response, bytes or compiled module). */
  module_or_path?: InitInput | Promise<InitInput>;
}

/** Loads and instantiates this bundle's wasm module; later calls share the first. */
export default function init(options?: BundleInitOptions): Promise<WasmExports>;
