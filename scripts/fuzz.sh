#!/usr/bin/env bash
# A bounded fuzz run of the cargo-fuzz targets in fuzz/fuzz_targets/ (app-scene's four, app-gltf's import_gltf): builds them with nightly
# (AddressSanitizer, optimised, debug assertions on) and runs each for FUZZ_SECS seconds (default 60),
# starting from the committed corpus in tests/fuzz/corpus/<target>/. New inputs go to fuzz/corpus/<target>/
# (git-ignored), so the committed corpus only changes by hand (`cargo fuzz cmin`, see tests/fuzz/README.md).
# A crash, leak, timeout or out-of-memory input is saved under tests/fuzz/crashers/<target>/ and makes this
# script fail after every target has run. Installs nightly and cargo-fuzz if they are missing.
#
#   bash scripts/fuzz.sh                          # every target, 60 s each
#   FUZZ_SECS=600 bash scripts/fuzz.sh apply_update
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m[fuzz]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[fuzz] cannot continue:\033[0m %s\n' "$*" >&2; exit 1; }

FUZZ_SECS="${FUZZ_SECS:-60}"
# CI fuzzes reproducibly: a fixed libFuzzer seed (FUZZ_SEED, 1 under CI=true) gives the same mutations on every
# run, so a red CI means a change made a known input sequence crash, not that this run was unlucky. Locally
# the seed is random unless FUZZ_SEED is set. (yrs's hash order still varies per process; see tests/fuzz/README.md.)
seed=()
if [ -n "${FUZZ_SEED:-}" ]; then seed=(-seed="$FUZZ_SEED"); elif [ "${CI:-}" = true ]; then seed=(-seed=1); fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(apply_update sync_message read_document api_sequence import_gltf)

command -v rustup >/dev/null 2>&1 || die "rustup is not installed (cargo fuzz needs a nightly toolchain): see https://rustup.rs"
if ! rustup toolchain list | grep -q '^nightly'; then
  say "installing the nightly toolchain (cargo fuzz needs it for the sanitizer flags)"
  rustup toolchain install nightly --profile minimal ||
    die "cannot install the nightly Rust toolchain (no network to static.rust-lang.org?); install it with 'rustup toolchain install nightly'"
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz (about 1 minute on 2 cores)"
  cargo install -q cargo-fuzz --locked ||
    die "cannot install cargo-fuzz from crates.io; install it with 'cargo install cargo-fuzz'"
fi

# -O -a: optimised like the shipped code, with overflow checks and debug assertions (they catch more).
flags=(-O -a)
say "building ${targets[*]} (the first build takes several minutes)"
for t in "${targets[@]}"; do
  (cd fuzz && cargo +nightly fuzz build "${flags[@]}" "$t")
done

# yrs 0.28.1 reserves memory for the block count an update declares before reading the blocks (a
# 189-byte v1 update asks for 96 GB: tests/fuzz/crashers/apply_update/). Natively and on wasm the
# reservation fails (`try_reserve`, so the update is refused) or stays untouched until freed; ASan
# would abort on it instead. Make allocations over 2 GiB fail, as on wasm32, and failed allocations
# return null, as in the product, and lift libFuzzer's per-allocation limit (ASan's shadow memory for
# such a reservation is real, hence the 2 GiB cap); memory use beyond -rss_limit_mb is still a finding.
export ASAN_OPTIONS="${ASAN_OPTIONS:-allocator_may_return_null=1:max_allocation_size_mb=2048}"

failed=()
for t in "${targets[@]}"; do
  seeds="tests/fuzz/corpus/$t"
  crashers="tests/fuzz/crashers/$t"
  mkdir -p "fuzz/corpus/$t" "$seeds" "$crashers"
  say "$t: ${FUZZ_SECS} s"
  # Paths are relative to fuzz/, where cargo fuzz runs the target. -timeout: an input taking longer
  # than 60 s is a hang; -rss_limit_mb: memory actually used beyond 2 GiB is a finding.
  # libFuzzer's progress lines (NEW, REDUCE, pulse) would fill the log; keep the rest.
  set +e
  (cd fuzz && cargo +nightly fuzz run "${flags[@]}" "$t" "corpus/$t" "../$seeds" -- \
    -max_total_time="$FUZZ_SECS" "${seed[@]}" -timeout=60 -rss_limit_mb=2048 -malloc_limit_mb=1048576 -print_final_stats=1 \
    -artifact_prefix="../$crashers/" 2>&1) | { grep -vE '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)' || true; }
  rc=${PIPESTATUS[0]}
  set -e
  [ "$rc" = 0 ] || failed+=("$t")
done

if [ ${#failed[@]} -gt 0 ]; then
  say "FAILED: ${failed[*]}; inputs saved under tests/fuzz/crashers/<target>/"
  say "reproduce natively: cargo test -p app-scene --test fuzz_replay (replays every saved crasher)"
  say "  (import_gltf: cargo test -p app-gltf --test fuzz_replay)"
  exit 1
fi
say "no crash in ${targets[*]} (${FUZZ_SECS} s each)"
