#!/usr/bin/env bash
# Checks the parts of bench/tiers/run.sh that turn tool output into numbers and verdicts, on recorded samples:
# walk.lua's summary line, percentiles, the per-tier header checks, the TTFB verdicts, the report's problem
# column and template rendering. No servers, no load.
# Usage: bench/tests/tiers-lib-test.sh   (prints "N passed, N failed"; exits non-zero on a failure)
set -euo pipefail

TEST_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_DIR="$(cd "$TEST_DIR/.." && pwd)"
TIERS_DIR="$BENCH_DIR/tiers"
# shellcheck source=../lib/common.sh
source "$BENCH_DIR/lib/common.sh"
# shellcheck source=../lib/wrk.sh
source "$BENCH_DIR/lib/wrk.sh"
# shellcheck source=../lib/hits.sh
source "$BENCH_DIR/lib/hits.sh"
# shellcheck source=../lib/servers.sh
source "$BENCH_DIR/lib/servers.sh"
# shellcheck source=../tiers/lib/tiers.sh
source "$TIERS_DIR/lib/tiers.sh"
# shellcheck source=../tiers/lib/report.sh
source "$TIERS_DIR/lib/report.sh"

FIXTURES="$TEST_DIR/fixtures/tiers"
WORK_DIR="$(mktemp -d)"
trap 'rm -rf "$WORK_DIR"' EXIT
passed=0
failed=0

expect() {
    local name="$1" expected="$2" actual="$3"
    if [[ "$expected" == "$actual" ]]; then
        passed=$(( passed + 1 ))
    else
        failed=$(( failed + 1 ))
        printf 'FAIL %s: expected "%s", got "%s"\n' "$name" "$expected" "$actual"
    fi
}

# "match" or "no" for fixture $1 against the checks array named $2.
verdict() {
    local -n pairs="$2"
    if headers_match "$FIXTURES/$1.headers" "${pairs[@]}"; then echo match; else echo no; fi
}

expect "percentile p90 nearest rank" "180" "$(seq 1 200 | percentile 90)"
expect "percentile p50 of 200" "100" "$(seq 200 -1 1 | percentile 50)"
expect "percentile p90 of 5" "5" "$(printf '5\n1\n3\n2\n4\n' | percentile 90)"
expect "percentile one value" "0.4" "$(echo 0.4 | percentile 90)"
expect "percentile numeric not lexical" "10" "$(printf '9\n10\n2\n' | percentile 90)"
expect "percentile empty" "nan" "$(printf '' | percentile 50)"

expect "walk summary" "3000 3000 3000 0 1.990917 1506.84" "$(parse_walk "$FIXTURES/walk-ok.txt" | head -n 1)"
expect "walk no bad response" "" "$(parse_walk "$FIXTURES/walk-ok.txt" | sed -n 2p)"
expect "walk with bad responses" "50 48 46 2 0.633158 75.81" "$(parse_walk "$FIXTURES/walk-bad.txt" | head -n 1)"
expect "walk first bad response" \
    "cache-status: shield-tier; fwd=miss; fwd-status=200; ttl=3599; stored, edge-tier; fwd=miss; stored" \
    "$(parse_walk "$FIXTURES/walk-bad.txt" | sed -n 2p)"
printf 'unable to connect to 127.0.0.1:1 Connection refused\n' >"$WORK_DIR/broken.txt"
expect "walk broken run" "nan nan nan nan nan nan" "$(parse_walk "$WORK_DIR/broken.txt" | head -n 1)"
expect "wrk p90" "99.590" "$(wrk_latency_ms "$FIXTURES/walk-ok.txt" 90)"

expect "edge: shield hit, edge miss" match "$(verdict edge-shield-hit-edge-miss MISS_CHECKS_edge)"
expect "edge: miss at both tiers" no "$(verdict edge-double-miss MISS_CHECKS_edge)"
expect "edge: hit at the edge" no "$(verdict edge-edge-hit MISS_CHECKS_edge)"
expect "edge: shield alone, a hit" match "$(verdict edge-shield-hit SHIELD_CHECKS_edge)"
expect "edge: shield member only is not a tier miss" no "$(verdict edge-shield-hit MISS_CHECKS_edge)"
expect "edge: through the edge is not a shield sample" no "$(verdict edge-shield-hit-edge-miss SHIELD_CHECKS_edge)"
expect "nginx: shield hit, edge miss" match "$(verdict nginx-shield-hit-edge-miss MISS_CHECKS_nginx)"
expect "nginx: miss at both tiers" no "$(verdict nginx-double-miss MISS_CHECKS_nginx)"
expect "nginx: shield sample" match "$(verdict nginx-shield-hit-edge-miss SHIELD_CHECKS_nginx)"
expect "nginx: shield sample missed" no "$(verdict nginx-double-miss SHIELD_CHECKS_nginx)"
expect "edge checks are not nginx's" no "$(verdict edge-shield-hit-edge-miss MISS_CHECKS_nginx)"

# TTFB: curl replaced by canned -w lines (seconds|status|bytes|header values...), one per URL.
# shellcheck disable=SC2317  # called by measure_ttfb
curl() { cat "$WORK_DIR/curl.out"; }
printf '%s\n' "0.000500|200|1024|shield-tier; hit; ttl=3599, edge-tier; fwd=miss; stored" \
    "0.000700|200|1024|shield-tier; hit; ttl=3599, edge-tier; fwd=miss; stored" \
    "0.000600|200|1024|shield-tier; hit; ttl=3599, edge-tier; fwd=miss; stored" >"$WORK_DIR/curl.out"
