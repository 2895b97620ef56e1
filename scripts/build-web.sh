#!/usr/bin/env bash
# Builds the web bundles with the size-tuned release profile and prints their sizes:
#   web/pkg/         WebGPU only (the small download every WebGPU browser gets)
#   web/pkg-webgl2/  WebGL2 only (wgpu's GL backend, without its WebGPU one; loaded only where WebGPU has
#                    no adapter)
#   web/pkg-gltf/    the glTF importer (app-wasm --features importer), loaded by either engine bundle on
#                    its first import_gltf, from beside it
# web/engine-loader.js picks one at load time. `BUNDLES=webgpu` builds only the first.
# Each wasm goes through binaryen's wasm-opt from npm (scripts/wasm-opt/, binaryen 132; never Debian's 108,
# which writes broken wasm): `-O1 --converge` was chosen by gzip size, which -Oz and -Os make larger than
# rustc's opt-level "z" output (2026-12-07: WebGPU 341,700 -> 334,768 B, WebGL2 1,046,460 -> 1,030,603 B
# gzip -9). `WASM_OPT=0` skips it (faster local builds; the size budgets then fail).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

command -v node >/dev/null 2>&1 || { echo "[build-web] Node.js is needed (it trims the JS glue): apt-get install nodejs" >&2; exit 1; }

# wasm-opt, installed from npm on first use; without it the bundles work, only larger.
wasm_opt=scripts/wasm-opt/node_modules/binaryen/bin/wasm-opt
if [ "${WASM_OPT:-1}" != 0 ] && [ ! -f "$wasm_opt" ]; then
  (cd scripts/wasm-opt && npm ci --no-audit --no-fund --loglevel=error) \
    || echo "[build-web] could not install binaryen from npm (scripts/wasm-opt); bundles are built without wasm-opt" >&2
fi
# The features rustc's wasm32-unknown-unknown target enables (the stripped module carries no list of them).
wasm_features="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue"

# The pinned nightly and its size options (scripts/wasm-toolchain.sh says why and what each saves), in a
# target folder of its own so that the stable wasm build (clippy, wasm-pack tests) stays warm.
# shellcheck source=scripts/wasm-toolchain.sh
. scripts/wasm-toolchain.sh
if wasm_nightly_ready; then
  cargo_wasm=(env CARGO_TARGET_DIR=target/wasm-release RUSTFLAGS="$WASM_RUSTFLAGS"
    cargo "+$WASM_NIGHTLY" build "${WASM_BUILD_STD[@]}")
  wasm_out=target/wasm-release/wasm32-unknown-unknown/release/app_wasm.wasm
else
  echo "[build-web] $WASM_NIGHTLY with rust-src is not installed (bash scripts/setup.sh demo installs it): building with stable, about 11% larger; the size budgets will fail" >&2
  cargo_wasm=(cargo build)
  wasm_out=target/wasm32-unknown-unknown/release/app_wasm.wasm
fi

build() { # <out dir> [cargo feature args...]
  local out=$1; shift
  "${cargo_wasm[@]}" -q -p app-wasm --target wasm32-unknown-unknown --release "$@"
  wasm-bindgen --target web --out-dir "$out" --out-name app_wasm "$wasm_out"
  if [ "${WASM_OPT:-1}" != 0 ] && [ -f "$wasm_opt" ]; then
    # shellcheck disable=SC2086 # the feature flags are separate words
    node "$wasm_opt" -O1 --converge $wasm_features "$out/app_wasm_bg.wasm" -o "$out/app_wasm_bg.wasm"
  fi
  # The glue's doc comments are a quarter of its download; the .d.ts keeps them.
  node scripts/strip-jsdoc.mjs "$out/app_wasm.js"
  for f in "$out"/app_wasm_bg.wasm "$out"/app_wasm.js; do
    printf '[build-web] %-32s %8d bytes raw, %8d gzip -9, %8s brotli\n' "$f" "$(wc -c < "$f")" \
      "$(gzip -9c "$f" | wc -c)" "$(command -v brotli >/dev/null && brotli -cq 11 "$f" | wc -c || echo n/a)"
  done
}

build web/pkg
build web/pkg-gltf --features importer
if [ "${BUNDLES:-all}" != webgpu ]; then
  build web/pkg-webgl2 --no-default-features --features webgl
fi

# The npm package (packages/engine; `npm pack` there makes the tarball): the bundles and the JS modules the
# demo and the package share (one source each, in web/; the demo server's root is web/, so it cannot import
# from packages/) go into packages/engine/dist/ (git-ignored). The package's own entry points
# (packages/engine/*.js) and hand-written types (*.d.ts) import from there.
dist=packages/engine/dist
rm -rf "$dist"
mkdir -p "$dist/collab"
cp -R web/pkg "$dist/pkg"
cp -R web/pkg-gltf "$dist/pkg-gltf"
if [ -f web/pkg-webgl2/app_wasm.js ]; then
  [ "${BUNDLES:-all}" = webgpu ] && echo "[build-web] note: $dist/pkg-webgl2 is copied from an earlier build of web/pkg-webgl2"
  cp -R web/pkg-webgl2 "$dist/pkg-webgl2"
else
  echo "[build-web] note: no web/pkg-webgl2 yet, so the package has no WebGL2 fallback (run without BUNDLES=webgpu)"
fi
cp web/controls.js "$dist/controls.js"
for f in broadcast file guard hocuspocus hub indexeddb presence websocket; do cp "web/collab/$f.js" "$dist/collab/$f.js"; done
echo "[build-web] $dist: the npm package's bundles and shared modules (then: cd packages/engine && npm pack)"
