#!/usr/bin/env bash
# bench/game.sh — SPIN and CHECKIN at steady load with 100,000 members, through the
# whole inbound path (HTTP → grammar → the game's transaction → reply), against a
# private MariaDB of its own with durable commits. Figures printed next to the issue's
# targets, never asserted. Builds build/run.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../tools/lib/common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)/lib/common.sh"

# shellcheck disable=SC2034  # read by gg_die/gg_say in common.sh
gg_prog=bench/game.sh
duration=6
warmup=2
connections=512
pool=4
members=100000
open_rate=
usage() {
    cat <<'USAGE'
usage: bench/game.sh [-d SECONDS] [-c CONNECTIONS] [-w POOL_SIZE] [-m MEMBERS] [-r RATE]

Builds build/run (gamigate and bench/loadgen), starts a private MariaDB of its own in a
temporary folder with durable commits (innodb_flush_log_at_trx_commit=1: every game
transaction is on disk before its reply), migrates it, loads campaigns/club-1405.json
(short code 3001: a wheel with capped prizes and a voucher pool, daily check-in and spin
missions, tiers), makes MEMBERS members and 500 vouchers, starts gamigate and runs:

  (a) SPIN     closed loop, CONNECTIONS connections: achieved spins/s
  (b) SPIN     open loop at half of (a)'s rate: p50/p99/p99.9 from the intended times
  (c) CHECKIN  the same two

Message n comes from member n % MEMBERS, so within a run every member plays once (a
member spins once a day); the open loop plays the members the closed loop did not reach
(when too few are left, the day's spins, check-ins, missions and prize counters are
cleared first), so every run plays fresh members. Nothing is asserted.

  -d SECONDS      measured seconds per run (default 6, so that a closed loop at ~8,000/s
                  stays within 100,000 members; each run has 2 s of warmup more)
  -c CONNECTIONS  loadgen connections (default 512)
  -w POOL_SIZE    database.pool_size (default 4)
  -m MEMBERS      members (default 100000; a run must not send more messages than this)
  -r RATE         open-loop rate for (b) and (c) instead of half the closed-loop rate
USAGE
}
while (($#)); do
    case "$1" in
    -h | --help) usage; exit 0 ;;
    -d) duration="${2:?-d needs SECONDS}"; shift ;;
    -c) connections="${2:?-c needs CONNECTIONS}"; shift ;;
    -w) pool="${2:?-w needs POOL_SIZE}"; shift ;;
    -m) members="${2:?-m needs MEMBERS}"; shift ;;
    -r) open_rate="${2:?-r needs RATE}"; shift ;;
    *) usage >&2; exit 2 ;;
    esac
    shift
done
[[ "$duration" =~ ^[1-9][0-9]*$ ]] || gg_die "-d: a whole number of seconds, got '$duration'"
[[ "$connections" =~ ^[1-9][0-9]*$ ]] || gg_die "-c: a whole number, got '$connections'"
[[ "$pool" =~ ^[1-9][0-9]*$ ]] || gg_die "-w: a whole number, got '$pool'"
[[ "$members" =~ ^[1-9][0-9]*$ && "$members" -le 9999999 ]] || gg_die "-m: 1 to 9999999, got '$members'"
[[ -z "$open_rate" || "$open_rate" =~ ^[1-9][0-9]*$ ]] || gg_die "-r: requests/s, got '$open_rate'"

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$gg_root/bench/lib.sh"
bench_setup
gg_say "loading campaigns/club-1405.json, $members members and 500 vouchers"
"$build/gamigate" -c conf/gamigate.conf campaign load campaigns/club-1405.json >/dev/null
seq -f 'BENCH-%05g' 1 500 >"$tmp/vouchers.csv"
"$build/gamigate" -c conf/gamigate.conf vouchers import snapp-50 "$tmp/vouchers.csv" >/dev/null
db_sql "INSERT INTO subscribers (msisdn, lang, joined_at, created_at, updated_at)
    SELECT CONCAT('+98912', LPAD(seq, 7, '0')), 'en', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6),
    UTC_TIMESTAMP(6) FROM seq_0_to_$((members - 1))"
# The rate limit stays on (20 a minute): each member sends one message a run.
# shellcheck disable=SC2119  # no extra settings
bench_serve
bench_background

