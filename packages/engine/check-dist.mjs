// `npm pack` runs this first (prepack): the tarball is only complete once scripts/build-web.sh has copied
// both wasm bundles and the shared modules into dist/ (git-ignored). Not part of the package.
import { existsSync } from 'node:fs';

const needed = [
  'dist/pkg/app_wasm.js', 'dist/pkg/app_wasm_bg.wasm',
  'dist/pkg-webgl2/app_wasm.js', 'dist/pkg-webgl2/app_wasm_bg.wasm',
  'dist/pkg-gltf/app_wasm.js', 'dist/pkg-gltf/app_wasm_bg.wasm',
  'dist/controls.js', 'dist/collab/websocket.js',
];
const missing = needed.filter((path) => !existsSync(new URL(path, import.meta.url)));
if (missing.length) {
  console.error(`@yscene/engine: ${missing.join(', ')} missing. Build both bundles first, from the repository root:\n  bash scripts/build-web.sh`);
  process.exit(1);
}
