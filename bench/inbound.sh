#!/usr/bin/env bash
# bench/inbound.sh — load on the inbound SMS endpoints (JSON and Kannel) with
# bench/loadgen: the closed-loop rate, then latency percentiles in open loop at half
# that rate, against a private MariaDB of its own with durable commits
# (innodb_flush_log_at_trx_commit=1); plus wrk on /healthz for comparison.
# Figures are printed next to the targets, never asserted. Builds build/run.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../tools/lib/common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)/lib/common.sh"

# shellcheck disable=SC2034  # read by gg_die/gg_say in common.sh
gg_prog=bench/inbound.sh
duration=10
warmup=2
connections=512
pool=4
open_rate=
usage() {
    cat <<'USAGE'
usage: bench/inbound.sh [-d SECONDS] [-c CONNECTIONS] [-w POOL_SIZE] [-r RATE]

Builds build/run (gamigate and bench/loadgen), starts a private MariaDB of its own in a
temporary folder with durable commits (GAMIGATE_DB_FLUSH=1, i.e.
innodb_flush_log_at_trx_commit=1: every inbound record is on disk before the answer),
migrates it, starts gamigate on a free loopback port (from the repository root, for the
grammar and template paths) and runs in turn:

  (a) JSON   POST /sms/inbound, closed loop, CONNECTIONS connections: achieved msg/s
  (b) JSON   open loop at half of (a)'s rate: p50/p99/p99.9 from the intended send times
  (c) Kannel GET /sms/kannel, the same two
  (d) wrk on GET /healthz (2 threads, 64 connections) for comparison

Messages alternate HELP and POINTS from random senders (10 million numbers), each with a
unique id. Prints the figures next to the targets; nothing is asserted. The daemon and
the bench MariaDB are stopped and the temporary folder removed at the end.

  -d SECONDS      measured seconds per run (default 10; each run has 2 s of warmup more)
  -c CONNECTIONS  loadgen connections (default 512)
  -w POOL_SIZE    database.pool_size (default 4: on the 2-core machine 4 did as well as 8
                  or better, with less CPU per message; 2 did worse; see bench/README.md)
  -r RATE         open-loop rate for (b) and (c) instead of half the closed-loop rate,
                  e.g. -r 2500 for the target's own operating point
USAGE
}
while (($#)); do
    case "$1" in
    -h | --help) usage; exit 0 ;;
    -d) duration="${2:?-d needs SECONDS}"; shift ;;
    -c) connections="${2:?-c needs CONNECTIONS}"; shift ;;
    -w) pool="${2:?-w needs POOL_SIZE}"; shift ;;
    -r) open_rate="${2:?-r needs RATE}"; shift ;;
    *) usage >&2; exit 2 ;;
    esac
    shift
done
[[ "$duration" =~ ^[1-9][0-9]*$ ]] || gg_die "-d: a whole number of seconds, got '$duration'"
[[ "$connections" =~ ^[1-9][0-9]*$ ]] || gg_die "-c: a whole number, got '$connections'"
[[ "$pool" =~ ^[1-9][0-9]*$ ]] || gg_die "-w: a whole number, got '$pool'"
[[ -z "$open_rate" || "$open_rate" =~ ^[1-9][0-9]*$ ]] || gg_die "-r: requests/s, got '$open_rate'"

gg_need_packages "${GG_PACKAGES[@]}"
build="$gg_root/build/run"
build_log="$(mktemp /tmp/gamigate-bench-build.XXXXXX)"
if ! { cmake -S "$gg_root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGAMIGATE_WERROR=OFF -DGAMIGATE_TESTS=OFF &&
    cmake --build "$build" -j"$(nproc)" --target gamigate loadgen; } >"$build_log" 2>&1; then
    cat "$build_log" >&2
    rm -f "$build_log"
    gg_die "the build of $build failed (output above)"
fi
rm -f "$build_log"
loadgen="$build/bench/loadgen"

