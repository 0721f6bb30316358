#!/usr/bin/env bash
# bench/ussd.sh — USSD steps (POST /ussd/at, Africa's Talking form) at steady load with
# bench/loadgen --mode ussd: the closed-loop rate, then latency percentiles in open loop
# at 1,000 steps/s (the target's operating point), against a private MariaDB of its own
# with durable commits (innodb_flush_log_at_trx_commit=1).
# Figures are printed next to the targets, never asserted. Builds build/run.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../tools/lib/common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)/lib/common.sh"

# shellcheck disable=SC2034  # read by gg_die/gg_say in common.sh
gg_prog=bench/ussd.sh
duration=10
warmup=2
connections=256
pool=4
open_rate=1000
usage() {
    cat <<'USAGE'
usage: bench/ussd.sh [-d SECONDS] [-c CONNECTIONS] [-w POOL_SIZE] [-r RATE]

Builds build/run (gamigate and bench/loadgen), starts a private MariaDB of its own in a
temporary folder with durable commits (GAMIGATE_DB_FLUSH=1: every step's record is on
disk before the answer), migrates it, loads campaigns/club-1405.json (its menu answers
*3001#), starts gamigate on a free loopback port and runs in turn:

  (a) POST /ussd/at, closed loop, CONNECTIONS connections: achieved steps/s
  (b) open loop at RATE steps/s (default 1000, the target): p50/p99/p99.9 counted from
      the intended send times

loadgen walks 1000 sessions side by side, each dialled by its own number: home, "98"
(the next page of the Persian home screen), "0" (back), "7" (a screen), "0" and "4"
(My points: the same command as the SMS POINTS, ending the session); each step is one
transaction (session row locked, step recorded for idempotency). Prints the figures next
to the target; nothing is asserted. The daemon and the bench MariaDB are stopped and the
temporary folder removed at the end.

  -d SECONDS      measured seconds per run (default 10; each run has 2 s of warmup more)
  -c CONNECTIONS  loadgen connections (default 256)
  -w POOL_SIZE    database.pool_size (default 4)
  -r RATE         open-loop rate for (b) (default 1000)
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
[[ "$open_rate" =~ ^[1-9][0-9]*$ ]] || gg_die "-r: steps/s, got '$open_rate'"

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
"$build/gamigate" -c conf/gamigate.conf campaign load campaigns/club-1405.json >/dev/null
GAMIGATE_ADMIN_TOKEN=bench-token-0123456789 "$build/gamigate" -c conf/gamigate.conf \
    --set "http.listen=127.0.0.1:$port" --set log.level=warn --set "database.pool_size=$pool" \
    --set "inbound.ussd_secret=$secret" serve 2>"$log" &
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
# db_counters: "FSYNCS STEPS-RECORDED" of the bench MariaDB so far (each step answered
# records one row in ussd_steps).
db_counters() {
    db_sql "SELECT (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
        WHERE VARIABLE_NAME = 'INNODB_DATA_FSYNCS'), (SELECT COUNT(*) FROM ussd_steps)"
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
        --warmup "$warmup" --secret "$secret" --mode ussd "$@")"
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
            printf "  %s, whole run (%.1f s): cpu gamigate %.0f%%, mariadbd %.0f%%, all processes %.0f%% (of %d%%); %d steps recorded, %d InnoDB fsyncs (%.2f per step)\n",
                n, s, 100 * g / hz / s, 100 * d / hz / s, 100 * b / hz / s, 100 * cores, c, f, (c > 0 ? f / c : 0)
            if (c > 0) {
                gm = 1000 * g / hz / c; dm = 1000 * d / hz / c
                printf "  %s, cpu per step: gamigate %.3f ms + mariadbd %.3f ms = %.3f ms, so %d cores cap the rate near %.0f steps/s (with nothing else running)\n",
                    n, gm, dm, gm + dm, cores, cores * 1000 / (gm + dm)
                ceiling = cores * 1000 / (gm + dm)
            }
            printf "CEILING %.0f\n", (ceiling > 0 ? ceiling : 0) }' >"$tmp/cpu.out"
    grep -v '^CEILING' "$tmp/cpu.out" || true
    ceiling="$(sed -n 's/^CEILING //p' "$tmp/cpu.out")"
}

# Other processes on the machine (builds, tests) lower every figure: say how busy it was.
b0="$(busy_ticks)"; sleep 2; b1="$(busy_ticks)"
background="$(awk -v b=$((b1 - b0)) -v hz="$hz" 'BEGIN { printf "%.0f", 100 * b / hz / 2 }')"

echo "gamigate USSD benchmark: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, pool_size=$pool," \
    "MariaDB innodb_flush_log_at_trx_commit=$(db_sql 'SELECT @@innodb_flush_log_at_trx_commit')" \
    "(durable), ${duration} s measured + ${warmup} s warmup per run"
echo "before the runs the machine was ${background}% busy (of $(($(nproc) * 100))%) with other processes; the figures assume it idle"
echo
echo "(a) USSD steps, closed loop, $connections connections"
run_loadgen "ussd closed" --rate 0
max="$achieved" max_err="$errs" max_ceiling="$ceiling"
echo
echo "(b) USSD steps, open loop at $open_rate steps/s"
run_loadgen "ussd open" --rate "$open_rate"
o_p50="$p50" o_p99="$p99" o_p999="$p999" o_err="$errs" o_ach="$achieved"
echo
# What the steps answered: screens (CON) and ends (END) by outcome, to show the walks
# went where they should (a polite END for bad requests would show here).
echo "answers recorded:"
db_sql "SELECT CONCAT('  ', LEFT(response, 3), ' ', COALESCE(command, '-'), ': ', COUNT(*))
    FROM ussd_steps GROUP BY LEFT(response, 3), command ORDER BY 1"
echo "sessions: $(db_sql "SELECT CONCAT(COUNT(*), ' (', SUM(status = 'ended'), ' ended)') FROM ussd_sessions")"
echo

echo "== figures ($(nproc) cores, pool_size=$pool, durable commits; machine ${background}% busy before the runs)"
printf '%-34s %12s %9s %9s %9s %8s\n' run "steps/s" p50 p99 p99.9 failed
printf '%-34s %12s %9s %9s %9s %8s\n' "ussd closed loop, $connections conns" "$max" - - - "$max_err"
printf '%-34s %12s %9s %9s %9s %8s\n' "ussd open loop @ $open_rate/s" "$o_ach" "$o_p50 ms" "$o_p99 ms" "$o_p999 ms" "$o_err"
echo "cpu-bound ceiling ($(nproc) x 1000 ms / cpu ms per step of gamigate + mariadbd): $max_ceiling steps/s"
echo "target: p99 <= 20 ms at 1,000 steps/s (2-vCPU machine, durable step record)"
echo "(failed = non-200 + connection errors + unanswered after the 5 s drain; nothing is asserted)"
