#!/usr/bin/env bash
# Builds the web bundle into web/pkg/ (app_wasm.js + app_wasm_bg.wasm) with the size-tuned release
# profile, and prints its sizes. wasm-opt is deliberately not run (see CLAUDE.md: Debian's writes broken wasm).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

cargo build -q -p app-wasm --target wasm32-unknown-unknown --release
wasm-bindgen --target web --out-dir web/pkg --out-name app_wasm \
  target/wasm32-unknown-unknown/release/app_wasm.wasm

for f in web/pkg/app_wasm_bg.wasm web/pkg/app_wasm.js; do
  printf '[build-web] %-26s %8d bytes raw, %8d bytes gzip -9\n' "$f" "$(wc -c < "$f")" "$(gzip -9c "$f" | wc -c)"
done
