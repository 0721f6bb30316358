#!/usr/bin/env bash
# db_fixture.sh start|stop DIR — the ctest fixture around tools/db: a fresh private
# MariaDB (socket only, no TCP port, so parallel runs never collide) under DIR, and
# DIR.socket holding its socket path for the tests to read.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
verb="${1:?usage: db_fixture.sh start|stop DIR}"
dir="${2:?usage: db_fixture.sh start|stop DIR}"
export GAMIGATE_DB_DIR="$dir" GAMIGATE_DB_PORT=0
case "$verb" in
start)
    "$root/tools/db" start --fresh
    eval "$("$root/tools/db" env)"
    printf '%s\n' "$GAMIGATE_DATABASE_SOCKET" >"$dir.socket"
    ;;
stop)
    "$root/tools/db" stop
    ;;
*)
    echo "usage: db_fixture.sh start|stop DIR" >&2
    exit 2
    ;;
esac
