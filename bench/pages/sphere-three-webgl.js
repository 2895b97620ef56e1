// The smallest page that shows a lit sphere with three.js's WebGLRenderer.
import { WebGLRenderer, Scene, PerspectiveCamera, DirectionalLight, Mesh, SphereGeometry, MeshStandardMaterial } from 'three';
import { once, report } from './sphere-common.js';

const canvas = document.getElementById('view');
const renderer = new WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true });
renderer.setPixelRatio(1);
renderer.setSize(256, 256, false);
const scene = new Scene();
const light = new DirectionalLight(0xffffff, 3);
light.position.set(5, 10, 7);
scene.add(light, new Mesh(new SphereGeometry(1, 48, 24), new MeshStandardMaterial({ color: 0xb0b0b0 })));
const camera = new PerspectiveCamera(45, 1, 0.1, 100);
camera.position.set(0, 0, 4);
let first = true;
renderer.setAnimationLoop(() => {
  renderer.render(scene, camera);
  if (first) {
    first = false;
    if (once) renderer.setAnimationLoop(null);
    const gl = renderer.getContext();
    report(performance.now(), async () => {
      const p = new Uint8Array(256 * 256 * 4);
      gl.readPixels(0, 0, 256, 256, gl.RGBA, gl.UNSIGNED_BYTE, p);
      return p;
    });
  }
});
