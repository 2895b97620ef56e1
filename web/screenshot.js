// Screenshot button: the current view as a downloaded PNG.
//
// Why this exists: `canvas.toBlob()` cannot be trusted for a WebGPU/WebGL canvas (the drawing buffer may
// already be presented and cleared, and with `?present=0` the canvas shows nothing at all). The engine's
// `read_pixels()` renders the current view and returns its RGBA8 pixels (drawing-buffer size, rows top to
// bottom, sRGB like the canvas), which is exactly what a screenshot should contain, at full HiDPI size.

/** Encodes RGBA8 `pixels` (width × height) as a PNG Blob, through a 2D canvas. */
export async function pixelsToPngBlob(pixels, width, height) {
  const rgba = new Uint8ClampedArray(pixels.length);
  rgba.set(pixels);
  for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255; // the view is opaque; never save a see-through PNG
  const canvas = new OffscreenCanvas(width, height);
  canvas.getContext('2d').putImageData(new ImageData(rgba, width, height), 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}

/** Reads the engine's view and offers it as `scene-YYYYMMDD-HHMMSS.png`. Resolves to the Blob. */
export async function downloadScreenshot(engine) {
  // Size first, then pixels: a resize between the two shows up as a length mismatch, and one retry heals it.
  for (let attempt = 0; attempt < 2; attempt++) {
    const { width, height } = engine.stats();
    const pixels = await engine.read_pixels();
    if (pixels.length !== width * height * 4) continue;
    const blob = await pixelsToPngBlob(pixels, width, height);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `scene-${stamp}.png`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    return blob;
  }
  throw new Error('the view changed size while the screenshot was taken; try again');
}
