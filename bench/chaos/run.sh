#!/usr/bin/env bash
# Chaos run: brings up the local cluster of edge.conf (origin, 3 edges, 2 shields, each on its own loopback
# address), drives bounded load through the edges with curl, injects one fault per scenario on a schedule and
# prints, per second, the requests served, failed and stale, then per scenario the availability and the time the
# failure took to route around. See README "Chaos run".
#
#   bench/chaos/run.sh [--scenario NAME|all] [--seconds N] [--workers N]
#
# Scenarios (each N seconds, default 30: fault at N/3, recovery at 2N/3):
#   edge-loss       SIGKILL edge-1, start it again at recovery
#   shield-loss     SIGKILL shield-1, start it again at recovery
#   origin-outage   SIGSTOP the origin, SIGCONT at recovery
#   rolling-restart SIGTERM and restart each edge and shield in turn, one every N/6 seconds from the fault on
#   reload          SIGHUP every node once a second from the fault to the recovery (under the load)
#
# The client model: each load worker sticks to one edge and moves to the next edge after a failed request (what
# a client does when it re-resolves or tries the next A record). A request is "served" when its final answer is
# 2xx/3xx/404, "failed" otherwise (5xx or no answer within 2 s), "stale" when Cache-Status says so, "retried"
# when the first edge failed and the next one answered. Route-around time = from the fault to the last failed
# first attempt of the fault window.
#
# The cluster runs from the nodes directly (`edge run` / `edge origin`), not `edge up`: the run must kill and
# restart processes itself, and `edge up` would restart them first. Environment: EDGE_BIN (default
# .build/release/edge, else .build/debug/edge), KEEP_TMP=1 keeps the work directory with logs and raw samples.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SCENARIO=all
SECONDS_PER=30
WORKERS=3
while [[ $# -gt 0 ]]; do
    case "$1" in
        --scenario) SCENARIO="$2"; shift 2 ;;
        --seconds) SECONDS_PER="$2"; shift 2 ;;
        --workers) WORKERS="$2"; shift 2 ;;
        -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
        *) echo "chaos: unknown argument $1" >&2; exit 2 ;;
    esac
done
ALL=(edge-loss shield-loss origin-outage rolling-restart reload)
if [[ "$SCENARIO" == all ]]; then SCENARIOS=("${ALL[@]}"); else SCENARIOS=("$SCENARIO"); fi
for s in "${SCENARIOS[@]}"; do
    [[ " ${ALL[*]} " == *" $s "* ]] || { echo "chaos: unknown scenario $s (known: ${ALL[*]})" >&2; exit 2; }
done
(( SECONDS_PER >= 6 && SECONDS_PER <= 60 )) || { echo "chaos: --seconds must be 6...60" >&2; exit 2; }

BIN="${EDGE_BIN:-}"
if [[ -z "$BIN" ]]; then
    if [[ -x "$REPO/.build/release/edge" ]]; then BIN="$REPO/.build/release/edge"; else BIN="$REPO/.build/debug/edge"; fi