# A MariaDB of our own: socket only, durable commits, removed at the end.
tmp="$(mktemp -d /tmp/gamigate-bench.XXXXXX)"
export GAMIGATE_DB_DIR="$tmp/db" GAMIGATE_DB_PORT=0 GAMIGATE_DB_FLUSH=1
pid=
cleanup() {
    if [[ -n "$pid" ]]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    "$gg_root/tools/db" stop >/dev/null 2>&1 || true
    rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$gg_root/tools/db" start >/dev/null 2>"$tmp/db-start.log" || { cat "$tmp/db-start.log" >&2; gg_die "the bench MariaDB did not start"; }
eval "$("$gg_root/tools/db" env)"
db_pid="$(head -n1 "$GAMIGATE_DB_DIR/run/mysqld.pid")"
db_sql() { "$gg_root/tools/db" shell -N -B -e "$1"; }

cd "$gg_root" # conf/grammar.json and templates/ are relative to the repository root
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
secret="bench-secret-0123456789"
log="$tmp/gamigate.log"
"$build/gamigate" -c conf/gamigate.conf migrate >/dev/null
GAMIGATE_ADMIN_TOKEN=bench-token-0123456789 "$build/gamigate" -c conf/gamigate.conf \
    --set "http.listen=127.0.0.1:$port" --set log.level=warn --set "database.pool_size=$pool" \
    --set "inbound.json_secret=$secret" --set "inbound.kannel_secret=$secret" serve 2>"$log" &
pid=$!
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.1
done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$log"; gg_die "gamigate did not become healthy"; }

# cpu_ticks PID: user+system clock ticks of a process so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# busy_ticks: non-idle clock ticks of the whole machine so far.
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
# db_counters: "FSYNCS ROWS-INSERTED" of the bench MariaDB so far (each bench message
# writes exactly one row: its inbound record).
db_counters() {
    db_sql "SELECT (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
        WHERE VARIABLE_NAME = 'INNODB_DATA_FSYNCS'), (SELECT COUNT(*) FROM inbound_messages)"
}
hz="$(getconf CLK_TCK)"

# run_loadgen NAME ARGS...: runs loadgen, prints its phase lines and where the CPU went;
# sets $achieved, $p50, $p99, $p999, $errs (failed requests: non-200 + errors + unfinished)
# and $ceiling: the msg/s the cores would allow at the CPU cost per message measured here
# (gamigate + mariadbd only), a figure that other load on the machine hardly changes.
run_loadgen() {
    local name="$1" out g0 d0 b0 c0 g1 d1 b1 c1 t0 t1 secs
    shift
    g0="$(cpu_ticks "$pid")" d0="$(cpu_ticks "$db_pid")" b0="$(busy_ticks)" c0="$(db_counters)"
    t0="$(date +%s.%N)"
    out="$("$loadgen" --port "$port" --connections "$connections" --duration "$duration" \
        --warmup "$warmup" --secret "$secret" "$@")"
    t1="$(date +%s.%N)"
    g1="$(cpu_ticks "$pid")" d1="$(cpu_ticks "$db_pid")" b1="$(busy_ticks)" c1="$(db_counters)"
    grep -v "^result" <<<"$out" || true
    achieved="$(sed -n 's/^result achieved=\([^ ]*\).*/\1/p' <<<"$out")"
    p50="$(sed -n 's/^result achieved=.* p50_ms=\([^ ]*\).*/\1/p' <<<"$out")"
    p99="$(sed -n 's/^result achieved=.* p99_ms=\([^ ]*\).*/\1/p' <<<"$out")"
    p999="$(sed -n 's/^result achieved=.* p999_ms=\([^ ]*\).*/\1/p' <<<"$out")"
    errs="$(awk '/^result scheduled=/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        print v["non200"] + v["errors"] + v["unfinished"] }' <<<"$out")"
    grep "^result status:" <<<"$out" | sed "s/^result /  /" || true
    secs="$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')"
    awk -v n="$name" -v g=$((g1 - g0)) -v d=$((d1 - d0)) -v b=$((b1 - b0)) -v hz="$hz" \
        -v s="$secs" -v c0="$c0" -v c1="$c1" -v cores="$(nproc)" \
        'BEGIN { split(c0, x, /[ \t]+/); split(c1, y, /[ \t]+/); f = y[1] - x[1]; c = y[2] - x[2]
            printf "  %s, whole run (%.1f s): cpu gamigate %.0f%%, mariadbd %.0f%%, all processes %.0f%% (of %d%%); %d records written, %d InnoDB fsyncs (%.2f per record)\n",
                n, s, 100 * g / hz / s, 100 * d / hz / s, 100 * b / hz / s, 100 * cores, c, f, (c > 0 ? f / c : 0)
            if (c > 0) {
                gm = 1000 * g / hz / c; dm = 1000 * d / hz / c
                printf "  %s, cpu per message: gamigate %.3f ms + mariadbd %.3f ms = %.3f ms, so %d cores cap the rate near %.0f msg/s (with nothing else running)\n",
                    n, gm, dm, gm + dm, cores, cores * 1000 / (gm + dm)
                ceiling = cores * 1000 / (gm + dm)
            }
            printf "CEILING %.0f\n", (ceiling > 0 ? ceiling : 0) }' >"$tmp/cpu.out"
    grep -v '^CEILING' "$tmp/cpu.out" || true
    ceiling="$(sed -n 's/^CEILING //p' "$tmp/cpu.out")"
}

