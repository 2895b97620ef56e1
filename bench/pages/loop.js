// The measuring loop shared by every frame-cost page (ours and three.js).
// `runFrames(engine, opts)` drives `requestAnimationFrame` and times only the per-frame call
// (`engine.frame(dt)`: our `render_frame`, three.js's `renderer.render`) with performance.now(), plus the
// optional edit (`engine.edit(i)`) when `opts.edit` is set. `fps` = frames submitted per second of the rAF
// loop. With `opts.sync` it first waits for the GPU (`engine.sync()`) so fps counts finished frames; the
// benchmark leaves that off: SwiftShader needs seconds per frame at these sizes (see bench/README.md).

export const side = (n) => Math.ceil(Math.cbrt(n));

/** Position of sphere `i` of `n` in a cube-shaped grid (spacing 0.5, radius 0.2), centred on the origin. */
export function gridPosition(i, n) {
  const s = side(n);
  const half = ((s - 1) * 0.5) / 2;
  return [(i % s) * 0.5 - half, (Math.floor(i / s) % s) * 0.5 - half, Math.floor(i / (s * s)) * 0.5 - half];
}

/** The radius of a sphere around the grid, for framing cameras. */
export const gridRadius = (n) => (side(n) * 0.5 * Math.sqrt(3)) / 2 + 0.2;

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Runs `warmup + frames` animation frames. Returns `{ times, edited, editTimes, wallMs, fps, frames }`
 * (`edited[k]`: whether frame k was edited; `edit: 'alternate'` edits every other frame):
 * `times[k]` = ms inside the per-frame call (plus the edit when `edit`, or the camera step when `orbit`: every
 * frame then sees the scene from a new angle), `editTimes[k]` = ms of the edit (or camera
 * step) alone.
 */
export function runFrames(engine, { frames = 300, warmup = 30, edit = false, orbit = false, sync = false, maxMs = Infinity } = {}) {
  // `maxMs` bounds a run's wall time: warm-up ends early after maxMs / 4, measuring after maxMs (`frames` then
  // reports how many were measured), so very slow configurations cannot stall the whole benchmark.
  return new Promise((resolve, reject) => {
    const times = [];
    const editTimes = [];
    const edited = [];
    let i = 0;
    let start = 0;
    let last = performance.now();
    const begin = last;
    const tick = async (now) => {
      try {
        if (i < warmup && i > 0 && performance.now() - begin > maxMs / 4) {
          warmup = i;
        }
        if (i === warmup) start = performance.now();
        const dt = Math.min(0.1, Math.max(0, (now - last) / 1000));
        last = now;
        const a = performance.now();
        // `edit: 'alternate'`: every other frame edited, so edited and unchanged frames interleave.
        const editing = edit === 'alternate' ? i % 2 === 1 : edit;
        if (editing) engine.edit(i);
        if (orbit) engine.orbit(i);
        const b = performance.now();
        engine.frame(dt);
        const c = performance.now();
        if (i >= warmup) {
          times.push(c - a);
          edited.push(editing);
          if (editing || orbit) editTimes.push(b - a);
        }
        i++;
        if (i > warmup && performance.now() - start > maxMs) frames = i - warmup;
        if (i < warmup + frames) {
          requestAnimationFrame(tick);
        } else {
          if (sync) await engine.sync();
          const wallMs = performance.now() - start;
          resolve({ times, edited, editTimes, wallMs, fps: (times.length * 1000) / wallMs, frames: times.length, warmup });
        }
      } catch (error) {
        reject(error);
      }
    };
    requestAnimationFrame(tick);
  });
}

/**
 * `calls` per-frame calls back to back, 50 per task (no requestAnimationFrame): median ms per call. Separates
 * what the call itself costs from the contention a rAF callback meets on this machine (see bench/README.md).
 */
export async function backToBack(frame, calls) {
  const times = [];
  while (times.length < calls) {
    for (let i = 0; i < 50 && times.length < calls; i++) {
      const a = performance.now();
      frame(1 / 60);
      times.push(performance.now() - a);
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return { medianMs: median(times), calls: times.length };
}

/**
 * An edit's cost without requestAnimationFrame's noise: `blocks` pairs of blocks of `per` calls back to back,
 * one block of unchanged frames (`frame`) and one of edited frames (`edit(i)` then `frame`), in alternating
 * order, each block timed as a whole (so the timer's 5–100 µs granularity does not matter), a task between
 * blocks. Returns ms per call for each block (`plain`, `edited`) and per pair (`extra`: edited − unchanged).
 */
export async function editBackToBack({ edit, frame }, { blocks = 40, per = 25 } = {}) {
  const plain = [];
  const edited = [];
  const extra = [];
  let i = 0;
  const block = (editing) => {
    const a = performance.now();
    for (let k = 0; k < per; k++) {
      if (editing) edit(i++);
      frame(1 / 60);
    }
    return (performance.now() - a) / per;
  };
  for (let b = 0; b < blocks; b++) {
    // Alternating which block goes first, so neither always meets the other's leftover GPU work.
    const order = b % 2 ? [true, false] : [false, true];
    const t = {};
    for (const editing of order) {
      t[editing] = block(editing);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    plain.push(t[false]);
    edited.push(t[true]);
    extra.push(t[true] - t[false]);
  }
  return { plain, edited, extra, per };
}
