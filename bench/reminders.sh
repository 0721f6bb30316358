#!/usr/bin/env bash
# bench/reminders.sh — a reminder run of N members (default 1,000,000) into a local mock
# provider (bench/mockprovider): materialisation time, messages/s sent, and the peak
# memory of the daemon, printed beside the targets of issue 5 (never asserted).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../tools/lib/common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)/lib/common.sh"

# shellcheck disable=SC2034  # read by gg_die/gg_say in common.sh
gg_prog=bench/reminders.sh
members=1000000
pool=4
kind=transactional
rate=100000
usage() {
    cat <<'USAGE'
usage: bench/reminders.sh [-n MEMBERS] [-w POOL_SIZE] [-k KIND] [-r RATE]

Builds build/run (gamigate and bench/mockprovider), starts a private MariaDB of its own
in a temporary folder, migrates it, inserts MEMBERS subscribers (default 1,000,000),
starts the mock provider and gamigate (outbox.provider = http, no quiet hours, no cap
that matters), stores a reminder for every member and fires it with `reminder run-now`,
then measures:
  materialisation  from run-now until the run's segment is all in the outbox
  sending          messages/s from the first to the last one the provider got
  memory           the daemon's peak resident memory (VmHWM)
Targets (2 vCPU): materialised in <= 30 s, >= 5,000 messages/s, <= 256 MiB.
Everything is stopped and removed at the end.

  -n MEMBERS    members in the run
  -w POOL_SIZE  database.pool_size (default 4)
  -k KIND       the reminder's kind: transactional (default) or promotional (the block
                and the daily cap are checked for every member, at creation and at send)
  -r RATE       outbox.rate_per_s, the provider's rate (default 100000: no limit; the
                sender then takes what CPU it can from the materialising of the run)
USAGE
}
while (($#)); do
    case "$1" in
    -h | --help) usage; exit 0 ;;
    -n) members="${2:?-n needs MEMBERS}"; shift ;;
    -w) pool="${2:?-w needs POOL_SIZE}"; shift ;;
    -k) kind="${2:?-k needs KIND}"; shift ;;
    -r) rate="${2:?-r needs RATE}"; shift ;;
    *) usage >&2; exit 2 ;;
    esac
    shift
done
[[ "$members" =~ ^[1-9][0-9]*$ ]] || gg_die "-n: a whole number, got '$members'"
[[ "$pool" =~ ^[1-9][0-9]*$ ]] || gg_die "-w: a whole number, got '$pool'"
[[ "$rate" =~ ^[1-9][0-9]*$ ]] || gg_die "-r: a whole number, got '$rate'"
[[ "$kind" == transactional || "$kind" == promotional ]] || gg_die "-k: transactional or promotional, got '$kind'"

gg_need_packages "${GG_PACKAGES[@]}"
build="$gg_root/build/run"
build_log="$(mktemp /tmp/gamigate-bench-build.XXXXXX)"
if ! { cmake -S "$gg_root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGAMIGATE_WERROR=OFF -DGAMIGATE_TESTS=OFF &&
    cmake --build "$build" -j"$(nproc)" --target gamigate mockprovider; } >"$build_log" 2>&1; then
    cat "$build_log" >&2
    rm -f "$build_log"
    gg_die "the build of $build failed (output above)"
fi
rm -f "$build_log"

