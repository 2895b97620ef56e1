#!/usr/bin/env bash
# Installs what building, serving and testing need on a fresh Debian/Ubuntu machine (Rust itself
# included, through rustup), and says clearly what it cannot install. Sourced by scripts/demo.sh and scripts/test.sh; safe to run again (it only
# installs what is missing).
#
#   scripts/setup.sh demo   # what the demo needs: the wasm target, the matching wasm-bindgen CLI, the pinned nightly for the bundles
#   scripts/setup.sh test   # additionally Chromium, chromedriver, lavapipe, wasm-pack, nightly + cargo-fuzz, Node and npm packages
set -euo pipefail

# Must match the `wasm-bindgen = "=…"` pin in Cargo.toml exactly: the CLI and the crate share a schema.
WASM_BINDGEN_VERSION=0.2.130

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[setup] cannot continue:\033[0m %s\n' "$*" >&2; exit 1; }

export PATH="$HOME/.cargo/bin:$PATH"

apt_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else
      die "please install these Debian/Ubuntu packages yourself (no root, no passwordless sudo): $*"
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    die "no apt-get on this machine; install the equivalents of: $*"
  fi
  say "installing Debian packages: $*"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# rustup itself, on a machine without Rust: the installer binary from static.rust-lang.org (where rustup
# downloads toolchains from anyway), checked against its published SHA-256, then stable, minimal profile.
install_rustup() {
  local triple
  case "$(uname -m)" in
    x86_64) triple=x86_64-unknown-linux-gnu ;;
    aarch64 | arm64) triple=aarch64-unknown-linux-gnu ;;
    *) die "Rust is not installed and this machine ($(uname -m)) has no rustup-init here: see https://rustup.rs" ;;
  esac
  local missing=()
  command -v curl >/dev/null 2>&1 || missing+=(curl ca-certificates)
  command -v sha256sum >/dev/null 2>&1 || missing+=(coreutils)
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
  local dir; dir="$(mktemp -d)"
  local url="https://static.rust-lang.org/rustup/dist/$triple/rustup-init"
  say "installing Rust with rustup (stable, minimal profile) from $url"
  curl -sSfL "$url" -o "$dir/rustup-init" || die "could not download $url: install Rust from https://rustup.rs"
  curl -sSfL "$url.sha256" -o "$dir/rustup-init.sha256" || die "could not download $url.sha256"
  [ "$(awk '{print $1}' "$dir/rustup-init.sha256")" = "$(sha256sum "$dir/rustup-init" | awk '{print $1}')" ] \
    || die "rustup-init does not match its published SHA-256"
  chmod +x "$dir/rustup-init"
  "$dir/rustup-init" -y --profile minimal --default-toolchain stable --no-modify-path >/dev/null
  rm -rf "$dir"
}

setup_rust() {
  command -v cargo >/dev/null 2>&1 || install_rustup
  command -v cargo >/dev/null 2>&1 || die "Rust is not installed: see https://rustup.rs (then run this again)"
  # rustc links with the system C compiler.
  command -v cc >/dev/null 2>&1 || apt_install gcc libc6-dev
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 4 minutes on 2 cores)"
    # Not --locked: one locked dependency of this CLI version is missing from crates.io.
    cargo install -q wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi
  # shellcheck source=scripts/wasm-toolchain.sh
  . "$(dirname "${BASH_SOURCE[0]}")/wasm-toolchain.sh"
  if ! wasm_nightly_ready; then
    say "adding the pinned nightly $WASM_NIGHTLY with rust-src (it builds the release web bundles: scripts/wasm-toolchain.sh)"
    rustup toolchain install "$WASM_NIGHTLY" --profile minimal --component rust-src \
      || say "could not install $WASM_NIGHTLY: the web bundles will be built with stable, about 11% larger (the size budgets of the test command then fail)"
  fi
}

setup_test() {
  # The test command checks formatting and lints before the tests.
  for component in clippy rustfmt; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
      say "adding the rustup component $component"
      rustup component add "$component"
    fi
  done
  local pkgs=()
  command -v chromium >/dev/null 2>&1 || pkgs+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || pkgs+=(chromium-driver)
  # lavapipe: Vulkan on the CPU, so the native GPU tests run on machines without a GPU.
  ls /usr/share/vulkan/icd.d/lvp_icd.*.json >/dev/null 2>&1 || pkgs+=(mesa-vulkan-drivers)
  command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
  command -v npm >/dev/null 2>&1 || pkgs+=(npm)
  # Redis: the Hocuspocus scale-out test runs two Hocuspocus processes sharing documents through it.
  command -v redis-server >/dev/null 2>&1 || pkgs+=(redis-server)
  if [ ${#pkgs[@]} -gt 0 ]; then apt_install "${pkgs[@]}"; fi
  if ! command -v wasm-pack >/dev/null 2>&1; then
    say "installing wasm-pack (about 3 minutes on 2 cores)"
    cargo install -q wasm-pack --locked
  fi
  # scripts/fuzz.sh (a test step) runs cargo fuzz, which needs a nightly toolchain.
  if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    say "adding the nightly toolchain (for cargo fuzz)"
    rustup toolchain install nightly --profile minimal
  fi
  if ! cargo fuzz --version >/dev/null 2>&1; then
    say "installing cargo-fuzz (about 1 minute on 2 cores)"
    cargo install -q cargo-fuzz --locked
  fi
  # Debian's binaryen (wasm-opt 108) writes wasm that fails at run time; wasm-pack would pick it up silently.
  if command -v wasm-opt >/dev/null 2>&1 && wasm-opt --version 2>/dev/null | grep -q 'version 1[01][0-9]\b'; then
    say "warning: $(command -v wasm-opt) is an old wasm-opt known to write broken wasm; this project never runs it (build-web.sh uses npm's binaryen 132 from scripts/wasm-opt/)"
  fi
  local root; root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  if [ -f "$root/tests/package.json" ] && { [ ! -d "$root/tests/node_modules" ] || [ "$root/tests/package-lock.json" -nt "$root/tests/node_modules" ]; }; then
    say "installing the test harness's npm packages (tests/package.json)"
    (cd "$root/tests" && npm ci --no-audit --no-fund --loglevel=error && touch node_modules)
  fi
}

case "${1:-test}" in
  demo) setup_rust ;;
  test) setup_rust; setup_test ;;
  *) die "usage: scripts/setup.sh [demo|test]" ;;
esac
