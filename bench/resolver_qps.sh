#!/usr/bin/env bash
# The Resolver's cost: queries per second through one unbound instance (dnsperf), for a cached
# name and for a private-zone name that is never cached (TTL 0, so every query goes on to our
# private listener), and a rule change's time to take effect.
#
# Everything runs in a temporary directory with its own SQLite database and Redis database, on
# ports of its own: our DNS server (`manage.py dnsserver`) and the supervisor
# (`manage.py resolvers`) as `make run` starts them, with the demo's network "office".
#
# Each query runs RUNS times (after a one-second warm-up); the median is shown.
#
# Usage: bench/resolver_qps.sh [SECONDS_PER_RUN (10)] [RULE_CHANGES (10)] [RUNS (3)]
set -euo pipefail

SECONDS_PER_RUN=${1:-10}
RULE_CHANGES=${2:-10}
RUNS=${3:-3}
cd "$(dirname "$0")/.."
PYTHON=.venv/bin/python
HELPER=bench/resolver_qps_helper.py
command -v dnsperf >/dev/null || { echo "missing dnsperf (apt-get install dnsperf)" >&2; exit 1; }

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

export VAR_DIR="$WORK" DATABASE_URL="sqlite:///$WORK/db.sqlite3" REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379/11}
export DNS_SERVER_LISTEN="auth=127.0.0.1:18053,tld=127.0.0.1:18054,root=127.0.0.1:18055"
export DNS_NAMESERVER_PORT=18056 DNS_PRIVATE_PORT=18057 RESOLVER_INBOUND_PORT=18058 RESOLVER_SYSTEM_PORT=18059
export RESOLVER_DEMO_PARTNER=127.0.54.3:18060 RESOLVER_DIR="$WORK/resolvers"

read -r IP PORT < <("$PYTHON" "$HELPER" setup)
taskset -c 0 "$PYTHON" manage.py dnsserver >"$WORK/dnsserver.log" 2>&1 &
PIDS+=($!)
taskset -c 0 "$PYTHON" manage.py resolvers >"$WORK/resolvers.log" 2>&1 &
PIDS+=($!)

"$PYTHON" "$HELPER" wait "$IP" "$PORT" || { cat "$WORK/resolvers.log"; exit 1; }

dnsperf_qps() {  # SECONDS
    taskset -c 1 dnsperf -s "$IP" -p "$PORT" -d "$WORK/queries.txt" -l "$1" -c 20 -Q 100000 \
        | awk '/Queries per second/ {print $4}'
}

run() {  # LABEL "NAME TYPE"
    echo "$2" >"$WORK/queries.txt"
    dnsperf_qps 1 >/dev/null
    local results=()
    for _ in $(seq "$RUNS"); do results+=("$(dnsperf_qps "$SECONDS_PER_RUN")"); done
    local median
    median=$(printf '%s\n' "${results[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf '%-52s %10.0f q/s  (runs: %s)\n' "$1" "$median" "${results[*]}"
}

echo "One unbound instance (num-threads 1), dnsperf ${RUNS} x ${SECONDS_PER_RUN} s each, 20 clients, median:"
run "cached (db.corp.internal, TTL 300)" "db.corp.internal A"
run "private zone, uncached (live.corp.internal, TTL 0)" "live.corp.internal A"
run "forwarded, cached (www.partner.example)" "www.partner.example A"
echo
echo "Rule change to effect (create + associate, then delete; bus → supervisor → control socket):"
"$PYTHON" "$HELPER" rule-change "$RULE_CHANGES"
