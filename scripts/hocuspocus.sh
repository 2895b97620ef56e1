#!/usr/bin/env bash
# Runs a local Hocuspocus server for the engine's Hocuspocus adapter (web/collab/hocuspocus.js):
#   bash scripts/hocuspocus.sh                  # ws://127.0.0.1:1235, any token accepted
#   TOKEN=secret PORT=1235 bash scripts/hocuspocus.sh
#   REDIS_PORT=6379 bash scripts/hocuspocus.sh  # scale out: run several, all on one Redis
# Installs @hocuspocus/server 3.4.4 (Yjs 13) into scripts/hocuspocus/ on first use.
set -euo pipefail
cd "$(dirname "$0")/hocuspocus"
command -v node >/dev/null 2>&1 || { echo "Node.js is missing: run 'bash scripts/setup.sh test' or install nodejs and npm" >&2; exit 1; }
[ -d node_modules/@hocuspocus/server ] || npm ci --no-audit --no-fund --loglevel=error
exec node server.mjs
