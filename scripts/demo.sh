#!/usr/bin/env bash
# Runs the demo: installs what is missing, builds the web bundle, serves web/ on 127.0.0.1 and prints the
# URL. PORT=8000 by default.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh demo
command -v node >/dev/null 2>&1 || { echo "[demo] Node.js is needed to serve the page: apt-get install nodejs" >&2; exit 1; }
bash scripts/build-web.sh
echo "[demo] open http://127.0.0.1:${PORT:-8000}/ in a browser with WebGPU (Chrome/Edge 113+) or WebGL2"
exec node scripts/serve.mjs web "${PORT:-8000}"
