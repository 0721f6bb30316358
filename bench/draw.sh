#!/usr/bin/env bash
# bench/draw.sh — a draw at scale: MEMBERS members holding CHANCES chances in all (10
# million over 2 million by default) in a private MariaDB of its own; then `gamigate draw
# freeze`, `draw run` and the offline `draw verify`, each timed with its peak memory
# (maximum resident set of the gamigate process) and printed next to the targets of
# issue 7 (<= 5 s and <= 512 MiB each). Figures are printed, never asserted.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../tools/lib/common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)/lib/common.sh"

# shellcheck disable=SC2034  # read by gg_die/gg_say in common.sh
gg_prog=bench/draw.sh
members=2000000
chances=10000000
winners=100
backups=20
usage() {
    cat <<'USAGE'
usage: bench/draw.sh [-m MEMBERS] [-n CHANCES] [-w WINNERS] [-b BACKUPS]

Builds build/run, starts a private MariaDB of its own in a temporary folder, migrates
it, inserts MEMBERS subscribers and CHANCES one-chance rows of chances_ledger spread
evenly over them (setup, timed apart), loads a campaign whose draw has its cut-off a few
seconds ahead, commits the draw, waits for the cut-off, and then times:

  freeze   gamigate draw freeze: the entries summed from the ledger, the export file
           written and hashed
  run      gamigate draw run: the export rebuilt and checked against the frozen hash,
           the seed revealed, WINNERS + BACKUPS drawn, stored, winners notified
  verify   gamigate draw verify --export --result: offline, parse + hash + draw + compare

Each line gives wall seconds and the peak resident memory of the gamigate process (the
MariaDB server's own memory is not included) next to the targets. Nothing is asserted.
The MariaDB server and the temporary folder are removed at the end.

  -m MEMBERS   members (default 2000000)
  -n CHANCES   chances in all (default 10000000)
  -w WINNERS   winners (default 100)
  -b BACKUPS   backups (default 20)
USAGE
}
while (($#)); do
    case "$1" in
    -h | --help) usage; exit 0 ;;
    -m) members="${2:?-m needs MEMBERS}"; shift ;;
    -n) chances="${2:?-n needs CHANCES}"; shift ;;
    -w) winners="${2:?-w needs WINNERS}"; shift ;;
    -b) backups="${2:?-b needs BACKUPS}"; shift ;;
    *) usage >&2; exit 2 ;;
    esac
    shift
done
for v in "$members" "$chances" "$winners"; do
    [[ "$v" =~ ^[1-9][0-9]*$ ]] || gg_die "expected a positive whole number, got '$v'"
done
[[ "$backups" =~ ^[0-9]+$ ]] || gg_die "-b: a whole number, got '$backups'"

gg_need_packages "${GG_PACKAGES[@]}"
build="$gg_root/build/run"
build_log="$(mktemp /tmp/gamigate-bench-build.XXXXXX)"
if ! { cmake -S "$gg_root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGAMIGATE_WERROR=OFF -DGAMIGATE_TESTS=OFF &&
    cmake --build "$build" -j"$(nproc)" --target gamigate; } >"$build_log" 2>&1; then
    cat "$build_log" >&2
    rm -f "$build_log"
    gg_die "the build of $build failed (output above)"
fi
rm -f "$build_log"
gamigate="$build/gamigate"

tmp="$(mktemp -d /tmp/gamigate-bench-draw.XXXXXX)"
export GAMIGATE_DB_DIR="$tmp/db" GAMIGATE_DB_PORT=0
cleanup() {
    "$gg_root/tools/db" stop >/dev/null 2>&1 || true
    rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$gg_root/tools/db" start >/dev/null 2>"$tmp/db-start.log" || { cat "$tmp/db-start.log" >&2; gg_die "the bench MariaDB did not start"; }
eval "$("$gg_root/tools/db" env)"
db_sql() { "$gg_root/tools/db" shell -N -B -e "$1"; }
cd "$tmp"
"$gamigate" -c /dev/null migrate >/dev/null

gg_say "setup: $members members, $chances chances"
t0="$(date +%s.%N)"
db_sql "SET SESSION unique_checks = 0;
    INSERT INTO subscribers (msisdn, lang, joined_at, created_at, updated_at)
    SELECT CONCAT('+98912', LPAD(seq, 7, '0')), 'fa', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6),
           UTC_TIMESTAMP(6) FROM seq_1_to_$members;"
