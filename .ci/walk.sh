#!/usr/bin/env bash
# The README's walk (docs/walk.sh) against a fresh `dsr serve` on an empty SQLite database,
# exactly as a new user meets it: no admin password configured, so the server leaves the one
# it generates in <data dir>/admin_password (its stderr is not a terminal), where the walk
# reads it. Usage: .ci/walk.sh PATH_TO_DSR
set -euo pipefail
DSR="$1"
PORT="${DSR_CI_WALK_PORT:-18087}"
WORK=$(mktemp -d /tmp/dsr-walk.XXXXXX)
command -v jq >/dev/null || {
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq >&2
}
export DSR_SERVER__DATA_DIR="$WORK/var" DSR_SERVER__BIND="127.0.0.1:$PORT"
"$DSR" serve >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break
  sleep 0.2
done
if ! bash docs/walk.sh "http://127.0.0.1:$PORT"; then
  echo "--- the server's log" >&2
  cat "$WORK/serve.log" >&2
  exit 1
fi
# The generated password went to the file, never to the log.
if grep -qF "$(cat "$WORK/var/admin_password")" "$WORK/serve.log"; then
  echo "the admin password reached the server's log" >&2
  exit 1
fi
