// "Import model…": a .glb, or a .gltf with the files it names, from a file picker or dropped on the
// page, imported with engine.import_gltf (one undo step, synced to the room like any edit), then
// framed and selected. Reading shows a progress bar (large files take a moment); a file the engine
// refuses shows its error message.
//
//   const dispose = installModelImport(engine, { button, input, progress, status, onImported });

const MODEL = /\.(glb|gltf)$/i;

/** Reads `file` into a Uint8Array, calling `onBytes(n)` as chunks arrive. */
async function readFile(file, onBytes) {
  if (!file.stream) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    onBytes(bytes.length);
    return bytes;
  }
  const bytes = new Uint8Array(file.size);
  const reader = file.stream().getReader();
  let at = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes.set(value, at);
    at += value.length;
    onBytes(value.length);
  }
  return bytes.subarray(0, at);
}

/**
 * Imports `files` (a FileList or array): the first .glb/.gltf is the model, every other file a
 * resource it may name (by file name or by the path it was dropped with).
 */
export async function importFiles(engine, files, { onProgress } = {}) {
  const list = [...files];
  const model = list.find((f) => MODEL.test(f.name));
  if (!model) throw new Error('choose a .glb or .gltf file (with the .bin and image files a .gltf names)');
  const total = list.reduce((sum, f) => sum + f.size, 0);
  let loaded = 0;
  const progress = (n) => { loaded += n; onProgress?.(loaded, total); };
  const resources = {};
  for (const file of list) {
    if (file === model) continue;
    const bytes = await readFile(file, progress);
    resources[file.name] = bytes;
    if (file.webkitRelativePath) resources[file.webkitRelativePath] = bytes;
  }
  const bytes = await readFile(model, progress);
  return engine.import_gltf(bytes, { resources });
}

/** Wires the picker button, the hidden file input and page-wide drag and drop; returns the disposer. */
export function installModelImport(engine, { button, input, progress, status, onImported }) {
  const show = (text, isError = false) => {
    status.textContent = text;
    status.classList.toggle('error', isError);
  };
  const run = async (files) => {
    progress.hidden = false;
    progress.value = 0;
    show('Reading…');
    try {
      const result = await importFiles(engine, files, {
        onProgress: (loaded, total) => { progress.value = total ? loaded / total : 0; },
      });
      engine.frame_all();
      const skipped = result.ignored.length ? ` (not imported: ${result.ignored.join(', ')})` : '';
      show(`Imported ${result.roots.length} root node${result.roots.length === 1 ? '' : 's'}${skipped}`);
      onImported?.(result);
    } catch (error) {
      show(error.message ?? String(error), true);
    } finally {
      progress.hidden = true;
    }
  };
  const onClick = () => input.click();
  const onChange = () => { if (input.files.length) run(input.files); input.value = ''; };
  const onDragOver = (event) => { event.preventDefault(); };
  const onDrop = (event) => {
    event.preventDefault();
    if (event.dataTransfer?.files.length) run(event.dataTransfer.files);
  };
  button.addEventListener('click', onClick);
  input.addEventListener('change', onChange);
  document.addEventListener('dragover', onDragOver);
  document.addEventListener('drop', onDrop);
  return () => {
    button.removeEventListener('click', onClick);
    input.removeEventListener('change', onChange);
    document.removeEventListener('dragover', onDragOver);
    document.removeEventListener('drop', onDrop);
  };
}
