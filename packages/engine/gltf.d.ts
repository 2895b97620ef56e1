// `@yscene/engine/gltf`: fetch a glTF model and its relative files, then import it.
import type { Engine, ImportResult } from "./engine.js";

/** Bytes fetched so far across the model and its files; `total` is 0 while no size is known. */
export interface GltfProgress {
  loaded: number;
  total: number;
}

export interface LoadGltfOptions {
  /** Called as bytes arrive. */
  onProgress?: (progress: GltfProgress) => void;
  /** The node to import under. */
  parent?: string;
  /** The fetch to use (the global one by default). */
  fetch?: typeof globalThis.fetch;
}

/** Makes `engine.import_gltf` find the glTF importer module through this package (needed when a bundler inlined the engine; importing this module already does it). */
export function enableGltfImport(): void;

/** Fetches `url` (GLB or .gltf; the external buffers and images either names, relative to it) and imports it with `engine.import_gltf`. Errors name the URL that failed. */
export function loadGltf(engine: Engine, url: string | URL, options?: LoadGltfOptions): Promise<ImportResult>;