tmp="$(mktemp -d /tmp/gamigate-bench.XXXXXX)"
# Durable commits (the redo log flushed at every commit), as bench/inbound.sh.
export GAMIGATE_DB_DIR="$tmp/db" GAMIGATE_DB_PORT=0 GAMIGATE_DB_FLUSH=1
pid='' mock=''
cleanup() {
    for p in $pid $mock; do
        kill "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    "$gg_root/tools/db" stop >/dev/null 2>&1 || true
    rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$gg_root/tools/db" start >/dev/null 2>"$tmp/db-start.log" || { cat "$tmp/db-start.log" >&2; gg_die "the bench MariaDB did not start"; }
eval "$("$gg_root/tools/db" env)"
db_pid="$(head -n1 "$GAMIGATE_DB_DIR/run/mysqld.pid")"
db_sql() { "$gg_root/tools/db" shell -N -B -e "$1"; }
cd "$gg_root"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port="$(free_port)" mport="$(free_port)"
"$build/gamigate" -c conf/gamigate.conf migrate >/dev/null

gg_say "inserting $members members"
db_sql "INSERT INTO subscribers (msisdn, lang, joined_at, created_at, updated_at)
    SELECT CONCAT('+98912', LPAD(seq, 7, '0')), IF(seq % 2 = 0, 'en', 'fa'), UTC_TIMESTAMP(6),
    UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM seq_1_to_$members"
cat >"$tmp/r.json" <<JSON
{"id": "bench", "kind": "$kind", "schedule": {"daily": "03:00"},
 "segment": {"type": "all"},
 "text": {"fa": "امتیاز شما: {points}", "en": "Your points: {points}"}}
JSON
"$build/gamigate" -c conf/gamigate.conf reminder add "$tmp/r.json" >/dev/null

"$build/bench/mockprovider" "$mport" >"$tmp/mock.out" &
mock=$!
sets=(--set "http.listen=127.0.0.1:$port" --set log.level=warn --set "database.pool_size=$pool"
    --set outbox.provider=http --set "outbox.http_url=http://127.0.0.1:$mport/send"
    --set "outbox.rate_per_s=$rate" --set outbox.in_flight=64 --set outbox.batch=1000
    --set outbox.poll_ms=20 --set outbox.scheduler_interval_ms=100
    --set outbox.quiet_start=00:00 --set outbox.quiet_end=00:00 --set game.expiry_interval_s=0)
GAMIGATE_ADMIN_TOKEN=bench-token-0123456789 "$build/gamigate" -c conf/gamigate.conf "${sets[@]}" serve 2>"$tmp/gamigate.log" &
pid=$!
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.1
done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$tmp/gamigate.log"; gg_die "gamigate did not become healthy"; }

now() { date +%s.%N; }
# cpu_ticks PID: user+system clock ticks of a process so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
# ticks: "GAMIGATE MARIADBD MOCK MACHINE" clock ticks so far.
ticks() { echo "$(cpu_ticks "$pid") $(cpu_ticks "$db_pid") $(cpu_ticks "$mock") $(busy_ticks)"; }
fsyncs() { db_sql "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'INNODB_DATA_FSYNCS'"; }
# handlers: "FSYNCS READ_KEY READ_NEXT UPDATE WRITE STATEMENTS" so far (server counters).
handlers() {
    db_sql "SELECT GROUP_CONCAT(VARIABLE_VALUE ORDER BY FIELD(VARIABLE_NAME, 'INNODB_DATA_FSYNCS',
        'HANDLER_READ_KEY', 'HANDLER_READ_NEXT', 'HANDLER_UPDATE', 'HANDLER_WRITE', 'COM_STMT_EXECUTE')
        SEPARATOR ' ') FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN ('INNODB_DATA_FSYNCS',
        'HANDLER_READ_KEY', 'HANDLER_READ_NEXT', 'HANDLER_UPDATE', 'HANDLER_WRITE', 'COM_STMT_EXECUTE')"
}
c0="$(ticks)" f0="$(handlers)"
sent() { tail -n1 "$tmp/mock.out" | awk '{print $2 + 0}'; }
max_s=$((120 + members / 500)) # a guard against hangs, not a target
t0="$(now)"
"$build/gamigate" -c conf/gamigate.conf reminder run-now bench >/dev/null
t_mat='' t_first='' t_last=''
while :; do
    if [[ -z "$t_mat" && "$(db_sql "SELECT status FROM reminder_runs")" == "done" ]]; then
        t_mat="$(now)" c_mat="$(ticks)"
    fi
    s="$(sent)"
    [[ -z "$t_first" && "$s" -gt 0 ]] && t_first="$(now)"
    if [[ "$s" -ge "$members" ]]; then
        t_last="$(now)"
        break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
        cat "$tmp/gamigate.log"
        gg_die "gamigate exited"
    fi
    kill -0 "$mock" 2>/dev/null || gg_die "the mock provider exited"
    if awk -v a="$t0" -v b="$(now)" -v m="$max_s" 'BEGIN { exit !(b - a > m) }'; then
        tail -n 20 "$tmp/gamigate.log" >&2
        gg_die "gave up after ${max_s} s with $(sent) of $members messages sent"
    fi
    sleep 0.5
done
c1="$(ticks)" f1="$(handlers)"
[[ -n "$t_mat" ]] || t_mat="$(now)" c_mat="$c1"
hwm="$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")"
awk -v n="$members" -v t0="$t0" -v tm="$t_mat" -v tf="$t_first" -v tl="$t_last" -v hwm="$hwm" \
    -v cores="$(nproc)" -v kind="$kind" -v rate="$rate" 'BEGIN {
    printf "== %s reminder run of %d members, provider rate %d/s, %d cores (%s)\n", kind, n, rate, cores, strftime("%Y-%m-%d %H:%M UTC", systime(), 1)
    printf "%-28s %14s %14s\n", "figure", "measured", "target"
    printf "%-28s %12.1f s %14s\n", "materialised in", tm - t0, "<= 30 s"
    printf "%-28s %12.0f/s %14s\n", "sent", n / (tl - tf > 0 ? tl - tf : 1), ">= 5000/s"
    printf "%-28s %10.1f MiB %14s\n", "daemon peak memory", hwm / 1024, "<= 256 MiB"
    printf "%-28s %12.1f s\n", "run-now to last message", tl - t0 }'
# Where the CPU went (seconds of CPU, robust to other load on the machine, unlike the
# wall-clock figures above): until materialised, and over the whole run.
awk -v hz="$(getconf CLK_TCK)" -v n="$members" -v a="$c0" -v m="$c_mat" -v b="$c1" \
    -v t0="$t0" -v tm="$t_mat" -v tl="$t_last" -v f0="$f0" -v f1="$f1" 'BEGIN {
    split(a, x); split(m, y); split(b, z); split(f0, g); split(f1, h)
    printf "cpu until materialised (%.1f s): gamigate %.1f s, mariadbd %.1f s, mock %.1f s, machine %.1f s\n",
        tm - t0, (y[1] - x[1]) / hz, (y[2] - x[2]) / hz, (y[3] - x[3]) / hz, (y[4] - x[4]) / hz
    printf "cpu whole run (%.1f s): gamigate %.1f s, mariadbd %.1f s, mock %.1f s, machine %.1f s of %.1f s available\n",
        tl - t0, (z[1] - x[1]) / hz, (z[2] - x[2]) / hz, (z[3] - x[3]) / hz, (z[4] - x[4]) / hz, 2 * (tl - t0)
    printf "cpu per member (whole run): gamigate %.1f us, mariadbd %.1f us; InnoDB fsyncs %d\n",
        1e6 * (z[1] - x[1]) / hz / n, 1e6 * (z[2] - x[2]) / hz / n, h[1] - g[1]
    printf "server work per member: %.2f statements, handler read_key %.1f, read_next %.1f, update %.1f, write %.1f\n",
        (h[6] - g[6]) / n, (h[2] - g[2]) / n, (h[3] - g[3]) / n, (h[4] - g[4]) / n, (h[5] - g[5]) / n }'
