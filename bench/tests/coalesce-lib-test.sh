#!/usr/bin/env bash
# Checks the parts of bench/coalesce/run.sh that turn output into numbers and verdicts, on recorded samples: the
# client's summary line, the origin's per-path count, the report's medians, origin counts and problem column, and
# the client's own response parser (Content-Length, chunked, split heads, bad input) fed bytes directly.
# No servers, no load.
# Usage: bench/tests/coalesce-lib-test.sh   (prints "N passed, N failed"; exits non-zero on a failure)
set -euo pipefail

TEST_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_DIR="$(cd "$TEST_DIR/.." && pwd)"
COALESCE_DIR="$BENCH_DIR/coalesce"
# shellcheck source=../lib/common.sh
source "$BENCH_DIR/lib/common.sh"
# shellcheck source=../coalesce/lib.sh
source "$COALESCE_DIR/lib.sh"

FIXTURES="$TEST_DIR/fixtures/coalesce"
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

# --- the client's summary line ---------------------------------------------------------------------------------

expect "summary ok" "50 50 0 0.329342 0.237826 0.329342 0.043788" \
    "$(parse_coalesce "$FIXTURES/client-ok.txt" | head -n 1)"
expect "summary ok, no error" "" "$(parse_coalesce "$FIXTURES/client-ok.txt" | sed -n 2p)"
expect "summary with errors" "1000 997 3 12.504113 3.201554 9.870021 0.412207" \
    "$(parse_coalesce "$FIXTURES/client-bad.txt" | head -n 1)"
expect "summary first error" "client 17 port 18282: status 502, 0 bytes" \
    "$(parse_coalesce "$FIXTURES/client-bad.txt" | sed -n 2p)"
printf 'Traceback (most recent call last):\n  OSError: too many open files\n' >"$WORK_DIR/broken.txt"
expect "summary missing" "nan nan nan nan nan nan nan" "$(parse_coalesce "$WORK_DIR/broken.txt" | head -n 1)"

# --- the origin's count per path -------------------------------------------------------------------------------

expect "origin count edge" "1" "$(parse_origin_path_count /bench/coalesce-r1-edge.bin <"$FIXTURES/origin-stats.json")"
expect "origin count nginx" "2" \
    "$(parse_origin_path_count /bench/coalesce-r1-nginx.bin <"$FIXTURES/origin-stats.json")"
expect "origin count unseen" "0" \
    "$(parse_origin_path_count /bench/coalesce-r2-edge.bin <"$FIXTURES/origin-stats.json")"

# --- the report ------------------------------------------------------------------------------------------------

CSV="$FIXTURES/results.csv"
expect "median last edge" "1.000000" "$(coalesce_median "$CSV" edge 7)"
expect "median last nginx" "2.500000" "$(coalesce_median "$CSV" nginx 7)"
expect "origin counts nginx in round order" "1 2 1" "$(coalesce_column "$CSV" nginx 11 | paste -sd' ')"
expect "problems edge" "2 responses not 200 with the whole body; " "$(coalesce_problems "$CSV" edge)"
expect "problems nginx" "origin requests != 1 in 1 rounds (2); " "$(coalesce_problems "$CSV" nginx)"
printf '%s\n1,edge,1,10,10,0,0.1,0.1,0.1,0.1,1,-,0.5\n' "$COALESCE_CSV_HEADER" >"$WORK_DIR/clean.csv"
expect "problems none" "ok" "$(coalesce_problems "$WORK_DIR/clean.csv" edge)"
# shellcheck disable=SC2034  # read by print_coalesce_report
report="$(SYSTEMS=(edge nginx); ROUNDS=3; CLIENTS=1000; OBJECT_BYTES=1048576; LOAD_BEFORE=1; LOAD_AFTER=1
    print_coalesce_report "$CSV")"
expect "report ratio" "edge/nginx (lower is better for edge): time until the last body 0.40, p50 0.46, p99 0.38" \
    "$(grep '^edge/nginx' <<<"$report")"
expect "report verdict" "target: every response whole and exactly one origin request per object at edge: NOT MET" \
    "$(grep '^target' <<<"$report")"

# --- the client's response parser ------------------------------------------------------------------------------

# Feeds each case's bytes to client.Client in the pieces given and prints "status body_bytes error" per case.
parser_output="$(cd "$COALESCE_DIR" && PYTHONDONTWRITEBYTECODE=1 python3 - <<'EOF'
import client

def feed(pieces):
    finished = []
    c = client.Client(0, 1, finished.append)
    c.released = 1.0
    for piece in pieces:
        if c.state == "done":
            break
        c.buffer[:len(piece)] = piece
        c.buffer_updated(len(piece))
    if c.state != "done":
        c.eof_received()
    print(c.status, c.body_bytes, c.error or "-", len(finished))

body = b"x" * 3000
feed([b"HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n" + body])
feed([b"HTTP/1.1 200 OK\r\nConte", b"nt-Length: 3000\r\n\r", b"\n" + body[:10], body[10:]])
chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"bb8\r\n" + body[:3000] + b"\r\n0\r\n\r\n"
feed([chunked])
feed([chunked[i:i + 7] for i in range(0, len(chunked), 7)])
feed([b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n"])
feed([b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"])
feed([b"HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n" + body[:100]])
feed([b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + body[:1234]])
feed([b"garbage\r\n\r\n"])
feed([b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"])
print(client.percentile([5, 1, 3, 2, 4], 99), client.percentile([1, 2, 3, 4], 50), client.percentile([], 50))
EOF
)"
mapfile -t parsed <<<"$parser_output"
expect "client content-length" "200 3000 - 1" "${parsed[0]}"
expect "client split head and body" "200 3000 - 1" "${parsed[1]}"
expect "client chunked" "200 3000 - 1" "${parsed[2]}"
expect "client chunked in 7-byte pieces" "200 3000 - 1" "${parsed[3]}"
expect "client chunk extension and trailer" "200 8 - 1" "${parsed[4]}"
expect "client 502 empty" "502 0 - 1" "${parsed[5]}"
expect "client short body" "200 100 connection closed in state length after 100 body bytes 1" "${parsed[6]}"
expect "client close-delimited" "200 1234 - 1" "${parsed[7]}"
expect "client bad status line" "0 0 bad status line 'garbage' 1" "${parsed[8]}"
expect "client bad chunk size" "200 0 bad chunk size 'zz' 1" "${parsed[9]}"
expect "client percentiles" "5 2 nan" "${parsed[10]}"

printf '%d passed, %d failed\n' "$passed" "$failed"
(( failed == 0 ))
