#!/usr/bin/env bash
# Fails when a web bundle's gzip -9 size (wasm + JS glue) exceeds its budget in size-budget.txt.
# Run after scripts/build-web.sh (scripts/test.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
while read -r bundle budget _; do
  case "$bundle" in ''|'#'*) continue ;; esac
  if [ ! -f "$bundle/app_wasm_bg.wasm" ]; then
    echo "[size] $bundle: not built (run bash scripts/build-web.sh)" >&2
    status=1
    continue
  fi
  size=$(( $(gzip -9c "$bundle/app_wasm_bg.wasm" | wc -c) + $(gzip -9c "$bundle/app_wasm.js" | wc -c) ))
  if [ "$size" -gt "$budget" ]; then
    echo "[size] $bundle: $size B gzip, over its budget of $budget B (size-budget.txt)" >&2
    status=1
  else
    echo "[size] $bundle: $size B gzip, budget $budget B"
  fi
done < size-budget.txt
exit $status
