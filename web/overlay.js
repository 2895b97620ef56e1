// The stats overlay: fps, frame time, backend, nodes and draw calls, refreshed twice a second.
//
// Why this exists: people (and whoever debugs a slow machine) want to see at a glance which backend
// they got and how fast it runs. It refreshes from a `setInterval` timer, never from the animation loop:
// reading `stats()` is an engine call, and the loop's budget is exactly one engine call per frame
// (`render_frame`). fps is counted in JavaScript from the loop's frame counter, which costs nothing.

const REFRESH_MS = 500;

/**
 * Starts refreshing `element` from `engine.stats()`. `frameCount()` returns how many frames the loop
 * has drawn so far; `bundle` names the loaded bundle; `callStats` (optional, `?debug=calls`) is shown too.
 * Returns a function that stops the timer.
 */
export function startOverlay({ element, engine, frameCount, bundle, callStats = null }) {
  let lastFrames = frameCount();
  let lastTime = performance.now();

  function update() {
    const now = performance.now();
    const frames = frameCount();
    const fps = ((frames - lastFrames) * 1000) / Math.max(1, now - lastTime);
    lastFrames = frames;
    lastTime = now;
    let s;
    try {
      s = engine.stats();
    } catch (error) {
      element.textContent = `engine stopped: ${error?.message ?? error}`;
      return;
    }
    const lines = [
      `${fps.toFixed(0).padStart(3)} fps   ${s.frame_ms.toFixed(2)} ms/frame`,
      `${s.backend}${bundle && bundle !== s.backend ? ` (${bundle} bundle)` : ''}   ${s.width}×${s.height}`,
      `${s.nodes} nodes   ${s.draw_calls} draw calls`,
    ];
    if (s.device_losses) lines.push(`GPU device recovered ${s.device_losses}×`);
    if (callStats) {
      const perFrame = callStats.frames ? callStats.callsInFrames / callStats.frames : 0;
      lines.push(
        `calls/frame ${perFrame.toFixed(2)} (max ${callStats.maxCallsInOneFrame})`,
        `calls outside frames ${callStats.callsOutsideFrames}`,
      );
    }
    element.textContent = lines.join('\n');
  }

  update();
  const timer = setInterval(update, REFRESH_MS);
  return () => clearInterval(timer);
}
