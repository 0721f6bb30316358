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

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$gg_root/bench/lib.sh"
bench_setup
# shellcheck disable=SC2119  # no extra settings
bench_serve
bench_background

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