# fresh_day: forgets today's play so that the next run plays fresh members (the ledgers
# and balances stay; they only grow). Only when a run's own slice of members would be too
# small: InnoDB purges the deleted rows in the background afterwards, and that work
# weighs on the next run's figures.
fresh_day() {
    db_sql "DELETE FROM spins; DELETE FROM checkins; DELETE FROM mission_completions;
        DELETE FROM wheel_prize_counters"
}

# check_budget RATE: a run at RATE must not need more members than there are.
check_budget() {
    local need
    need="$(awk -v r="$1" -v s=$((duration + warmup)) 'BEGIN { printf "%d", r * s }')"
    if ((need > members)); then
        gg_warn "a run at $1/s for $((duration + warmup)) s sends $need messages, more than the $members members: the rest answer 'already today' (use -m or -d)"
    fi
}

echo "gamigate game benchmark: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, pool_size=$pool," \
    "$members members, MariaDB innodb_flush_log_at_trx_commit=$(db_sql 'SELECT @@innodb_flush_log_at_trx_commit')" \
    "(durable), ${duration} s measured + ${warmup} s warmup per run"
echo "before the runs the machine was ${background}% busy (of $(($(nproc) * 100))%) with other processes; the figures assume it idle"

declare -A max max_err ceil rate p50s p99s p999s open_err open_ach
for cmd in spin checkin; do
    echo
    echo "(${cmd}) closed loop, $connections connections"
    run_loadgen "$cmd closed" --mode json --rate 0 --to 3001 --senders "$members" --mix "$cmd"
    max[$cmd]="$achieved" max_err[$cmd]="$errs" ceil[$cmd]="$ceiling"
    check_budget "$achieved"
    rate[$cmd]="${open_rate:-$(half "$achieved")}"
    echo
    echo "(${cmd}) open loop at ${rate[$cmd]}/s"
    # The members the closed loop did not reach play the open loop (no deletes between
    # the runs); if too few are left, today's play is forgotten first.
    played="$(db_sql "SELECT COUNT(*) FROM $([[ $cmd == spin ]] && echo spins || echo checkins)")"
    need="$(awk -v r="${rate[$cmd]}" -v s=$((duration + warmup)) 'BEGIN { printf "%d", r * s * 1.05 }')"
    if ((members - played >= need)); then
        slice=(--first-sender "$played" --senders "$((members - played))")
    else
        gg_warn "only $((members - played)) members have not played $cmd today, the open loop needs $need: forgetting today's play first (the purge that follows costs the run some CPU)"
        fresh_day
        slice=(--senders "$members")
    fi
    run_loadgen "$cmd open" --mode json --rate "${rate[$cmd]}" --to 3001 "${slice[@]}" --mix "$cmd"
    p50s[$cmd]="$p50" p99s[$cmd]="$p99" p999s[$cmd]="$p999" open_err[$cmd]="$errs" open_ach[$cmd]="$achieved"
done
echo
spins="$(db_sql 'SELECT COUNT(*) FROM points_ledger')"
echo "== figures ($(nproc) cores, pool_size=$pool, $members members, durable commits;" \
    "$spins ledger rows written; machine ${background}% busy before the runs)"
printf '%-34s %12s %9s %9s %9s %8s\n' run "tx/s" p50 p99 p99.9 failed
for cmd in spin checkin; do
    printf '%-34s %12s %9s %9s %9s %8s\n' "$cmd closed loop, $connections conns" "${max[$cmd]}" - - - "${max_err[$cmd]}"
    printf '%-34s %12s %9s %9s %9s %8s\n' "$cmd open loop @ ${rate[$cmd]}/s" "${open_ach[$cmd]}" \
        "${p50s[$cmd]} ms" "${p99s[$cmd]} ms" "${p999s[$cmd]} ms" "${open_err[$cmd]}"
done
echo "cpu-bound ceiling (2 x 1000 ms / cpu ms per message of gamigate + mariadbd): spin ${ceil[spin]}/s, checkin ${ceil[checkin]}/s"
echo "target: >= 5000 SPIN/s (2-vCPU machine, durable commits); a naive five-statement spin behind a minimal libevent server: ~4,200/s (the issue)"
echo "(failed = non-200 + connection errors + unanswered after the 5 s drain; nothing is asserted)"