# One chance per row, member (k * 7919 mod MEMBERS) + 1: spread evenly, not in order.
# The ledger's secondary indexes are built once after the rows are in (as a restore
# would), not row by row: the same schema at the end, minutes less setup.
db_sql "ALTER TABLE chances_ledger DROP INDEX chances_ledger_ref,
    DROP INDEX chances_ledger_subscriber, DROP INDEX chances_ledger_draw;"
step=1000000
for ((from = 1; from <= chances; from += step)); do
    to=$((from + step - 1 < chances ? from + step - 1 : chances))
    db_sql "SET SESSION unique_checks = 0;
        INSERT INTO chances_ledger (subscriber_id, campaign_id, campaign_version, delta,
            reason, ref, created_at)
        SELECT 1 + (seq * 7919) % $members, 'bench', 1, 1, 'bench', CONCAT('b:', seq),
               '2026-01-01' FROM seq_${from}_to_$to;"
done
db_sql "ALTER TABLE chances_ledger ADD UNIQUE KEY chances_ledger_ref (ref),
    ADD KEY chances_ledger_subscriber (subscriber_id, campaign_id),
    ADD KEY chances_ledger_draw (campaign_id, subscriber_id, created_at, delta);"
t1="$(date +%s.%N)"
gg_say "setup took $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", b - a}') s"

cutoff_epoch=$(($(date +%s) + 8))
cutoff="$(date -u -d "@$cutoff_epoch" +%Y-%m-%dT%H:%M:%S)"
cat >"$tmp/bench.json" <<JSON
{"id": "bench", "name": {"fa": "بنچ", "en": "Bench"}, "timezone": "UTC",
 "starts": "2026-01-01", "ends": "2099-12-31", "short_codes": ["3999"],
 "draws": [{"id": "bench-draw", "cutoff": "$cutoff", "prize": {"fa": "جایزه", "en": "Prize"},
            "winners": $winners, "backups": $backups}]}
JSON
"$gamigate" -c /dev/null campaign load "$tmp/bench.json" >/dev/null
"$gamigate" -c /dev/null draw commit bench-draw >/dev/null
while (($(date +%s) <= cutoff_epoch)); do sleep 0.5; done

# timed NAME ARGS...: runs gamigate with ARGS; prints seconds and peak RSS (MiB).
timed() {
    local name="$1" out
    shift
    out="$(/usr/bin/time -f '%e %M' "$gamigate" -c /dev/null "$@" 2>&1 >/dev/null | tail -n1)"
    read -r secs kib <<<"$out"
    printf '%-8s %8.2f s (target <= 5 s)   %6.0f MiB peak RSS (target <= 512 MiB)\n' \
        "$name" "$secs" "$(awk -v k="$kib" 'BEGIN {print k / 1024}')"
}
echo "draw of $members members, $chances chances, $winners winners + $backups backups" \
    "($(nproc) cores, $(uname -m)):"
timed freeze draw freeze bench-draw --out "$tmp/bench-draw.export.txt"
timed run draw run bench-draw --out "$tmp/bench-draw.result.txt"
timed verify draw verify --export "$tmp/bench-draw.export.txt" --result "$tmp/bench-draw.result.txt"
echo "export file: $(wc -c <"$tmp/bench-draw.export.txt") bytes, $(($(wc -l <"$tmp/bench-draw.export.txt") - 1)) members"
