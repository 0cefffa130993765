#!/usr/bin/env bash
# Queries per second: our server against Debian's NSD, with Debian's dnsperf.
#
# Both servers load the same generated 10,000-record zone and get the same query mix
# (bench/dns_qps_helper.py). Each server is pinned to CPU 0 and dnsperf to CPU 1; for each
# mix the runs alternate between the two servers, and the table shows the median QPS of
# each, the ratio and the worst loss. The mixes: plain queries, EDNS0, EDNS0 with a DNS
# COOKIE option, TCP, and a policy mix (weighted, failover, geolocation and latency names,
# which only our server has; two dnsperf processes at once, one sending an EDNS Client
# Subnet option, so that half the queries carry one), whose NSD runs answer the plain mix
# with the same two processes. NSD runs with rrl-ratelimit: 0 (its default rate limit would
# cap it) and minimal-responses: yes, so that its replies carry what ours do (no apex NS set
# in the authority section of positive answers; see docs/dns-server.md).
#
# Usage: bench/dns_qps.sh [SECONDS_PER_RUN (10)] [RUNS (3)]
# MIXES="plain policy" bench/dns_qps.sh runs some of the mixes only.
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
NSD_PID=$!
PIDS+=("$NSD_PID")
taskset -c 0 "$PYTHON" "$HELPER" serve "$WORK/zone.txt" "$OUR_PORT" >"$WORK/ours.out" 2>&1 &
OUR_PID=$!
PIDS+=("$OUR_PID")
"$PYTHON" "$HELPER" wait "$NSD_PORT" 60 || { cat "$WORK/nsd.out" "$WORK/nsd.log" >&2; exit 1; }
"$PYTHON" "$HELPER" wait "$OUR_PORT" 120 || { cat "$WORK/ours.out" >&2; exit 1; }

COOKIE=$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')
# ECS (RFC 7871 §6): family 1, source prefix 24, scope 0, 81.2.69.0/24 (a GB network).
ECS=00011800510245
mix_flags() {
    case $1 in
        plain | policy) echo "" ;;
        edns) echo "-e" ;;
        cookie) echo "-e -E 10:$COOKIE" ;;
        tcp) echo "-m tcp" ;;
    esac
}

# dnsperf against one server, its report in dnsperf.out. The policy mix runs two dnsperf at
# once (ours: one of them with ECS on the routed names; NSD: both on the plain names), the
# second's report in dnsperf2.out; `measure` sums their QPS.
dnsperf_runs() {
    local mix=$1 server=$2 port=$3
    local queries="$WORK/queries.txt"
    if [ "$mix" = policy ]; then
        local second="" ecs=""
        if [ "$server" = ours ]; then queries="$WORK/policy-queries.txt"; ecs="-E 8:$ECS"; fi
        taskset -c 1 dnsperf -s 127.0.0.1 -p "$port" -d "$queries" -l "$SECONDS_PER_RUN" \
            >"$WORK/dnsperf.out" 2>&1 &
        second=$!
        # shellcheck disable=SC2086
        taskset -c 1 dnsperf -s 127.0.0.1 -p "$port" -d "$queries" -l "$SECONDS_PER_RUN" $ecs \
            >"$WORK/dnsperf2.out" 2>&1
        wait "$second"
        return
    fi
    rm -f "$WORK/dnsperf2.out"
    # shellcheck disable=SC2046
    taskset -c 1 dnsperf -s 127.0.0.1 -p "$port" -d "$queries" -l "$SECONDS_PER_RUN" \
        $(mix_flags "$mix") >"$WORK/dnsperf.out" 2>&1
}

# One measured run: prints "QPS LOST% CPU_US_PER_QUERY BUSY%", the last two from the server's
# CPU time over the run (its process and those it forked), so that a run where dnsperf and not
# the server was the limit shows as one (the server less than fully busy).
measure() {
    local mix=$1 server=$2 port=$3 pid=$4
    local before after started ended
    before=$("$PYTHON" "$HELPER" cpu "$pid")
    started=$(date +%s.%N)
    dnsperf_runs "$mix" "$server" "$port"
    ended=$(date +%s.%N)
    after=$("$PYTHON" "$HELPER" cpu "$pid")
    awk -v cpu_before="$before" -v cpu_after="$after" -v started="$started" -v ended="$ended" '
        BEGIN {cpu = cpu_after - cpu_before; wall = ended - started}
        /Queries per second:/ {qps += $4}
        /Queries completed:/ {done += $3}
        /Queries lost:/ {gsub(/[()%]/, "", $4); if ($4 > lost) lost = $4; seen = 1}
        END {printf "%s %s %.2f %.0f\n", qps + 0, (seen ? lost + 0 : 100),
                    (done ? cpu * 1e6 / done : 0), 100 * cpu / wall}' \
        "$WORK/dnsperf.out" $([ -f "$WORK/dnsperf2.out" ] && echo "$WORK/dnsperf2.out")
}

# Warm-up, not recorded: our server renders each routed answer the first time a name (and,
# for geolocation and latency, a located client) asks, and keeps it.
for ecs in "" "-E 8:$ECS"; do
    # shellcheck disable=SC2086
    taskset -c 1 dnsperf -s 127.0.0.1 -p "$OUR_PORT" -d "$WORK/policy-queries.txt" -l 5 $ecs >/dev/null 2>&1
done

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); $SECONDS_PER_RUN s per run, $RUNS runs per server and mix"
: >"$WORK/results"
for mix in ${MIXES:-plain edns cookie policy tcp}; do
    for run in $(seq 1 "$RUNS"); do
        # Alternate which server goes first, so that neither always follows the other.
        if [ $((run % 2)) -eq 1 ]; then order="ours nsd"; else order="nsd ours"; fi
        for server in $order; do
            if [ "$server" = ours ]; then port=$OUR_PORT pid=$OUR_PID; else port=$NSD_PORT pid=$NSD_PID; fi
            read -r qps lost cpu busy < <(measure "$mix" "$server" "$port" "$pid")
            echo "$mix $server $run $qps $lost $cpu $busy" | tee -a "$WORK/results"
        done
    done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PYTHON" "$HELPER" table "$WORK/results"
