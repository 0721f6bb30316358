# shellcheck shell=bash
# shellcheck disable=SC2154,SC2034  # inputs set by the caller; outputs read by it
# bench/lib.sh — what the bench scripts share: the build, a private MariaDB with durable
# commits, the daemon on a free loopback port, and run_loadgen (loadgen plus where the
# CPU went). Sourced by bench/*.sh after tools/lib/common.sh and their option parsing;
# reads $pool, $connections, $duration, $warmup, and optionally $count_table (the table
# with one row per request handled, default inbound_messages) and $unit (what a request
# is called in the figures, default message).

# bench_cleanup: stops the daemon and the bench MariaDB, removes the folder (on exit).
pid=
tmp=
bench_cleanup() {
    if [[ -n "$pid" ]]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    "$gg_root/tools/db" stop >/dev/null 2>&1 || true
    rm -rf -- "$tmp"
}

# db_sql QUERY: runs a query on the bench MariaDB, tab-separated output without names.
db_sql() { "$gg_root/tools/db" shell -N -B -e "$1"; }

# bench_setup: builds build/run (gamigate + loadgen), starts the bench MariaDB in a
# temporary folder (removed on exit, also on Ctrl-C) and migrates it. Sets $build,
# $loadgen, $tmp, $db_pid, $port, $secret, $log.
bench_setup() {
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
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
    export GAMIGATE_DB_DIR="$tmp/db" GAMIGATE_DB_PORT=0 GAMIGATE_DB_FLUSH=1
    "$gg_root/tools/db" start >/dev/null 2>"$tmp/db-start.log" || { cat "$tmp/db-start.log" >&2; gg_die "the bench MariaDB did not start"; }
    eval "$("$gg_root/tools/db" env)"
    db_pid="$(head -n1 "$GAMIGATE_DB_DIR/run/mysqld.pid")"

    cd "$gg_root" || exit 1 # conf/grammar.json and templates/ are relative to the repository root
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    secret="bench-secret-0123456789"
    log="$tmp/gamigate.log"
    "$build/gamigate" -c conf/gamigate.conf migrate >/dev/null
}

# bench_serve [--set KEY=VALUE]...: starts gamigate (from the repository root: the
# grammar and template paths are relative) with log.level=warn, the pool size, an admin
# token, secrets on both inbound endpoints and the extra settings; waits until healthy.
bench_serve() {
    GAMIGATE_ADMIN_TOKEN=bench-token-0123456789 "$build/gamigate" -c conf/gamigate.conf \
        --set "http.listen=127.0.0.1:$port" --set log.level=warn --set "database.pool_size=$pool" \
        --set "inbound.json_secret=$secret" --set "inbound.kannel_secret=$secret" "$@" serve 2>"$log" &
    pid=$!
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
        sleep 0.1
    done
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$log"; gg_die "gamigate did not become healthy"; }
}

# cpu_ticks PID: user+system clock ticks of a process so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# busy_ticks: non-idle clock ticks of the whole machine so far.
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
# db_counters: "FSYNCS ROWS-INSERTED" of the bench MariaDB so far (each request handled
# writes exactly one row of $count_table: an inbound record, a USSD step).
db_counters() {
    db_sql "SELECT (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
        WHERE VARIABLE_NAME = 'INNODB_DATA_FSYNCS'), (SELECT COUNT(*) FROM ${count_table:-inbound_messages})"
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
        -v s="$secs" -v c0="$c0" -v c1="$c1" -v cores="$(nproc)" -v u="${unit:-message}" \
        'BEGIN { split(c0, x, /[ \t]+/); split(c1, y, /[ \t]+/); f = y[1] - x[1]; c = y[2] - x[2]
            printf "  %s, whole run (%.1f s): cpu gamigate %.0f%%, mariadbd %.0f%%, all processes %.0f%% (of %d%%); %d %ss recorded, %d InnoDB fsyncs (%.2f per %s)\n",
                n, s, 100 * g / hz / s, 100 * d / hz / s, 100 * b / hz / s, 100 * cores, c, u, f, (c > 0 ? f / c : 0), u
            if (c > 0) {
                gm = 1000 * g / hz / c; dm = 1000 * d / hz / c
                printf "  %s, cpu per %s: gamigate %.3f ms + mariadbd %.3f ms = %.3f ms, so %d cores cap the rate near %.0f %ss/s (with nothing else running)\n",
                    n, u, gm, dm, gm + dm, cores, cores * 1000 / (gm + dm), u
                ceiling = cores * 1000 / (gm + dm)
            }
            printf "CEILING %.0f\n", (ceiling > 0 ? ceiling : 0) }' >"$tmp/cpu.out"
    grep -v '^CEILING' "$tmp/cpu.out" || true
    ceiling="$(sed -n 's/^CEILING //p' "$tmp/cpu.out")"
}

half() { awk -v r="$1" 'BEGIN { h = int(r / 2); print (h > 0 ? h : 1) }'; }

# bench_background: how busy the machine is without us (percent of one core, over 2 s):
# other processes (builds, tests) lower every figure. Sets $background.
bench_background() {
    b0="$(busy_ticks)"; sleep 2; b1="$(busy_ticks)"
    background="$(awk -v b=$((b1 - b0)) -v hz="$hz" 'BEGIN { printf "%.0f", 100 * b / hz / 2 }')"
}
