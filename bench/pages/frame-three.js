// Frame-cost page for three.js (bundled by bench/build.mjs into /dist/frame-three.js).
// `?backend=webgpu` uses WebGPURenderer, `?backend=webgl2` WebGLRenderer; both render into a 256×256
// RenderTarget, as our engine renders offscreen with `present: false` (in headless Chromium presenting a WebGPU
// canvas destroys the device; for WebGL an undrawn canvas also keeps the compositor from throttling rAF to
// SwiftShader's pace, which would make the runs take hours).
// `window.bench.setup(n, kind)`: kind "mesh" = one Mesh per sphere, "instanced" = one InstancedMesh.
// The scene matches our engine's: spheres of radius 0.2 with 48 segments × 24 rings (our engine's sphere
// mesh), a PBR material (MeshStandardMaterial) and one directional light; no shadows (our engine draws a
// shadow map but redraws it only when something moved, so three.js gets the cheaper setup).
import * as THREE from 'three';
import { WebGPURenderer, RenderTarget } from 'three/webgpu';
import { backToBack, editBackToBack, gridPosition, gridRadius, runFrames } from './loop.js';

const backend = new URLSearchParams(location.search).get('backend') ?? 'webgpu';
const canvas = document.getElementById('view');
let renderer;
let target = null;
if (backend === 'webgpu') {
  renderer = new WebGPURenderer({ canvas, antialias: false });
  await renderer.init();
  if (!renderer.backend.isWebGPUBackend) throw new Error('WebGPURenderer fell back to WebGL');
  target = new RenderTarget(256, 256);
  renderer.setRenderTarget(target);
} else {
  renderer = new THREE.WebGLRenderer({ canvas, antialias: false });
  target = new THREE.WebGLRenderTarget(256, 256);
  renderer.setRenderTarget(target);
}
renderer.setPixelRatio(1);
renderer.setSize(256, 256, false);

let scene, camera, meshes, instanced, n;
const geometry = new THREE.SphereGeometry(0.2, 48, 24);
const material = new THREE.MeshStandardMaterial({ color: 0xb0b0b0, roughness: 0.5, metalness: 0 });
const matrix = new THREE.Matrix4();
const up = new THREE.Vector3(0, 1, 0);

const adapter = {
  edit(i) {
    const k = (i * 7919) % n;
    const [x, y, z] = gridPosition(k, n);
    const dy = i % 2 ? 0.05 : -0.05;
    if (instanced) {
      matrix.makeTranslation(x, y + dy, z);
      instanced.setMatrixAt(k, matrix);
      instanced.instanceMatrix.clearUpdateRanges();
      instanced.instanceMatrix.addUpdateRange(k * 16, 16);
      instanced.instanceMatrix.needsUpdate = true;
    } else {
      meshes[k].position.set(x, y + dy, z);
    }
  },
  /** The camera steps around the grid's centre, as OrbitControls would on a drag. */
  orbit() {
    camera.position.applyAxisAngle(up, 0.01);
    camera.lookAt(0, 0, 0);
  },
  frame() { renderer.render(scene, camera); },
  async sync() {
    if (backend === 'webgpu') await renderer.backend.device.queue.onSubmittedWorkDone();
    else {
      const gl = renderer.getContext();
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
    }
  },
};

window.bench = {
  backend,
  async setup(count, kind) {
    n = count;
    scene = new THREE.Scene();
    scene.background = new THREE.Color(0x202020);
    const light = new THREE.DirectionalLight(0xffffff, 3);
    light.position.set(5, 10, 7);
    scene.add(light);
    meshes = null;
    instanced = null;
    if (kind === 'instanced') {
      instanced = new THREE.InstancedMesh(geometry, material, n);
      for (let i = 0; i < n; i++) {
        const [x, y, z] = gridPosition(i, n);
        instanced.setMatrixAt(i, matrix.makeTranslation(x, y, z));
      }
      instanced.instanceMatrix.needsUpdate = true;
      instanced.computeBoundingSphere();
      scene.add(instanced);
    } else {
      meshes = new Array(n);
      for (let i = 0; i < n; i++) {
        const m = new THREE.Mesh(geometry, material);
        m.position.set(...gridPosition(i, n));
        scene.add(m);
        meshes[i] = m;
      }
    }
    const r = gridRadius(n);
    camera = new THREE.PerspectiveCamera(45, 1, 0.05, 10 * r + 10);
    const distance = r / Math.sin((22.5 * Math.PI) / 180);
    camera.position.set(0.55, 0.45, 0.7).normalize().multiplyScalar(distance);
    camera.lookAt(0, 0, 0);
    renderer.render(scene, camera); // compiles pipelines
    return { objects: scene.children.length };
  },
  async run(opts) { return { ...(await runFrames(adapter, opts)), callsPerFrame: null }; },
  backToBack(calls) { return backToBack(() => renderer.render(scene, camera), calls); },
  editBackToBack(opts) { return editBackToBack(adapter, opts); },
  teardown() {
    if (instanced) instanced.dispose();
    scene = null; meshes = null; instanced = null;
  },
  version: THREE.REVISION,
};
document.body.dataset.ready = 'true';
