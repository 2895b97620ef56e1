#!/usr/bin/env bash
# Runs every test: installs what is missing, then
#   0. rules the compiler checks: rustfmt, clippy with the workspace lints (native and wasm32),
#   1. native: cargo test --workspace (GPU tests on lavapipe when there is no GPU), and app-render with
#      its shaders as naga IR alone (the WebGL2 bundle's form),
#   2. browser: wasm-bindgen tests of app-wasm in headless Chromium (WebGPU on SwiftShader),
#   3. end-to-end: tests/*.mjs against the built demo page in headless Chromium.
# CI (.ci/run) runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PATH"
# SwiftShader is slow; the default 20 s per browser test is too tight on 2 cores.
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "formatting and lints (cargo fmt --check; cargo clippy -D warnings, native and wasm32)"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p app-wasm --target wasm32-unknown-unknown --all-targets --features webgl -- -D warnings
cargo clippy -p app-wasm --target wasm32-unknown-unknown --features importer -- -D warnings
cargo clippy -p app-wasm --target wasm32-unknown-unknown --no-default-features --features webgl -- -D warnings

step "native tests (cargo test --workspace; includes app-wasm/tests/layers.rs: floors, no Closure::forget)"
# Property tests draw the same cases every run, so a red run means a change broke something: with random
# seeds, app-scene's convergence properties fail about 1 run in 40 on a known yrs 0.28.1 refusal (kept
# as the ignored test known_yrs_refusal_after_undo_with_scrambled_delivery). Explore other cases with
# PROPTEST_RNG_SEED=<another number> (CLAUDE.md, "Commands").
export PROPTEST_RNG_SEED="${PROPTEST_RNG_SEED:-20261207}"
cargo test --workspace
# The renderer again with its shaders as naga IR alone (what the WebGL2 bundle ships), goldens included.
cargo test -p app-render --no-default-features --features naga-ir

step "fuzzing (scripts/fuzz.sh: each fuzz target (app-scene and app-gltf) for ${FUZZ_SECS:-60} s)"
bash scripts/fuzz.sh

step "browser tests (wasm-pack test --headless --chrome crates/app-wasm --features webgl: WebGPU and WebGL2)"
wasm-pack test --headless --chrome crates/app-wasm --features webgl

step "end-to-end tests (tests/*.test.mjs)"
bash scripts/build-web.sh
bash scripts/check-size.sh
shopt -s nullglob
for t in tests/*.test.mjs; do
  echo "-- $t"
  node "$t"
done
echo
echo "all tests passed"
