// The engine page of the collaboration scale test and benchmark (tests/lib/scale.mjs): one engine joins a
// Hocuspocus room (?url=ws://…&doc=NAME&token=…[&guard=off]) and draws every frame (redraw "always", so an idle room
// costs a drawn frame too), measuring:
//   - per frame, the time inside the engine: render_frame (less the time of this page's own on_change and
//     on_presence listeners, which run inside it and are recorded apart) plus every sync_receive since the
//     last frame (remote updates and awareness are applied there, outside render_frame);
//   - per peer edit, when it was drawn: on_change names the changed nodes after the frame that applied
//     them, and the position read back identifies the edit (the crowd recorded when it sent each one).
// window.scale.phase ('idle' | 'active') picks the list frames are recorded into; scale.receive sums
// the active phase's sync_receive calls by message type.
import init, { Engine } from '/web/pkg/app_wasm.js';
import { connectHocuspocus } from '/web/collab/hocuspocus.js';

const params = new URLSearchParams(location.search);
const now = () => performance.timeOrigin + performance.now();
try {
  await init();
  const canvas = document.getElementById('view');
  // ?guard=off: without the update guard's second instance (to measure its share; never for real rooms).
  const options = { present: false, redraw: 'always' };
  if (params.get('guard') === 'off') options.update_guard = 'off';
  const engine = await Engine.create(canvas, options);
  engine.resize(canvas.width, canvas.height, 1);
  engine.set_camera({ position: [0, 9, 14], target: [0, 0, 0] });
  const scale = { phase: 'connecting', frames: { idle: [], active: [] }, drawn: [] };
  window.scale = scale;
  window.engine = engine;

  // Time spent applying what the room sends, between two frames.
  // scale.receive: totals per y-protocols message type (0 sync, 1 awareness): count and ms.
  let messageMs = 0;
  scale.receive = { sync: { count: 0, ms: 0 }, awareness: { count: 0, ms: 0 }, other: { count: 0, ms: 0 } };
  const receive = engine.sync_receive.bind(engine);
  engine.sync_receive = (message) => {
    const t0 = performance.now();
    try {
      return receive(message);
    } finally {
      const ms = performance.now() - t0;
      messageMs += ms;
      if (scale.phase === 'active') {
        const kind = scale.receive[['sync', 'awareness'][message[0]] ?? 'other'];
        kind.count++;
        kind.ms += ms;
      }
    }
  };
  // As a page listing its users would: on_presence comes at most once per frame, however many
  // awareness messages the room sends (scale.presenceReports counts the active phase's).
  scale.presenceReports = 0;
  // The page's own listeners run inside render_frame (the engine reports after a frame's work); their time
  // is recorded apart, so the engine's share of a frame can be told from what this page does with it.
  let listenerMs = 0;
  engine.on_presence(() => {
    const t0 = performance.now();
    if (scale.phase === 'active') scale.presenceReports++;
    listenerMs += performance.now() - t0;
  });
  engine.on_change(({ added, changed }) => {
    if (scale.phase !== 'active') return;
    const t0 = performance.now();
    const t = now();
    for (const id of [...added, ...changed]) {
      if (id.startsWith('scale-')) scale.drawn.push([id, engine.get_node(id).position[0], t]);
    }
    listenerMs += performance.now() - t0;
  });
  window.connection = connectHocuspocus(engine, {
    url: params.get('url'),
    document: params.get('doc'),
    token: params.get('token') ?? '',
  });
  let last = performance.now();
  const loop = () => {
    const t0 = performance.now();
    engine.render_frame(Math.min(0.1, (t0 - last) / 1000));
    const renderMs = performance.now() - t0;
    last = t0;
    scale.frames[scale.phase]?.push([renderMs - listenerMs, messageMs, listenerMs]);
    messageMs = 0;
    listenerMs = 0;
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  document.body.dataset.ready = 'true';
} catch (error) {
  console.error(error);
  document.body.dataset.ready = 'error';
}