half() { awk -v r="$1" 'BEGIN { h = int(r / 2); print (h > 0 ? h : 1) }'; }

# Other processes on the machine (builds, tests) lower every figure: say how busy it was.
b0="$(busy_ticks)"; sleep 2; b1="$(busy_ticks)"
background="$(awk -v b=$((b1 - b0)) -v hz="$hz" 'BEGIN { printf "%.0f", 100 * b / hz / 2 }')"

echo "gamigate inbound benchmark: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, pool_size=$pool," \
    "MariaDB innodb_flush_log_at_trx_commit=$(db_sql 'SELECT @@innodb_flush_log_at_trx_commit')" \
    "(durable: every commit is flushed to disk), ${duration} s measured + ${warmup} s warmup per run"
echo "before the runs the machine was ${background}% busy (of $(($(nproc) * 100))%) with other processes; the figures assume it idle"
echo
echo "(a) JSON, closed loop, $connections connections"
run_loadgen "json closed" --mode json --rate 0
json_max="$achieved" json_max_err="$errs" json_ceiling="$ceiling"
echo
json_rate="${open_rate:-$(half "$json_max")}"
echo "(b) JSON, open loop at $json_rate msg/s"
run_loadgen "json open" --mode json --rate "$json_rate"
json_p50="$p50" json_p99="$p99" json_p999="$p999" json_open_err="$errs" json_open_ach="$achieved"
echo
echo "(c1) Kannel GET, closed loop, $connections connections"
run_loadgen "kannel closed" --mode kannel --rate 0
kannel_max="$achieved" kannel_max_err="$errs" kannel_ceiling="$ceiling"
echo
kannel_rate="${open_rate:-$(half "$kannel_max")}"
echo "(c2) Kannel GET, open loop at $kannel_rate msg/s"
run_loadgen "kannel open" --mode kannel --rate "$kannel_rate"
kannel_p50="$p50" kannel_p99="$p99" kannel_p999="$p999" kannel_open_err="$errs" kannel_open_ach="$achieved"
echo
echo "(d) wrk GET /healthz, 2 threads, 64 connections, ${duration} s"
wrk_out="$(wrk -t2 -c64 -d"${duration}s" --latency "http://127.0.0.1:$port/healthz")"
hz_rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$wrk_out")"
hz_p50="$(awk '$1 == "50%" {print $2}' <<<"$wrk_out")"
hz_p99="$(awk '$1 == "99%" {print $2}' <<<"$wrk_out")"
printf '  healthz: %s requests/s, p50 %s, p99 %s\n' "$hz_rps" "$hz_p50" "$hz_p99"
echo
rows="$(db_sql 'SELECT COUNT(*) FROM inbound_messages')"

echo "== figures ($(nproc) cores, pool_size=$pool, durable commits; $rows inbound records written;" \
    "machine ${background}% busy before the runs)"
printf '%-34s %12s %9s %9s %9s %8s\n' run "msg/s" p50 p99 p99.9 failed
printf '%-34s %12s %9s %9s %9s %8s\n' "json closed loop, $connections conns" "$json_max" - - - "$json_max_err"
printf '%-34s %12s %9s %9s %9s %8s\n' "json open loop @ $json_rate/s" "$json_open_ach" "$json_p50 ms" "$json_p99 ms" "$json_p999 ms" "$json_open_err"
printf '%-34s %12s %9s %9s %9s %8s\n' "kannel closed loop, $connections conns" "$kannel_max" - - - "$kannel_max_err"
printf '%-34s %12s %9s %9s %9s %8s\n' "kannel open loop @ $kannel_rate/s" "$kannel_open_ach" "$kannel_p50 ms" "$kannel_p99 ms" "$kannel_p999 ms" "$kannel_open_err"
printf '%-34s %12s %9s %9s %9s %8s\n' "healthz (wrk, 64 conns)" "$hz_rps" "$hz_p50" "$hz_p99" - -
echo "cpu-bound ceiling (2 x 1000 ms / cpu ms per message of gamigate + mariadbd): json $json_ceiling msg/s, kannel $kannel_ceiling msg/s"
echo "target: >= 5000 msg/s; p99 <= 20 ms at half that rate (2-vCPU machine, durable inbound record)"
echo "for comparison: a minimal libevent server answers ~40,000 req/s (the issue); /healthz above"
echo "(failed = non-200 + connection errors + unanswered after the 5 s drain; nothing is asserted)"
