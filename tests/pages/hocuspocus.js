// Test page for tests/hocuspocus.test.mjs: one offscreen engine connected to a Hocuspocus server through
// the adapter. ?url=ws://…&doc=NAME&token=…; exposes window.engine, window.connection, window.statuses,
// window.frames (frames drawn).
import init, { Engine } from '/web/pkg/app_wasm.js';
import { connectHocuspocus } from '/web/collab/hocuspocus.js';

const params = new URLSearchParams(location.search);
try {
  await init();
  const engine = await Engine.create(document.getElementById('view'), { present: false });
  engine.resize(64, 64, 1);
  window.engine = engine;
  window.statuses = [];
  window.frames = 0;
  window.connection = connectHocuspocus(engine, {
    url: params.get('url'),
    document: params.get('doc'),
    token: params.get('token') ?? '',
    onStatus: (status) => window.statuses.push(status),
  });
  const loop = () => {
    engine.render_frame(1 / 60);
    window.frames++;
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  document.body.dataset.ready = 'true';
} catch (error) {
  console.error(error);
  document.body.dataset.ready = 'error';
}
