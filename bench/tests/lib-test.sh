#!/usr/bin/env bash
# Checks the parts of bench/run.sh that turn tool output into numbers and verdicts, on recorded samples:
# wrk report parsing, latency units, medians, ratios and each server's cache-hit signal. No servers, no load.
# Usage: bench/tests/lib-test.sh   (prints "N passed, N failed"; exits non-zero on a failure)
set -euo pipefail

TEST_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_DIR="$(cd "$TEST_DIR/.." && pwd)"
source "$BENCH_DIR/lib/common.sh"
source "$BENCH_DIR/lib/wrk.sh"
source "$BENCH_DIR/lib/hits.sh"

FIXTURES="$TEST_DIR/fixtures"
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

# Sets the "last fetched" headers to a fixture and reports was_hit's verdict.
hit_verdict() {
    cp "$FIXTURES/$2.headers" "$WORK_DIR/last.headers"
    if was_hit "$1"; then echo hit; else echo miss; fi
}

expect "latency us" "0.850" "$(latency_ms 850.00us)"
expect "latency ms" "12.340" "$(latency_ms 12.34ms)"
expect "latency s" "1950.000" "$(latency_ms 1.95s)"
expect "latency minutes" "120000.000" "$(latency_ms 2.00m)"
expect "latency garbage" "nan" "$(latency_ms fast)"
expect "latency empty" "nan" "$(latency_ms '')"

expect "median odd" "5" "$(printf '9\n1\n5\n' | median)"
expect "median even" "4" "$(printf '2\n6\n' | median)"
expect "median numeric not lexical" "10" "$(printf '9\n10\n100\n' | median)"
expect "median empty" "nan" "$(printf '' | median)"

expect "ratio" "0.83" "$(ratio 25000 30000)"
expect "ratio by zero" "n/a" "$(ratio 1 0)"
expect "ratio missing" "n/a" "$(ratio '' 3)"
expect "ratio nan" "n/a" "$(ratio nan 3)"

expect "parse clean run" "30210.55 0.850 12.340 0 0" "$(parse_wrk "$FIXTURES/wrk-ok.txt")"
expect "parse run with errors" "199.80 350.000 1950.000 16 7" "$(parse_wrk "$FIXTURES/wrk-errors.txt")"
printf 'unable to connect to 127.0.0.1:1 Connection refused\n' >"$WORK_DIR/broken.txt"
expect "parse broken run" "nan nan nan 0 0" "$(parse_wrk "$WORK_DIR/broken.txt")"

expect "edge hit (own entry last)" hit "$(hit_verdict edge edge-hit)"
expect "edge miss" miss "$(hit_verdict edge edge-miss)"
expect "nginx hit" hit "$(hit_verdict nginx nginx-hit)"
expect "nginx miss" miss "$(hit_verdict nginx nginx-miss)"
expect "varnish hit" hit "$(hit_verdict varnish varnish-hit)"
expect "varnish miss" miss "$(hit_verdict varnish varnish-miss)"
expect "edge signal is not nginx's" miss "$(hit_verdict edge nginx-hit)"

expect "positive int accepted" ok "$( (require_positive_int X 64 && echo ok) 2>/dev/null)"
expect "zero rejected" "" "$( (require_positive_int X 0 && echo ok) 2>/dev/null)"
expect "duration accepted" ok "$( (require_duration D 10s && echo ok) 2>/dev/null)"
expect "duration rejected" "" "$( (require_duration D ten && echo ok) 2>/dev/null)"

printf '%d passed, %d failed\n' "$passed" "$failed"
(( failed == 0 ))