expect "ttfb all good" "0.6 0.7 3 -" "$(measure_ttfb edge 1 /p? 1 3 1024 "$WORK_DIR/ttfb.txt")"
expect "ttfb raw line" "0.000500 200 1024 ok" "$(head -n 1 "$WORK_DIR/ttfb.txt")"
printf '%s\n' "0.000500|200|1024|HIT|MISS" "0.000900|200|1024|MISS|MISS" "0.000100|502|150||" \
    >"$WORK_DIR/curl.out"
expect "ttfb nginx problems" "0.5 0.9 1 X-Cache-Shield:MISS" "$(measure_ttfb nginx 1 /p? 1 3 1024 "$WORK_DIR/ttfb.txt")"
expect "ttfb bad status verdict" "0.000100 502 150 status:502/bytes:150" "$(tail -n 1 "$WORK_DIR/ttfb.txt")"
printf '%s\n' "0.000500|200|1024|HIT|MISS" >"$WORK_DIR/curl.out"
expect "ttfb missing responses" "0.5 0.5 1 1/2-responses" "$(measure_ttfb nginx 1 /p? 1 2 1024 "$WORK_DIR/ttfb.txt")"
expect "ttfb asks for each URL once" "2" "$(grep -c '^url = "http://127.0.0.1:1/p?[12]"$' "$WORK_DIR/ttfb.curl")"
unset -f curl

# Report: one clean row, then rows with each kind of problem.
csv="$WORK_DIR/results.csv"
{
    echo "$TIERS_CSV_HEADER"
    echo "1,edge,1,100,100,100,0,0.5,200.00,1.0,2.0,3.0,0,-,0.5,0.9,20,-,120,ok,0,300.0,200.0,1.00"
    echo "1,nginx,2,100,100,100,0,0.4,250.00,1.0,2.0,3.0,0,-,0.4,0.8,20,-,120,ok,0,100.0,50.0,1.00"
    echo "2,nginx,1,100,98,95,3,0.4,245.00,1.0,2.0,3.0,2,status_502,0.4,0.8,19,X-Cache-Edge:HIT,119,not-hit(i=1),4,\
120.0,60.0,1.00"
} >"$csv"
expect "problems: none" "ok" "$(tiers_problems "$csv" edge 120)"
expect "problems: all kinds" "3 responses not a shield hit/edge miss; 1 runs without all responses; 2 socket errors; \
1 TTFB runs with unexpected responses; 1 shield samples not hits; 1 warm-ups with origin fetches != 120; \
origin +4 requests while measuring (1 runs); " "$(tiers_problems "$csv" nginx 120)"
expect "median requests/s" "247.5" "$(tiers_median "$csv" nginx 9)"
expect "median edge-tier CPU" "110" "$(tiers_median "$csv" nginx 22)"
expect "every row has every column" "24" "$(awk -F, '{ print NF }' "$csv" | sort -u)"

# A whole report from that CSV: the table, the CPU table and the ratios.
# shellcheck disable=SC2034  # read by print_tiers_report
report="$(SERVERS=(edge nginx) ROUNDS=2 REQUESTS=100 TTFB_REQUESTS=20 THREADS=2 CONNECTIONS=8 LOAD_BEFORE=1 \
    LOAD_AFTER=1; print_tiers_report "$csv")"
expect "report edge row" "1" "$(grep -c '^edge  *200  *1.00  *2.00  *3.00 .* ok$' <<<"$report")"
expect "report req/s ratio" "1" "$(grep -c '^  req/s      0.81 ' <<<"$report")"
expect "report CPU ratio" "1" "$(grep -c '^  CPU/req    2.73   edge tier, 3.64 shield tier' <<<"$report")"

# CPU time: ticks to ms per 1,000 requests (CLK_TCK is 100 on Linux).
expect "cpu per 1k" "$(awk -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", 250 / hz * 1000 / 5000 * 1000 }')" \
    "$(cpu_ms_per_1k 250 5000)"
expect "cpu per 1k without requests" "nan" "$(cpu_ms_per_1k 250 0)"
expect "cpu of this shell" "1" "$(BENCH_PIDS=($$) BENCH_PID_NAMES=(me); [[ "$(process_cpu_ticks me)" =~ ^[0-9]+$ ]] && echo 1)"

# Templates: the extra NAME=VALUE pairs fill the tier's placeholders; nothing is left unfilled.
ORIGIN_PORT=18180
render_template "$TIERS_DIR/nginx-tiers.conf.in" "$WORK_DIR/nginx.conf" /tmp/x "user root;" \
    TIER=shield LISTEN_PORT=18184 UPSTREAM_PORT=18180 CACHE_HEADER=X-Cache-Shield
expect "template listen" "1" "$(grep -c 'listen 127.0.0.1:18184;' "$WORK_DIR/nginx.conf")"
expect "template upstream" "1" "$(grep -c 'server 127.0.0.1:18180;' "$WORK_DIR/nginx.conf")"
# shellcheck disable=SC2016  # a literal $ in the pattern
expect "template header" "1" "$(grep -c 'add_header X-Cache-Shield \$upstream_cache_status always;' "$WORK_DIR/nginx.conf")"
expect "template no placeholder left" "0" "$(grep -v '^#' "$WORK_DIR/nginx.conf" | grep -c '@[A-Z_]*@' || true)"

printf '%d passed, %d failed\n' "$passed" "$failed"
(( failed == 0 ))
