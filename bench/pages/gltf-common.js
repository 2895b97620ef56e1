// Shared by the glTF bench pages (ours and three.js): the camera each model is seen from, the grid the
// instances stand in, and the lit-pixel count that proves a model was drawn.

/** Camera per model: the same view for both engines. */
export const cameras = {
  small: { position: [2.2, 1.6, 2.8], target: [0, 0, 0], fov_y_deg: 45 },
  large: { position: [0, 4.5, 5.5], target: [0, 0, 0], fov_y_deg: 45 },
  instances: { position: [9, 7, 11], target: [0, 0, 0], fov_y_deg: 45 },
};

/** Position of instance `i` of `n` in a cube-shaped grid, spacing 1.5, centred on the origin. */
export function instancePosition(i, n) {
  const s = Math.ceil(Math.cbrt(n));
  const half = ((s - 1) * 1.5) / 2;
  return [(i % s) * 1.5 - half, (Math.floor(i / s) % s) * 1.5 - half, Math.floor(i / (s * s)) * 1.5 - half];
}

/** Pixels that differ from the top-left corner (the background). */
export function litPixels(rgba) {
  let lit = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    if (Math.abs(rgba[i] - rgba[0]) + Math.abs(rgba[i + 1] - rgba[1]) + Math.abs(rgba[i + 2] - rgba[2]) > 24) lit++;
  }
  return lit;
}

/** The model's bytes (fetched before any timing: the network is not what is measured). */
export async function fetchModel(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
