#!/usr/bin/env bash
# Failure detection between real processes: five gossiping `edge run` nodes on loopback, one SIGKILLed RUNS
# times. After each kill the four survivors' `/members` are polled every 50 ms until every one of them has the
# killed node `suspect` (first) and `dead` (all); then it is restarted and the time until all five see it
# `alive` again is taken. A last round SIGTERMs it and times `left`. Prints every run and the medians and
# worsts, beside the bound the timings imply.
#
#   bench/swim/processes.sh                                      # RUNS=7, LAN defaults (1s / 500ms / 4)
#   RUNS=7 PROBE=200ms PROBE_TIMEOUT=100ms MULT=3 bench/swim/processes.sh   # the test suite's fast timings
#   EDGE_BIN=.build/debug/edge bench/swim/processes.sh          # skip the release build
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../lib/common.sh
source bench/lib/common.sh

RUNS=${RUNS:-7}
PROBE=${PROBE:-1s}
PROBE_TIMEOUT=${PROBE_TIMEOUT:-500ms}
MULT=${MULT:-4}
BASE=${BASE_PORT:-18400}
require_positive_int RUNS "$RUNS"
require_positive_int MULT "$MULT"
if [ -z "${EDGE_BIN:-}" ]; then
    swift build -c release --product edge --scratch-path .build-bench >/dev/null
    EDGE_BIN="$(swift build -c release --scratch-path .build-bench --show-bin-path)/edge"
fi
command -v jq >/dev/null || scripts/install-system-deps.sh jq

work=$(mktemp -d /tmp/edge-swim-processes.XXXXXX)
declare -A pid
cleanup() {
    for p in "${pid[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

names=(n1 n2 n3 n4 n5)
victim=n3
{
    cat <<CONF
[cluster]
name = "swim-processes"
gossip_key = "swim-processes-bench-key"
[defaults.upstream]
origins = ["http://127.0.0.1:9"]
health_check_interval = "0s"
[defaults.cache]
disk_size = "0"
[defaults.logging]
level = "warning"
access_log = false
[defaults.gossip]
probe_interval = "$PROBE"
probe_timeout = "$PROBE_TIMEOUT"
suspicion_multiplier = $MULT
CONF
    for i in 1 2 3 4 5; do
        cat <<CONF
[[nodes]]
name = "n$i"
listen = "127.0.0.1:$((BASE + i))"
metrics_listen = "127.0.0.1:$((BASE + 10 + i))"
gossip_listen = "127.0.0.1:$((BASE + 20 + i))"
location = { latitude = $((10 * i)), longitude = $((20 * i)), region = "r$i" }
CONF
    done
} >"$work/edge.conf"

start() { "$EDGE_BIN" run --config "$work/edge.conf" --node "$1" >>"$work/$1.log" 2>&1 & pid[$1]=$!; disown "$!"; }
metrics_port() { echo $((BASE + 10 + ${1#n})); }
# state OBSERVER: the victim's state as OBSERVER sees it ("unreachable" when the observer does not answer).
state() {
    curl -s --max-time 1 "http://127.0.0.1:$(metrics_port "$1")/members?format=json" |
        jq -r --arg v "$victim" '(.[] | select(.name == $v) | .state) // "unknown"' 2>/dev/null || echo unreachable
}
now() { date +%s.%N; }
since() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.3f", a - b }'; }
# until_all STATE OBSERVER...: polls until every observer sees the victim in STATE (60 s at most).
until_all() {
    local want=$1; shift
    local deadline=$(($(date +%s) + 60)) observer all
    while :; do
        all=1
        for observer in "$@"; do [ "$(state "$observer")" = "$want" ] || { all=0; break; }; done
        [ $all -eq 1 ] && return 0
        [ "$(date +%s)" -lt "$deadline" ] || die "timed out waiting for every node to see $victim $want (logs: $work)"
        sleep 0.05
    done
}
# until_any STATE OBSERVER...: polls until some observer sees the victim in STATE (or already past it).
until_any() {
    local want=$1; shift
    local deadline=$(($(date +%s) + 60)) observer seen
    while :; do
        for observer in "$@"; do
            seen=$(state "$observer")
            [ "$seen" = "$want" ] || [ "$seen" = dead ] && return 0
        done
        [ "$(date +%s)" -lt "$deadline" ] || die "timed out waiting for a node to see $victim $want"
        sleep 0.05
    done
}

for name in "${names[@]}"; do start "$name"; done
survivors=(n1 n2 n4 n5)
until_all alive "${names[@]}"
log "five nodes see each other alive; killing $victim $RUNS times (probe $PROBE, timeout $PROBE_TIMEOUT, multiplier $MULT)"

: >"$work/suspect" ; : >"$work/dead"; : >"$work/rejoin"
for run in $(seq 1 "$RUNS"); do
    sleep 1
    kill -9 "${pid[$victim]}"
    killed=$(now)
    until_any suspect "${survivors[@]}"
    suspect=$(since "$killed")
    until_all dead "${survivors[@]}"
    dead=$(since "$killed")
    start "$victim"
    restarted=$(now)
    until_all alive "${names[@]}"
    rejoin=$(since "$restarted")
    echo "$suspect" >>"$work/suspect"; echo "$dead" >>"$work/dead"; echo "$rejoin" >>"$work/rejoin"
    printf 'run %d: first suspect after %s s, dead everywhere after %s s; restarted, alive everywhere after %s s\n' \
        "$run" "$suspect" "$dead" "$rejoin"
done

sleep 1
kill -TERM "${pid[$victim]}"
stopped=$(now)
until_all left "${survivors[@]}"
left=$(since "$stopped")
printf 'SIGTERM: left everywhere after %s s\n' "$left"

summary() { printf '%s median %.2f s, worst %.2f s' "$1" "$(median <"$2")" "$(sort -g "$2" | tail -1)"; }
# The bound the timings imply for n = 5 (log10 5 < 1, so the multiplier applies to one probe interval):
# a round-robin pass over the 4 others plus the probe timeout until the first failed probe, then Lifeguard's
# suspicion timeout at its longest (6 × multiplier × interval) when no other node confirms.
seconds_of() { awk -v d="$1" 'BEGIN { if (d ~ /ms$/) print substr(d, 1, length(d) - 2) / 1000; else print substr(d, 1, length(d) - 1) }'; }
bound=$(awk -v p="$(seconds_of "$PROBE")" -v t="$(seconds_of "$PROBE_TIMEOUT")" -v m="$MULT" \
    'BEGIN { printf "%.1f", 4 * p + t + 6 * m * p }')
echo "5 processes, probe_interval $PROBE, probe_timeout $PROBE_TIMEOUT, suspicion_multiplier $MULT, $RUNS kills:"
echo "  $(summary 'first suspect:' "$work/suspect")"
echo "  $(summary 'dead at all 4 survivors:' "$work/dead")   (bound implied by the timings: $bound s)"
echo "  $(summary 'rejoined, alive at all 5:' "$work/rejoin")"
echo "  SIGTERM → left at all 4: $left s"
