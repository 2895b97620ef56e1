// The smallest page that shows a lit sphere with three.js's WebGPURenderer. With ?present=0 it renders into a
// RenderTarget (headless Chromium destroys the device when a WebGPU canvas is presented).
import { WebGPURenderer, RenderTarget, Scene, PerspectiveCamera, DirectionalLight, Mesh, SphereGeometry, MeshStandardMaterial } from 'three/webgpu';
import { once, present, report } from './sphere-common.js';

const canvas = document.getElementById('view');
const renderer = new WebGPURenderer({ canvas, antialias: true });
await renderer.init();
renderer.setPixelRatio(1);
renderer.setSize(256, 256, false);
const target = present ? null : new RenderTarget(256, 256);
renderer.setRenderTarget(target);
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
    report(performance.now(), () => (target
      ? renderer.readRenderTargetPixelsAsync(target, 0, 0, 256, 256)
      : renderer.backend.device.queue.onSubmittedWorkDone().then(() => new Uint8Array(4))));
  }
});
