#!/usr/bin/env bash
# Runs the standard y-websocket relay (@y/websocket-server 0.1.1, Yjs 13) for the demo's shared rooms:
#   bash scripts/relay.sh            # ws://127.0.0.1:1234, rooms persisted in scripts/relay/db/ (LevelDB)
#   PORT=4444 DB=/tmp/rooms bash scripts/relay.sh
# then open http://127.0.0.1:8000/?room=demo in two tabs (the page defaults to port 1234 on its own host;
# ?relay=ws://HOST:PORT picks another). Installs the pinned npm packages into scripts/relay/ first if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-1234}"
DB="${DB:-scripts/relay/db}"
if ! command -v node >/dev/null; then
  echo "relay.sh: node is not installed (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi
if [ ! -f scripts/relay/node_modules/@y/websocket-server/src/server.js ]; then
  echo "relay.sh: installing the relay's npm packages into scripts/relay/node_modules"
  (cd scripts/relay && npm install --no-audit --no-fund --loglevel=error)
fi
mkdir -p "$DB"
echo "relay: ws://$HOST:$PORT/<room>, persisted in $DB"
HOST="$HOST" PORT="$PORT" YPERSISTENCE="$DB" exec node scripts/relay/node_modules/@y/websocket-server/src/server.js
