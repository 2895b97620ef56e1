// `?debug=calls`: counts engine calls inside and outside animation frames.
//
// Why this exists: the engine's first invariant for pages is "one wasm call per frame" — the rAF loop
// calls `render_frame(dt)` and nothing else; edits, camera input and stats reads happen in event
// handlers and timers. That is easy to break silently (a stats read or a `selected()` poll slipped into
// the loop costs a boundary crossing every frame). In debug mode every `Engine.prototype` method is
// wrapped in a counter, and the rAF callback runs inside `frame()`, so the page can show — and the
// end-to-end tests can assert — how many engine calls each frame made.

/**
 * Wraps every method of `Engine.prototype` (not wasm-bindgen's internal `__*` helpers) in a counter.
 * Returns `{ stats, frame(fn) }`: run each rAF callback's body through `frame(fn)`.
 * `stats` = `{ frames, callsInFrames, maxCallsInOneFrame, callsOutsideFrames, byMethod }`.
 */
export function instrumentEngineCalls(Engine) {
  const stats = { frames: 0, callsInFrames: 0, maxCallsInOneFrame: 0, callsOutsideFrames: 0, byMethod: {} };
  let inFrame = false;
  let callsThisFrame = 0;

  const proto = Engine.prototype;
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (name === 'constructor' || name.startsWith('__')) continue;
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (typeof descriptor.value !== 'function') continue; // getters/setters: none today
    const original = descriptor.value;
    const counted = function (...args) {
      if (inFrame) callsThisFrame++;
      else stats.callsOutsideFrames++;
      stats.byMethod[name] = (stats.byMethod[name] ?? 0) + 1;
      return original.apply(this, args);
    };
    Object.defineProperty(counted, 'name', { value: name });
    Object.defineProperty(proto, name, { ...descriptor, value: counted });
  }

  /** Runs `body` as one animation frame's work and records how many engine calls it made. */
  function frame(body) {
    inFrame = true;
    callsThisFrame = 0;
    try {
      return body();
    } finally {
      inFrame = false;
      stats.frames++;
      stats.callsInFrames += callsThisFrame;
      stats.maxCallsInOneFrame = Math.max(stats.maxCallsInOneFrame, callsThisFrame);
    }
  }

  return { stats, frame };
}
