#!/usr/bin/env bash
# Queries per second: our server against Debian's NSD, with Debian's dnsperf.
#
# Both servers load the same generated 10,000-record zone and get the same query mix
# (bench/dns_qps_helper.py). Each server is pinned to CPU 0 and dnsperf to CPU 1; for each
# of three mixes (plain queries, EDNS0, EDNS0 with a DNS COOKIE option) the runs alternate
# between the two servers, and the table shows the median QPS of each, the ratio and the
# worst loss. NSD runs with rrl-ratelimit: 0 (its default rate limit would cap it) and
# minimal-responses: yes, so that its replies carry what ours do (no apex NS set in the
# authority section of positive answers; see docs/dns-server.md).
#
# Usage: bench/dns_qps.sh [SECONDS_PER_RUN (10)] [RUNS (3)]
set -euo pipefail

SECONDS_PER_RUN=${1:-10}
RUNS=${2:-3}
cd "$(dirname "$0")/.."
PYTHON=.venv/bin/python
HELPER=bench/dns_qps_helper.py
NSD=$(command -v nsd || echo /usr/sbin/nsd)

for program in "$NSD" dnsperf taskset; do
    command -v "$program" >/dev/null || { echo "missing $program (apt-get install nsd dnsperf util-linux)" >&2; exit 1; }
done

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

"$PYTHON" "$HELPER" generate "$WORK"
OUR_PORT=$("$PYTHON" "$HELPER" port)
NSD_PORT=$("$PYTHON" "$HELPER" port)
while [ "$NSD_PORT" = "$OUR_PORT" ]; do NSD_PORT=$("$PYTHON" "$HELPER" port); done

cat >"$WORK/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1
    port: $NSD_PORT
    username: ""
    chroot: ""
    zonesdir: "$WORK"
    pidfile: "$WORK/nsd.pid"
    database: ""
    xfrdfile: "$WORK/xfrd.state"
    xfrdir: "$WORK"
    zonelistfile: "$WORK/zone.list"
    logfile: "$WORK/nsd.log"
    server-count: 1
    rrl-ratelimit: 0
    minimal-responses: yes
remote-control:
    control-enable: no
zone:
    name: "bench.test."
    zonefile: "zone.txt"
EOF

taskset -c 0 "$NSD" -d -c "$WORK/nsd.conf" >"$WORK/nsd.out" 2>&1 &
PIDS+=($!)
taskset -c 0 "$PYTHON" "$HELPER" serve "$WORK/zone.txt" "$OUR_PORT" >"$WORK/ours.out" 2>&1 &
PIDS+=($!)
"$PYTHON" "$HELPER" wait "$NSD_PORT" 60 || { cat "$WORK/nsd.out" "$WORK/nsd.log" >&2; exit 1; }
"$PYTHON" "$HELPER" wait "$OUR_PORT" 120 || { cat "$WORK/ours.out" >&2; exit 1; }

COOKIE=$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')
mix_flags() {
    case $1 in
        plain) echo "" ;;
        edns) echo "-e" ;;
        cookie) echo "-e -E 10:$COOKIE" ;;
    esac
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); $SECONDS_PER_RUN s per run, $RUNS runs per server and mix"
: >"$WORK/results"
for mix in plain edns cookie; do
    for run in $(seq 1 "$RUNS"); do
        # Alternate which server goes first, so that neither always follows the other.
        if [ $((run % 2)) -eq 1 ]; then order="ours nsd"; else order="nsd ours"; fi
        for server in $order; do
            if [ "$server" = ours ]; then port=$OUR_PORT; else port=$NSD_PORT; fi
            # shellcheck disable=SC2046
            taskset -c 1 dnsperf -s 127.0.0.1 -p "$port" -d "$WORK/queries.txt" -l "$SECONDS_PER_RUN" \
                $(mix_flags "$mix") >"$WORK/dnsperf.out" 2>&1
            qps=$(awk '/Queries per second:/ {print $4}' "$WORK/dnsperf.out")
            lost=$(awk '/Queries lost:/ {gsub(/[()%]/, "", $4); print $4}' "$WORK/dnsperf.out")
            echo "$mix $server $run ${qps:-0} ${lost:-100}" | tee -a "$WORK/results"
        done
    done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PYTHON" "$HELPER" table "$WORK/results"
