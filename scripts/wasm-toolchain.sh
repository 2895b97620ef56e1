# Sourced by scripts/setup.sh and scripts/build-web.sh: the toolchain that builds the release web bundles.
# A pinned nightly, because these size options are nightly-only (measured 2026-12-07, gzip -9 wasm + glue
# of the WebGPU bundle, built as `bash scripts/build-web.sh` does; added one at a time, each figure the step
# from the build before it, starting from the stable build of the same commit):
#   -Zbuild-std (std compiled with the release profile: opt-level "z", LTO with our code)   -3.1 KB WebGPU
#   -Zlocation-detail=none (no file/line/column strings for panics)                          -8.1 KB
#   -Cpanic=immediate-abort (a panic is a trap at once: no hook, no message formatting)     -16.7 KB
#   -Zbuild-std-features=optimize_for_size (std's small sorts, formatting, ...)            -12.2 KB
# In all: WebGPU 353,473 -> 313,608 B, WebGL2 1,055,397 -> 977,402 B, glTF importer 167,864 -> 148,743 B.
# Immediate abort runs no panic hook: app-wasm's poison.rs finds a trapped engine at the next call instead.
# Pinned so that a size budget (size-budget.txt) cannot move with the nightly of the day.
WASM_NIGHTLY=nightly-2026-05-20
WASM_RUSTFLAGS="-Zlocation-detail=none -Zunstable-options -Cpanic=immediate-abort"
# std's sorts become small O(n log n) ones (insertion + merge / heap sort) instead of driftsort/ipnsort, one
# copy of ~3.5 KB per element type; the bench sections that sort most (scene load, batch build, glTF import,
# `BENCH_ONLY=... node bench/run.mjs`) were no slower with it.
WASM_BUILD_STD=(-Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size)

# True when the pinned nightly and its rust-src (which -Zbuild-std compiles) are installed.
wasm_nightly_ready() {
  local sysroot
  sysroot=$(rustup run "$WASM_NIGHTLY" rustc --print sysroot 2>/dev/null) || return 1
  [ -f "$sysroot/lib/rustlib/src/rust/library/Cargo.lock" ]
}
