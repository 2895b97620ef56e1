// glTF bench page for three.js (bundled by bench/build.mjs into /dist/gltf-three.js): WebGPURenderer into a
// 256×256 RenderTarget (as frame-three.js), GLTFLoader. `window.bench` mirrors gltf-ours.js:
//   importToPixels(url, view): GLTFLoader.parseAsync of the bytes in memory, add to the scene, one render,
//     readRenderTargetPixelsAsync (which waits for the GPU, like our read_pixels).
//   setupInstances(url, n): the model's first mesh as one InstancedMesh of n (three.js's fastest way).
//   run(opts): the shared rAF loop over renderer.render.
//   backToBack(calls): the same call back to back, no requestAnimationFrame (loop.js).
import * as THREE from 'three';
import { WebGPURenderer, RenderTarget } from 'three/webgpu';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';
import { cameras, fetchModel, instancePosition, litPixels } from './gltf-common.js';
import { backToBack, runFrames } from './loop.js';

const canvas = document.getElementById('view');
const renderer = new WebGPURenderer({ canvas, antialias: false });
await renderer.init();
if (!renderer.backend.isWebGPUBackend) throw new Error('WebGPURenderer fell back to WebGL');
const target = new RenderTarget(256, 256);
renderer.setRenderTarget(target);
renderer.setPixelRatio(1);
renderer.setSize(256, 256, false);

const scene = new THREE.Scene();
scene.add(new THREE.HemisphereLight(0xb0c0e0, 0x403020, 1));
const sun = new THREE.DirectionalLight(0xffffff, 3);
sun.position.set(0.4, 1, 0.6);
scene.add(sun);
const camera = new THREE.PerspectiveCamera(45, 1, 0.05, 500);
const loader = new GLTFLoader();

function view(name) {
  const { position, target: at, fov_y_deg: fov } = cameras[name];
  camera.fov = fov;
  camera.position.set(...position);
  camera.lookAt(...at);
  camera.updateProjectionMatrix();
}

window.bench = {
  async importToPixels(url, name) {
    const bytes = await fetchModel(url);
    const t0 = performance.now();
    const gltf = await loader.parseAsync(bytes.buffer, '');
    scene.add(gltf.scene);
    view(name);
    renderer.render(scene, camera);
    const drawCalls = renderer.info.render.drawCalls;
    const pixels = await renderer.readRenderTargetPixelsAsync(target, 0, 0, 256, 256);
    const ms = performance.now() - t0;
    return { ms, lit: litPixels(pixels), drawCalls };
  },
  async setupInstances(url, n) {
    const gltf = await loader.parseAsync((await fetchModel(url)).buffer, '');
    let mesh;
    gltf.scene.traverse((o) => { if (!mesh && o.isMesh) mesh = o; });
    const instanced = new THREE.InstancedMesh(mesh.geometry, mesh.material, n);
    const matrix = new THREE.Matrix4();
    for (let i = 0; i < n; i++) instanced.setMatrixAt(i, matrix.makeTranslation(...instancePosition(i, n)));
    scene.add(instanced);
    view('instances');
    renderer.render(scene, camera);
    const drawCalls = renderer.info.render.drawCalls;
    await renderer.readRenderTargetPixelsAsync(target, 0, 0, 256, 256);
    return { nodes: n, drawCalls };
  },
  run(opts) {
    return runFrames({ frame: () => renderer.render(scene, camera), edit() {}, sync() {} }, opts);
  },
  backToBack(calls) {
    return backToBack(() => renderer.render(scene, camera), calls);
  },
};
document.body.dataset.ready = 'true';
