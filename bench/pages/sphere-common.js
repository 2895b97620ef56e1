// Shared by the four lit-sphere pages: after the first frame has been submitted, reads the 256×256 image back
// (the same full-frame read for every engine, so "first frame with pixels" waits for the GPU), counts lit
// pixels (proof that a sphere was drawn) and publishes `window.result` for bench/run.mjs.
const params = new URLSearchParams(location.search);
export const present = params.get('present') !== '0';
/** `?once=1`: draw only the first frame (the benchmark measures it; later frames would queue GPU work). */
export const once = params.get('once') === '1';

export async function report(submittedMs, readback) {
  const pixels = await readback();
  const pixelsMs = performance.now();
  let lit = 0;
  for (let i = 0; i < pixels.length; i += 4) if (Math.abs(pixels[i] - pixels[i + 1]) > 0 || pixels[i] > 60) lit++;
  window.result = { submittedMs, pixelsMs, lit, bytes: pixels.length };
}
