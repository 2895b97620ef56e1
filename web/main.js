// The demo page: one lit sphere, a radius slider, resize handling and a stats line.
// One wasm call per animation frame (render_frame); everything else is an event.
import init, { Engine } from './pkg/app_wasm.js';

const canvas = document.getElementById('view');
const radius = document.getElementById('radius');
const radiusValue = document.getElementById('radius-value');
const statsLine = document.getElementById('stats');

function showError(message) {
  const box = document.getElementById('error');
  box.textContent = message;
  box.hidden = false;
}

async function main() {
  await init();
  const params = new URLSearchParams(location.search);
  // ?present=0 renders offscreen only (read_pixels still works): for headless browsers whose WebGPU
  // canvas is broken (see README, "Testing in headless Chromium").
  const engine = await Engine.create(canvas, {
    backend: params.get('backend') ?? 'auto',
    present: params.get('present') !== '0',
  });
  window.engine = engine; // for the end-to-end tests and the console

  const resize = () => engine.resize(canvas.clientWidth, canvas.clientHeight, window.devicePixelRatio);
  // ResizeObserver reports CSS size changes; the engine sets the drawing buffer itself, which does not
  // change the CSS size, so this cannot loop.
  new ResizeObserver(resize).observe(canvas);
  matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`).addEventListener('change', resize);
  resize();

  const sphere = engine.add_sphere(0, 0, 0, Number(radius.value));
  radius.addEventListener('input', () => {
    engine.set_sphere_radius(sphere, Number(radius.value));
    radiusValue.textContent = Number(radius.value).toFixed(2);
  });

  let last = null;
  let frames = 0;
  let lastStats = performance.now();
  function tick(now) {
    // rAF timestamps can precede a performance.now() taken earlier; dt is never negative.
    engine.render_frame(last === null ? 0 : Math.max(0, (now - last) / 1000));
    last = now;
    frames += 1;
    if (now - lastStats > 500) {
      const s = engine.stats();
      const fps = (frames * 1000) / (now - lastStats);
      statsLine.textContent =
        `${s.backend}  ${fps.toFixed(0)} fps  ${s.frame_ms.toFixed(2)} ms/frame\n` +
        `${s.nodes} nodes  ${s.draw_calls} draw calls  ${s.width}×${s.height}`;
      frames = 0;
      lastStats = now;
    }
    requestAnimationFrame(tick);
  }
  requestAnimationFrame(tick);
  document.body.dataset.ready = 'true';
}

main().catch((error) => {
  console.error(error);
  showError(`This page needs WebGPU or WebGL2, and could not start: ${error.message ?? error}`);
  document.body.dataset.ready = 'error';
});
