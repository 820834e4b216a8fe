#!/usr/bin/env bash
# Purge latency on a 5-node local cluster (edge-1..3 in front of shield-1..2, one dev origin): from the purge
# call until no node serves the object any more, median and worst over many purges.
#
# Each round: warm the object on every node (a request through each edge and each shield until it is a hit),
# then POST /purge {"url": ...} to one node's admin API (rotating which) and time
#   call   until the purge call returns (every node has applied it: the report lists all five as ok);
#   gone   until every node's GET /cache?url= says cached: false (checked in parallel, without fetching the
#          object, so the check itself re-caches nothing).
# The first round also checks that the next request at every edge is a miss.
#
# Needs an edge binary whose `edge run` serves the admin API from admin_listen (EDGE_BIN, or a release build
# into .build-bench). Settings: ROUNDS (50), OBJECT (/bench/1k.txt), KEEP_TMP=1 keeps the work dir and logs.
# Ports on 127.0.0.1: origin 18280, edges 18281-18283, shields 18290-18291, admin 19281-19283 and 19290-19291,
# gossip (UDP) 17281-17283 and 17290-17291.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "$0")/.." && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
# shellcheck source=../lib/common.sh
source "$BENCH_DIR/lib/common.sh"
# shellcheck source=../lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"

ROUNDS="${ROUNDS:-50}"
OBJECT="${OBJECT:-/bench/1k.txt}"
require_positive_int ROUNDS "$ROUNDS"
TOKEN="purge-bench-token-0123456789"
ORIGIN_PORT=18280
NODES=(edge-1 edge-2 edge-3 shield-1 shield-2)
declare -A PORT=([edge-1]=18281 [edge-2]=18282 [edge-3]=18283 [shield-1]=18290 [shield-2]=18291)
declare -A ADMIN=([edge-1]=19281 [edge-2]=19282 [edge-3]=19283 [shield-1]=19290 [shield-2]=19291)
declare -A GOSSIP=([edge-1]=17281 [edge-2]=17282 [edge-3]=17283 [shield-1]=17290 [shield-2]=17291)
declare -A ROLE=([edge-1]=edge [edge-2]=edge [edge-3]=edge [shield-1]=shield [shield-2]=shield)

WORK_DIR="$(mktemp -d /tmp/edge-purge-bench.XXXXXX)"
mkdir -p "$WORK_DIR/logs"
cleanup() {
    stop_processes
    if [[ "${KEEP_TMP:-}" == 1 ]]; then log "kept $WORK_DIR"; else rm -rf "$WORK_DIR"; fi
}
trap cleanup EXIT INT TERM

ports=("$ORIGIN_PORT")
for node in "${NODES[@]}"; do ports+=("${PORT[$node]}" "${ADMIN[$node]}"); done
require_free_ports "${ports[@]}"
command -v curl >/dev/null || die "curl is needed"
command -v python3 >/dev/null || die "python3 is needed (JSON and timing)"

ensure_edge_bin
ensure_site_root

CONF="$WORK_DIR/edge-purge.conf"
{
    printf '[cluster]\nname = "edge-purge-bench"\ngossip_key = "purge-bench-gossip-key-0123"\n\n'
    printf '[admin]\ntoken = "%s"\n\n' "$TOKEN"
    printf '[defaults.cache]\nmemory_size = "64MiB"\ndisk_size = "0"\n\n'
    printf '[defaults.upstream]\norigins = ["bench-origin"]\n\n'
    printf '[defaults.limits]\ndrain_timeout = "1s"\n\n'
    printf '[defaults.logging]\nlevel = "warning"\naccess_log = false\n\n'
    printf '[[origins]]\nname = "bench-origin"\nurl = "http://127.0.0.1:%s"\n\n' "$ORIGIN_PORT"
    for node in "${NODES[@]}"; do
        printf '[[nodes]]\nname = "%s"\nrole = "%s"\nlisten = "127.0.0.1:%s"\nadmin_listen = "127.0.0.1:%s"\n' \
            "$node" "${ROLE[$node]}" "${PORT[$node]}" "${ADMIN[$node]}"
        printf 'gossip_listen = "127.0.0.1:%s"\nlocation = { latitude = 50.0, longitude = 8.0, region = "bench" }\n\n' \
            "${GOSSIP[$node]}"
    done
} >"$CONF"

start_origin
for node in "${NODES[@]}"; do start_edge_node "$node" "$CONF" "$node" "${PORT[$node]}"; done

