// The scene as a file: Export downloads the whole document as one Yjs v2 update (`encode_state_v2`,
// the bytes of `Y.encodeStateAsUpdateV2(doc)`), Import merges such a file into the current scene
// (`apply_update_v2`, as `Y.applyUpdateV2(doc, bytes)` does: nodes of both survive, and importing the
// same file twice changes nothing the second time). A JavaScript Yjs page reads the file with
// `Y.applyUpdateV2(new Y.Doc(), bytes)` and the scene is its `nodes` map.
//
// Why v2: it is the compact Yjs encoding (about a third smaller than v1 for transform-heavy scenes) and
// what Yjs itself recommends for storing documents. The file is the raw update, no header, so any Yjs
// tool opens it.

export const SCENE_FILE_NAME = 'scene.ysc';
/** Larger files are refused before they are read (a 10,000-node scene is about 1 MB). */
export const MAX_SCENE_FILE_BYTES = 32 << 20;

/** The current scene as scene-file bytes (a Yjs v2 update of the whole document). */
export function sceneFileBytes(engine) {
  return engine.encode_state_v2();
}

/** Offers the current scene as a download named `fileName`; returns the number of bytes. */
export function exportScene(engine, { fileName = SCENE_FILE_NAME } = {}) {
  const bytes = sceneFileBytes(engine);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  return bytes.length;
}

/**
 * Merges scene-file `bytes` into `engine`. Throws an Error saying what is wrong with the file (named
 * `label` in the message) and changes nothing when the bytes are not a valid scene file.
 * Returns `{ before, after }`: the node counts.
 */
export function importSceneBytes(engine, bytes, label = 'the file') {
  if (!(bytes instanceof Uint8Array)) throw new Error(`${label}: expected bytes (a Uint8Array)`);
  if (bytes.length === 0) throw new Error(`${label} is empty: it is not a scene file`);
  if (bytes.length > MAX_SCENE_FILE_BYTES) {
    throw new Error(`${label} is ${bytes.length} bytes; scene files are at most ${MAX_SCENE_FILE_BYTES} bytes`);
  }
  const before = engine.node_ids().length;
  try {
    engine.apply_update_v2(bytes);
  } catch (error) {
    // The engine validates the whole update before applying any of it: nothing changed.
    throw new Error(`${label} is not a scene file (a Yjs v2 update, as Export writes): ${error?.message ?? error}`);
  }
  return { before, after: engine.node_ids().length };
}

/** Reads a `File` (from an <input type=file> or a drop) and merges it; see `importSceneBytes`. */
export async function importSceneFile(engine, file) {
  if (!file) throw new Error('no file was chosen');
  const label = JSON.stringify(file.name ?? 'the file');
  if (file.size > MAX_SCENE_FILE_BYTES) {
    throw new Error(`${label} is ${file.size} bytes; scene files are at most ${MAX_SCENE_FILE_BYTES} bytes`);
  }
  return importSceneBytes(engine, new Uint8Array(await file.arrayBuffer()), label);
}
