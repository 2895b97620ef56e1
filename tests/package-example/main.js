// A user's program against the installed package, as its README shows it: init() picks the bundle, an engine
// on a canvas draws one sphere, and the page reports what it saw in window.result (tests/package.test.mjs).
// `present: false`: headless Chromium's WebGPU canvas cannot present (see the project README).
import init, { Engine } from '@yscene/engine';
import { attachControls } from '@yscene/engine/controls';
import { checkRoom, sceneFileBytes } from '@yscene/engine/collab';
import { enableGltfImport, loadGltf } from '@yscene/engine/gltf';

/** A one-triangle glTF (JSON with a data URI): what the bundled importer module must parse. */
const TRIANGLE = JSON.stringify({
  asset: { version: '2.0' },
  scenes: [{ nodes: [0] }],
  nodes: [{ mesh: 0, name: 'tri' }],
  meshes: [{ primitives: [{ attributes: { POSITION: 0 } }] }],
  accessors: [{ bufferView: 0, componentType: 5126, count: 3, type: 'VEC3', min: [0, 0, 0], max: [1, 1, 0] }],
  bufferViews: [{ buffer: 0, byteLength: 36 }],
  buffers: [{ byteLength: 36, uri: `data:application/octet-stream;base64,${btoa(String.fromCharCode(...new Uint8Array(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]).buffer)))}` }],
});

/** RGBA at CSS pixel (x, y) of an RGBA8 image `width` wide. */
function pixelAt(pixels, width, x, y) {
  const i = (y * width + x) * 4;
  return Array.from(pixels.subarray(i, i + 4));
}

async function main() {
  const canvas = document.getElementById('view');
  const before = Engine.create(canvas).then(() => 'resolved', (error) => String(error?.message ?? error));
  const { bundle } = await init();
  const engine = await Engine.create(canvas, { present: false });
  engine.resize(canvas.clientWidth, canvas.clientHeight, 1);
  engine.set_camera({ position: [0, 0, 4], target: [0, 0, 0], fov_y_deg: 45 });
  const id = engine.add_sphere(0, 0, 0, 1);
  engine.set_color(id, 0.8, 0.3, 0.2);
  engine.render_frame(1 / 60);
  const pixels = await engine.read_pixels();
  window.pixels = pixels; // the test saves them as a PNG
  const stats = engine.stats();
  const { width, height } = stats;
  // How many colours the sphere's middle has: a lit sphere is shaded, a flat disc is one colour.
  const shades = new Set();
  for (let y = Math.round(height * 0.35); y < height * 0.65; y += 2) {
    for (let x = Math.round(width / 2 - height * 0.15); x < width / 2 + height * 0.15; x += 2) {
      shades.add(pixelAt(pixels, width, x, y).slice(0, 3).join(','));
    }
  }

  // The other entry points: a wheel turn through the controls zooms out; a scene file has bytes.
  const dispose = attachControls(engine, canvas);
  const distance = () => Math.hypot(...engine.get_camera().position);
  const near = distance();
  canvas.dispatchEvent(new WheelEvent('wheel', { deltaY: 200, cancelable: true }));
  engine.render_frame(1);
  const far = distance();
  dispose();

  // glTF through the bundled importer module (enableGltfImport: the engine's glue was inlined here).
  enableGltfImport();
  const imported = await engine.import_gltf(new TextEncoder().encode(TRIANGLE));
  const gltfKind = engine.get_node(imported.roots[0]).kind;
  // loadGltf: a .gltf whose buffer and texture sit in subfolders, and a GLB whose image is a file beside
  // it (the test writes both under models/), each fetched with the files it names.
  const progress = [];
  const fromGltf = await loadGltf(engine, 'models/external.gltf', { onProgress: (p) => progress.push(p) });
  const fromGlb = await loadGltf(engine, 'models/external-image.glb');
  const last = progress[progress.length - 1];
  const loaded = {
    gltfNodes: fromGltf.roots.length && engine.children(fromGltf.roots[0]).length,
    glbNodes: fromGlb.roots.length && engine.children(fromGlb.roots[0]).length,
    // Bytes of the three files (total stays 0 where the server sends no Content-Length).
    progress: progress.length > 1 ? last : null,
  };

  const result = {
    bundle,
    backend: stats.backend,
    width,
    height,
    bytes: pixels.length,
    center: pixelAt(pixels, width, Math.floor(width / 2), Math.floor(height / 2)),
    corner: pixelAt(pixels, width, 2, 2),
    shades: shades.size,
    node: engine.get_node(id),
    isEngine: engine instanceof Engine,
    beforeInit: await before,
    zoomedOut: far > near,
    sceneFileBytes: sceneFileBytes(engine).length,
    room: checkRoom('demo'),
    gltfKind,
    loaded,
    liveBeforeFree: Engine.live_count(),
  };
  engine.free();
  result.liveAfterFree = Engine.live_count();
  return result;
}

main().then(
  (result) => { window.result = result; document.body.dataset.ready = 'true'; },
  (error) => { window.result = { error: String(error?.stack ?? error) }; document.body.dataset.ready = 'error'; },
);
