#!/usr/bin/env bash
# Builds the two web bundles with the size-tuned release profile and prints their sizes:
#   web/pkg/         WebGPU only (the small download every WebGPU browser gets)
#   web/pkg-webgl2/  WebGPU + WebGL2 (wgpu's GL backend; loaded only where WebGPU has no adapter)
# web/engine-loader.js picks one at load time. wasm-opt is deliberately not run (see CLAUDE.md: Debian's
# writes broken wasm). `BUNDLES=webgpu` builds only the first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

build() { # <out dir> [cargo feature args...]
  local out=$1; shift
  cargo build -q -p app-wasm --target wasm32-unknown-unknown --release "$@"
  wasm-bindgen --target web --out-dir "$out" --out-name app_wasm \
    target/wasm32-unknown-unknown/release/app_wasm.wasm
  for f in "$out"/app_wasm_bg.wasm "$out"/app_wasm.js; do
    printf '[build-web] %-32s %8d bytes raw, %8d gzip -9, %8s brotli\n' "$f" "$(wc -c < "$f")" \
      "$(gzip -9c "$f" | wc -c)" "$(command -v brotli >/dev/null && brotli -cq 11 "$f" | wc -c || echo n/a)"
  done
}

build web/pkg
if [ "${BUNDLES:-all}" != webgpu ]; then
  build web/pkg-webgl2 --features webgl
fi
