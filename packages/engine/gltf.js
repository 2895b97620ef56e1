// `@yscene/engine/gltf`: loadGltf(engine, url, { onProgress }) fetches a glTF model and the files it
// names by relative URI, then imports it with engine.import_gltf.
//
//   import { loadGltf } from '@yscene/engine/gltf';
//   const { roots, ignored } = await loadGltf(engine, '/models/duck.glb', {
//     onProgress: ({ loaded, total }) => bar.value = total ? loaded / total : 0,
//   });
//
// A GLB with embedded data, or a .gltf with data: URIs, is one fetch. A model naming external buffers
// and images (a .gltf, or a GLB whose images are files beside it) is read (its JSON, or the GLB's JSON
// chunk) for their URIs, each fetched relative to the model's URL, and handed to the engine as
// `options.resources`. Progress counts bytes across every fetch (`total` is the sum of the
// Content-Length headers known so far, 0 while unknown). Errors name the URL that failed.

import wasmPath from './dist/pkg-gltf/app_wasm_bg.wasm?url';

const GLB_MAGIC = 0x46546c67; // "glTF", little-endian

/**
 * Makes `engine.import_gltf` find the glTF importer module (dist/pkg-gltf, loaded on the first import)
 * through this package. Needed wherever a bundler inlined the engine's glue, which then cannot find the
 * module beside itself; importing this module calls it, and so does loadGltf. The .wasm is imported as
 * a URL, like the engine bundles' (see webgpu.js), so bundlers copy it.
 */
export function enableGltfImport() {
  globalThis.__yscene_gltf_importer ??= async () => {
    const module = await import('./dist/pkg-gltf/app_wasm.js');
    const base = import.meta.url || (typeof document !== 'undefined' ? document.baseURI : globalThis.location?.href);
    await module.default({ module_or_path: new URL(wasmPath, base) });
    return module;
  };
}
enableGltfImport();

/** Fetches `url` into a Uint8Array, reporting bytes as they arrive. */
async function fetchBytes(url, fetchImpl, onChunk) {
  const response = await fetchImpl(url);
  if (!response.ok) throw new Error(`loadGltf: fetching ${url} failed: HTTP ${response.status}`);
  const total = Number(response.headers.get('content-length')) || 0;
  onChunk(0, total);
  if (!response.body || !response.body.getReader) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onChunk(bytes.length, 0);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.length;
    onChunk(value.length, 0);
  }
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

/** A GLB's JSON chunk (the first chunk, type "JSON"), or an empty array when the file is not one. */
function glbJson(bytes) {
  if (bytes.length < 20) return new Uint8Array(0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const length = view.getUint32(12, true);
  if (view.getUint32(16, true) !== 0x4e4f534a || 20 + length > bytes.length) return new Uint8Array(0); // "JSON"
  return bytes.subarray(20, 20 + length);
}

/** The external (non-`data:`) URIs of a glTF JSON document's buffers and images. */
function externalUris(bytes) {
  let json;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return []; // not JSON: import_gltf names the problem
  }
  const uris = [];
  for (const list of [json.buffers, json.images]) {
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      if (item && typeof item.uri === 'string' && !item.uri.startsWith('data:')) uris.push(item.uri);
    }
  }
  return [...new Set(uris)];
}

/**
 * Fetches the model at `url` (and, for a .gltf, the buffers and images it names) and imports it.
 * Resolves with `{ roots, ignored }` as engine.import_gltf does.
 */
export async function loadGltf(engine, url, options = {}) {
  enableGltfImport();
  const { onProgress, parent, fetch: fetchImpl = globalThis.fetch.bind(globalThis) } = options;
  let loaded = 0;
  let total = 0;
  const progress = (bytes, moreTotal) => {
    loaded += bytes;
    total += moreTotal;
    if (onProgress) onProgress({ loaded, total });
  };
  const base = new URL(url, globalThis.location ? globalThis.location.href : undefined);
  const bytes = await fetchBytes(base.href, fetchImpl, progress);
  const isGlb = bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) === GLB_MAGIC;
  const resources = {};
  await Promise.all(externalUris(isGlb ? glbJson(bytes) : bytes).map(async (uri) => {
    resources[uri] = await fetchBytes(new URL(uri, base).href, fetchImpl, progress);
  }));
  const importOptions = { resources };
  if (parent !== undefined) importOptions.parent = parent;
  return engine.import_gltf(bytes, importOptions);
}
