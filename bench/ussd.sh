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

count_table=ussd_steps unit=step
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$gg_root/bench/lib.sh"
bench_setup
"$build/gamigate" -c conf/gamigate.conf campaign load campaigns/club-1405.json >/dev/null
bench_serve --set "inbound.ussd_secret=$secret"
bench_background

echo "gamigate USSD benchmark: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, pool_size=$pool," \
    "MariaDB innodb_flush_log_at_trx_commit=$(db_sql 'SELECT @@innodb_flush_log_at_trx_commit')" \
    "(durable), ${duration} s measured + ${warmup} s warmup per run"
echo "before the runs the machine was ${background}% busy (of $(($(nproc) * 100))%) with other processes; the figures assume it idle"
echo
echo "(a) USSD steps, closed loop, $connections connections"
run_loadgen "ussd closed" --mode ussd --rate 0
max="$achieved" max_err="$errs" max_ceiling="$ceiling"
echo
echo "(b) USSD steps, open loop at $open_rate steps/s"
run_loadgen "ussd open" --mode ussd --rate "$open_rate"
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
