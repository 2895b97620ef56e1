#!/usr/bin/env bash
# Benchmarks, side by side with three.js and Yjs, in one process tree (see bench/README.md):
#   frame CPU cost (WebGPU + WebGL2, headless Chromium), incremental edit, scene load vs Yjs + heap per node,
#   download size (gzip -9, brotli), time to first frame, wasm calls per frame, and the native criterion benches.
# Writes bench/results/latest.json, latest.md (also printed) and frame-cost.svg.
#   BENCH_SMOKE=1   tiny sizes, a few frames, no native benches; fails if any figure is missing (tests run this)
#   BENCH_NATIVE=0  skip the cargo benches
#   BENCH_ONLY=gltf run only the sections whose name contains "gltf" (the bundles are still built)
# Needs the web bundles (built here if missing), Chromium (/usr/bin/chromium or $CHROMIUM) and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
if [ ! -f web/pkg/app_wasm_bg.wasm ] || [ ! -f web/pkg-webgl2/app_wasm_bg.wasm ]; then
  bash scripts/build-web.sh
fi
if [ ! -d tests/node_modules/playwright-core ]; then (cd tests && npm ci --no-audit --no-fund); fi
if [ ! -d bench/node_modules/three ] || [ ! -d bench/node_modules/esbuild ] || [ ! -d bench/node_modules/yjs ]; then
  (cd bench && npm ci --no-audit --no-fund)
fi
exec node bench/run.mjs