admin() {  # admin NODE PATH [JSON-BODY]
    local node="$1" path="$2"
    if [[ $# -ge 3 ]]; then
        curl -s -m 10 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data "$3" \
            "http://127.0.0.1:${ADMIN[$node]}$path"
    else
        curl -s -m 10 -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:${ADMIN[$node]}$path"
    fi
}

# Wait until every node's membership shows all five alive, so purges reach everyone.
for attempt in $(seq 1 60); do
    alive="$(admin edge-1 /status | python3 -c 'import json,sys; print(sum(m["state"]=="alive" for m in json.load(sys.stdin)["members"]))' 2>/dev/null || echo 0)"
    [[ "$alive" == 5 ]] && break
    sleep 0.5
done
[[ "$alive" == 5 ]] || die "the membership never showed 5 alive members (saw $alive)"

URL="http://www.cdn.test$OBJECT"
ENCODED="$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$URL")"

warm() {
    local node attempt status
    for node in "${NODES[@]}"; do
        for attempt in $(seq 1 20); do
            status="$(curl -s -m 5 -o /dev/null -D - -H 'Host: www.cdn.test' "http://127.0.0.1:${PORT[$node]}$OBJECT" \
                | tr -d '\r' | awk 'tolower($1) == "cache-status:" { sub(/^[^:]*: */, ""); value = $0 } END { print value }')"
            [[ "$status" == *"$node"*hit* ]] && break
            sleep 0.05
        done
    done
}

cached_somewhere() {  # prints the nodes that still report the object cached
    local node
    for node in "${NODES[@]}"; do
        admin "$node" "/cache?url=$ENCODED" >"$WORK_DIR/cache-$node.json" &
    done
    wait
    for node in "${NODES[@]}"; do
        python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["cached"] else 1)' \
            "$WORK_DIR/cache-$node.json" 2>/dev/null && printf '%s ' "$node"
    done
    return 0
}

now_ms() { python3 -c 'import time; print(f"{time.monotonic() * 1000:.3f}")'; }

: >"$WORK_DIR/call.ms"
: >"$WORK_DIR/gone.ms"
: >"$WORK_DIR/report.ms"
for round in $(seq 1 "$ROUNDS"); do
    warm
    [[ -n "$(cached_somewhere)" ]] || die "round $round: the object is not cached anywhere after warming"
    target="${NODES[$(( (round - 1) % ${#NODES[@]} ))]}"
    start="$(now_ms)"
    report="$(admin "$target" /purge "{\"url\": \"$URL\"}")"
    called="$(now_ms)"
    left="$(cached_somewhere)"
    while [[ -n "$left" ]]; do left="$(cached_somewhere)"; done
    gone="$(now_ms)"
    complete="$(printf '%s' "$report" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["complete"], r["total_ms"], len(r["nodes"]))')"
    read -r ok total count <<<"$complete"
    [[ "$ok" == True && "$count" == 5 ]] || die "round $round: purge not complete on 5 nodes: $report"
    awk -v a="$start" -v b="$called" 'BEGIN { printf "%.3f\n", b - a }' >>"$WORK_DIR/call.ms"
    awk -v a="$start" -v b="$gone" 'BEGIN { printf "%.3f\n", b - a }' >>"$WORK_DIR/gone.ms"
    printf '%s\n' "$total" >>"$WORK_DIR/report.ms"
    if [[ "$round" == 1 ]]; then
        for node in edge-1 edge-2 edge-3; do
            hit="$(curl -s -m 5 -o /dev/null -D - -H 'Host: www.cdn.test' "http://127.0.0.1:${PORT[$node]}$OBJECT" \
                | tr -d '\r' | awk 'tolower($1) == "cache-status:" { print }' | grep -c "$node; hit" || true)"
            [[ "$hit" == 0 ]] || die "$node still served a hit right after the purge"
        done
    fi
done

printf '\nPurge latency, %d purges of one URL on 5 nodes (3 edges, 2 shields), ms:\n' "$ROUNDS"
printf '%-44s %8s %8s %8s\n' "" median p90 worst
for series in "report:coordinator's total_ms (in the report)" "call:purge call, client side (curl)" \
              "gone:until no node has it (call + /cache checks)"; do
    file="${series%%:*}"
    printf '%-44s %8s %8s %8s\n' "${series#*:}" "$(median <"$WORK_DIR/$file.ms")" \
        "$(percentile 90 <"$WORK_DIR/$file.ms")" "$(sort -g "$WORK_DIR/$file.ms" | tail -n 1)"
done
