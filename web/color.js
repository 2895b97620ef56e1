// Colour conversions between what people pick and what the engine stores.
//
// Why this exists: `<input type=color>` speaks sRGB hex ("#ff8800"), the engine's `set_color` takes
// *linear* RGB in 0..1 (lighting maths is linear), and `get_node().color` comes back linear. Passing hex
// values straight through would make every picked colour look washed out, so the page converts both ways
// here, with the exact piecewise sRGB transfer function (not a 2.2 gamma approximation), so a colour
// survives a round trip hex → linear → hex unchanged.

/** sRGB-encoded channel (0..1) → linear channel (0..1). */
export function srgbToLinear(c) {
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** Linear channel (0..1) → sRGB-encoded channel (0..1). */
export function linearToSrgb(c) {
  return c <= 0.0031308 ? c * 12.92 : 1.055 * c ** (1 / 2.4) - 0.055;
}

const clamp01 = (x) => Math.min(1, Math.max(0, x));

/** "#rrggbb" (or "#rgb") → [r, g, b] linear, each 0..1. Throws on anything else. */
export function hexToLinear(hex) {
  let h = String(hex).trim().replace(/^#/, '');
  if (/^[0-9a-f]{3}$/i.test(h)) h = h.replace(/./g, (d) => d + d);
  if (!/^[0-9a-f]{6}$/i.test(h)) throw new Error(`not a colour: ${hex}`);
  return [0, 2, 4].map((i) => srgbToLinear(parseInt(h.slice(i, i + 2), 16) / 255));
}

/** [r, g, b] linear (clamped to 0..1) → "#rrggbb" for `<input type=color>`. */
export function linearToHex(rgb) {
  return '#' + rgb.map((c) => Math.round(linearToSrgb(clamp01(c)) * 255).toString(16).padStart(2, '0')).join('');
}

/** A pleasant random colour (HSL with fixed saturation and lightness) as linear RGB, for new nodes. */
export function randomPleasantLinear(random = Math.random) {
  const hue = random() * 360;
  const s = 0.65;
  const l = 0.55;
  const k = (n) => (n + hue / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n) => l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  return [f(0), f(8), f(4)].map(srgbToLinear);
}