fi
[[ -x "$BIN" ]] || { echo "chaos: no edge binary at $BIN (swift build -c release --product edge)" >&2; exit 1; }
command -v curl >/dev/null || { echo "chaos: curl is needed" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/edge-chaos.XXXXXX")"
CONF="$WORK/edge.conf"
# The repo's cluster, with its caches, origin content and logs under the work directory; no access log (the
# samples are the record, and the disk is shared with the load).
sed -e "s|^disk_path = .*|disk_path = \"$WORK/cache/{node}\"|" \
    -e "s|^root = \"origin/site\"|root = \"$REPO/origin/site\"|" \
    -e "s|^rules = \"origin/rules.conf\"|rules = \"$REPO/origin/rules.conf\"|" \
    -e "s|^access_log = .*|access_log = false|" -e '/^https_listen = /d' "$REPO/edge.conf" \
    | awk '
        # Plain HTTP only: the chaos load is curl over HTTP, and the demo certificates exist only after
        # `edge up` has made them, so the [[tls.certificates]] tables go with the https_listen lines.
        /^\[\[tls\.certificates\]\]/ { skip = 1; next }
        /^\[/ { skip = 0 }
        !skip' > "$CONF"

NODES=(shield-1 shield-2 edge-1 edge-2 edge-3)
EDGES=(127.0.0.11 127.0.0.12 127.0.0.13)
declare -A ADDRESS=([origin]=127.0.0.31 [edge-1]=127.0.0.11 [edge-2]=127.0.0.12 [edge-3]=127.0.0.13
                    [shield-1]=127.0.0.21 [shield-2]=127.0.0.22)
declare -A PID=()
PATHS=(/ /css/site.css /js/app.js /images/logo.png /images/tile.png /images/badge.svg)

cleanup() {
    for name in "${!PID[@]}"; do kill -CONT "${PID[$name]}" 2>/dev/null || true; kill -KILL "${PID[$name]}" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [[ "${KEEP_TMP:-0}" == 1 ]]; then echo "chaos: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

start() {
    local name="$1"
    if [[ "$name" == origin ]]; then
        "$BIN" origin --config "$CONF" --name origin-1 >>"$WORK/origin.log" 2>&1 &
    else
        "$BIN" run --config "$CONF" --node "$name" >>"$WORK/$name.log" 2>&1 &
    fi
    PID[$name]=$!
}

# Waits until the node answers its health endpoint (the origin: any HTTP answer), up to 30 s.
wait_up() {
    local name="$1" url="http://${ADDRESS[$1]}:8080/.well-known/edge/health"
    for _ in $(seq 1 300); do
        if curl -s -o /dev/null --max-time 1 "$url"; then return 0; fi
        sleep 0.1
    done
    echo "chaos: $name did not come up; log:" >&2; tail -20 "$WORK/$name.log" >&2 || true; exit 1
}

stop_term() {
    local name="$1"
    kill -TERM "${PID[$name]}" 2>/dev/null || true
    wait "${PID[$name]}" 2>/dev/null || true
}

for address in "${ADDRESS[@]}"; do
    if curl -s -o /dev/null --max-time 1 "http://$address:8080/"; then
        echo "chaos: something already listens on $address:8080 (a running demo?); stop it first" >&2; exit 1
    fi
done
start origin; wait_up origin
for node in "${NODES[@]}"; do start "$node"; done
for node in "${NODES[@]}"; do wait_up "$node"; done

# One load worker: appends "epoch_ms first_code final_code stale" per request to its file until $1 (epoch s).
load_worker() {
    local until="$1" out="$2" index="$3" n=0 edge="$3" first final status stale
    while (( $(date +%s) < until )); do
        local path="${PATHS[$(( n % ${#PATHS[@]} ))]}"
        n=$((n + 1))
        local now_ms; now_ms=$(date +%s%3N)
        status=$(curl -s -o /dev/null --max-time 2 -H "Host: www.cdn.test" \
            -w '%{http_code} %header{cache-status}' "http://${EDGES[$((edge % 3))]}:8080$path" 2>/dev/null || true)
        first="${status%% *}"; final="$first"
        if [[ -z "$first" || "$first" == 000 || "$first" -ge 500 ]]; then
            edge=$((edge + 1))
            status=$(curl -s -o /dev/null --max-time 2 -H "Host: www.cdn.test" \
                -w '%{http_code} %header{cache-status}' "http://${EDGES[$((edge % 3))]}:8080$path" 2>/dev/null || true)
            final="${status%% *}"
        fi
        if [[ "$status" == *stale* ]]; then stale=1; else stale=0; fi
        echo "$now_ms ${first:-000} ${final:-000} $stale" >>"$out"
    done
}

sleep_until() {
    while (( $(date +%s) < $1 )); do sleep 0.1; done
}

inject() {
    local scenario="$1" t0="$2" t1="$3"
    case "$scenario" in
        edge-loss) kill -KILL "${PID[edge-1]}"; wait "${PID[edge-1]}" 2>/dev/null || true
                   sleep_until "$t1"; start edge-1 ;;
        shield-loss) kill -KILL "${PID[shield-1]}"; wait "${PID[shield-1]}" 2>/dev/null || true
                     sleep_until "$t1"; start shield-1 ;;
        origin-outage) kill -STOP "${PID[origin]}"; sleep_until "$t1"; kill -CONT "${PID[origin]}" ;;
        rolling-restart)
            local step=$(( (t1 - t0) / ${#NODES[@]} )); (( step > 0 )) || step=1
            for node in "${NODES[@]}"; do
                stop_term "$node"; start "$node"; wait_up "$node"
                local next=$(( $(date +%s) + step )); while (( $(date +%s) < next )); do sleep 0.2; done
            done ;;
        reload) while (( $(date +%s) < t1 )); do
                    for node in "${NODES[@]}"; do kill -HUP "${PID[$node]}" 2>/dev/null || true; done
                    sleep 1
                done ;;
    esac
}

SUMMARY="$WORK/summary.txt"
printf '%-16s %8s %8s %8s %8s %8s %13s %14s\n' scenario requests served failed stale retried availability route_around_s >"$SUMMARY"
for scenario in "${SCENARIOS[@]}"; do
    begin=$(date +%s); fault=$(( begin + SECONDS_PER / 3 )); recover=$(( begin + 2 * SECONDS_PER / 3 ))
    end=$(( begin + SECONDS_PER ))
    rm -f "$WORK"/load-*.txt
    WPIDS=()
    for i in $(seq 0 $((WORKERS - 1))); do load_worker "$end" "$WORK/load-$i.txt" "$i" & WPIDS+=($!); done
    while (( $(date +%s) < fault )); do sleep 0.1; done
    echo "chaos: $scenario: fault at +$(( fault - begin ))s, recovery at +$(( recover - begin ))s" >&2
    inject "$scenario" "$fault" "$recover"
    # The load workers only: nodes started during the run stay in the background.
    wait "${WPIDS[@]}" 2>/dev/null || true
    # Nodes killed or stopped by the scenario are whole again before the next one.
    for node in "${NODES[@]}"; do wait_up "$node"; done
    echo
    echo "== $scenario ($SECONDS_PER s; fault +$(( fault - begin ))s, recovery +$(( recover - begin ))s)"
    cat "$WORK"/load-*.txt | sort -n | awk -v begin="$begin" -v fault="$fault" -v recover="$recover" \
        -v name="$scenario" -v summary="$SUMMARY" '
        function ok(code) { return code != "000" && (code < 500) }
        {
            second = int($1 / 1000) - begin
            total[second]++; requests++
            if (ok($3)) { served[second]++; servedAll++ } else { failed[second]++; failedAll++ }
            if ($4 == 1) { stale[second]++; staleAll++ }
            if (!ok($2) && ok($3)) { retried[second]++; retriedAll++ }
            if (!ok($2) && $1 / 1000 >= fault && $1 / 1000 <= recover + 2) lastFail = $1 / 1000
            if (second > last) last = second
        }
        END {
            printf "%4s %8s %8s %8s %8s %8s\n", "s", "total", "served", "failed", "stale", "retried"
            for (s = 0; s <= last; s++)
                printf "%4d %8d %8d %8d %8d %8d%s\n", s, total[s], served[s], failed[s], stale[s], retried[s],
                    (s == fault - begin ? "   <- fault" : (s == recover - begin ? "   <- recovery" : ""))
            around = lastFail > 0 ? sprintf("%.1f", lastFail - fault) : "0"
            printf "%-16s %8d %8d %8d %8d %8d %12.2f%% %14s\n", name, requests, servedAll, failedAll, staleAll,
                retriedAll, requests ? 100 * servedAll / requests : 0, around >> summary
        }'
done
echo
cat "$SUMMARY"
