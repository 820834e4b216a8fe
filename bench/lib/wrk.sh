# shellcheck shell=bash
# Running wrk and reading its report. Sourced by bench/run.sh.

# Runs wrk against $1 for $2 with the configured threads and connections; the report goes to $3.
run_wrk() {
    local url="$1" duration="$2" output="$3"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --timeout 5s --latency "$url" >"$output" 2>&1 \
        || { cat "$output" >&2; die "wrk failed against $url"; }
}

# Reads a wrk --latency report; prints "REQUESTS_PER_SEC P50_MS P99_MS SOCKET_ERRORS NON_2XX_3XX".
# Missing figures print as "nan" so a broken run shows up in the table instead of aborting the others.
parse_wrk() {
    local file="$1" rps p50 p99 socket_errors non2xx
    rps="$(awk '$1 == "Requests/sec:" { print $2 }' "$file")"
    p50="$(latency_ms "$(awk '$1 == "50%" { print $2 }' "$file")")"
    p99="$(latency_ms "$(awk '$1 == "99%" { print $2 }' "$file")")"
    # "Socket errors: connect 0, read 0, write 0, timeout 0"
    socket_errors="$(awk '$1 == "Socket" && $2 == "errors:" {
        gsub(/,/, ""); total = 0; for (i = 4; i <= NF; i += 2) total += $i; print total }' "$file")"
    non2xx="$(awk '/^ *Non-2xx or 3xx responses:/ { print $NF }' "$file")"
    printf '%s %s %s %s %s\n' "${rps:-nan}" "$p50" "$p99" "${socket_errors:-0}" "${non2xx:-0}"
}

# Latency percentile $2 (50, 75, 90 or 99: the ones wrk --latency prints) from report $1, in ms; "nan" if absent.
wrk_latency_ms() {
    latency_ms "$(awk -v p="$2%" '$1 == p { print $2 }' "$1")"
}
