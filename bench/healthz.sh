#!/usr/bin/env bash
# bench/healthz.sh — load on GET /healthz with wrk: requests/s and p50/p99 latency.
# Figures are printed, never asserted. Uses the private MariaDB (tools/db) and a free
# port; builds build/run if needed.
set -euo pipefail
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)/lib/common.sh"

duration=10
connections=64
threads=2
usage() {
    cat <<'USAGE'
usage: bench/healthz.sh [-d SECONDS] [-c CONNECTIONS] [-t THREADS]

Starts gamigate on a free loopback port against the private MariaDB (tools/db start),
runs wrk against /healthz (default 10 s, 64 connections, 2 threads) and prints
requests/s and latency percentiles. Nothing is asserted.
USAGE
}
while (($#)); do
    case "$1" in
    -h | --help) usage; exit 0 ;;
    -d) duration="$2"; shift ;;
    -c) connections="$2"; shift ;;
    -t) threads="$2"; shift ;;
    *) usage >&2; exit 2 ;;
    esac
    shift
done

gg_need_packages "${GG_PACKAGES[@]}"
build="$gg_root/build/run"
cmake -S "$gg_root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGAMIGATE_WERROR=OFF -DGAMIGATE_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target gamigate >/dev/null
"$gg_root/tools/db" start >/dev/null
eval "$("$gg_root/tools/db" env)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
log="$(mktemp /tmp/gamigate-bench.XXXXXX.log)"
"$build/gamigate" -c "$gg_root/conf/gamigate.conf" migrate >/dev/null
GAMIGATE_ADMIN_TOKEN=bench-token-0123456789 "$build/gamigate" -c "$gg_root/conf/gamigate.conf" \
    --set "http.listen=127.0.0.1:$port" --set log.level=warn serve 2>"$log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.1
done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$log"; gg_die "gamigate did not become healthy"; }

out="$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$port/healthz")"
echo "$out"
rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
echo
printf 'healthz: %s requests/s, p50 %s, p99 %s (%d connections, %d s, %s cores; no target set for /healthz)\n' \
    "$rps" "$p50" "$p99" "$connections" "$duration" "$(nproc)"
