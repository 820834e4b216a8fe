# shellcheck shell=bash
# The table of medians and ratios for bench/tiers/run.sh. Sourced after bench/lib/common.sh (median, ratio).
#
# results.csv columns (1-based):
#    1 round           2 server          3 position        4 urls            5 responses       6 ok
#    7 bad             8 seconds         9 requests_per_sec 10 p50_ms        11 p90_ms         12 p99_ms
#   13 socket_errors  14 first_bad      15 ttfb_p50_ms    16 ttfb_p90_ms    17 ttfb_ok        18 ttfb_problem
#   19 warm_origin_delta 20 shield_sample 21 origin_delta
#   22 edge_cpu_ms_per_1k   23 shield_cpu_ms_per_1k   (CPU time of each tier's process(es) during the wrk run)
#   24 load_1m
TIERS_CSV_HEADER="round,server,position,urls,responses,ok,bad,seconds,requests_per_sec,p50_ms,p90_ms,p99_ms"
TIERS_CSV_HEADER+=",socket_errors,first_bad,ttfb_p50_ms,ttfb_p90_ms,ttfb_ok,ttfb_problem,warm_origin_delta"
TIERS_CSV_HEADER+=",shield_sample,origin_delta,edge_cpu_ms_per_1k,shield_cpu_ms_per_1k,load_1m"

# Column $3 of the rows for server $2 in CSV $1, one a line.
tiers_column() {
    awk -F, -v server="$2" -v column="$3" 'NR > 1 && $2 == server { print $column }' "$1"
}

# Median of column $3 for server $2 in CSV $1, ignoring "nan".
tiers_median() {
    tiers_column "$@" | awk '$1 != "nan"' | median
}

# What went wrong for server $2 over all rounds in CSV $1 ("ok" when nothing did); $3 is the number of URLs each
# warm-up of the shield tier had to fetch from the origin.
tiers_problems() {
    awk -F, -v server="$2" -v warm="$3" '
        NR > 1 && $2 == server {
            if ($5 != $4) short++
            bad += $7; errors += $13
            if ($18 != "-") ttfb_bad++
            if ($19 != warm) warm_off++
            if ($20 != "ok") sample_bad++
            if ($21 != 0) { origin_rounds++; origin_sum += $21 }
        }
        END {
            text = ""
            if (bad) text = text sprintf("%d responses not a shield hit/edge miss; ", bad)
            if (short) text = text sprintf("%d runs without all responses; ", short)
            if (errors) text = text sprintf("%d socket errors; ", errors)
            if (ttfb_bad) text = text sprintf("%d TTFB runs with unexpected responses; ", ttfb_bad)
            if (sample_bad) text = text sprintf("%d shield samples not hits; ", sample_bad)
            if (warm_off) text = text sprintf("%d warm-ups with origin fetches != %d; ", warm_off, warm)
            if (origin_rounds) text = text sprintf("origin +%d requests while measuring (%d runs); ", origin_sum, origin_rounds)
            print (text == "" ? "ok" : text)
        }' "$1"
}

# Prints the report for CSV $1; SERVERS, ROUNDS, REQUESTS, TTFB_REQUESTS, THREADS, CONNECTIONS and the loads
# come from run.sh.
print_tiers_report() {
    local csv="$1" server
    declare -A rps=() p50=() p99=() ttfb50=() ttfb90=() cpu_edge=() cpu_shield=()
    printf '\nMiss path through two tiers: edge-tier miss, shield-tier hit, 1 KiB object; medians of %s rounds\n' "$ROUNDS"
    printf '(req/s and latency: %s distinct URLs per run, each sent once, wrk -t%s -c%s; TTFB: %s more URLs one at\n' \
        "$REQUESTS" "$THREADS" "$CONNECTIONS" "$TTFB_REQUESTS"
    printf ' a time on one keep-alive connection; %s CPUs; 1-min load %s before, %s after)\n\n' \
        "$(nproc)" "$LOAD_BEFORE" "$LOAD_AFTER"
    printf '%-7s %9s %8s %8s %8s %19s %10s %10s  %s\n' system "req/s" "p50 ms" "p90 ms" "p99 ms" "req/s min..max" \
        "TTFB p50" "TTFB p90" checks
    printf '%-7s %9s %8s %8s %8s %19s %10s %10s  %s\n' ------ ----- ------ ------ ------ -------------- \
        "(ms)" "(ms)" ------
    for server in "${SERVERS[@]}"; do
        rps[$server]="$(tiers_median "$csv" "$server" 9)"
        p50[$server]="$(tiers_median "$csv" "$server" 10)"
        p99[$server]="$(tiers_median "$csv" "$server" 12)"
        ttfb50[$server]="$(tiers_median "$csv" "$server" 15)"
        ttfb90[$server]="$(tiers_median "$csv" "$server" 16)"
        printf '%-7s %9.0f %8.2f %8.2f %8.2f %9.0f..%-9.0f %10.3f %10.3f  %s\n' "$server" "${rps[$server]}" \
            "${p50[$server]}" "$(tiers_median "$csv" "$server" 11)" "${p99[$server]}" \
            "$(tiers_column "$csv" "$server" 9 | sort -g | head -n 1)" \
            "$(tiers_column "$csv" "$server" 9 | sort -g | tail -n 1)" \
            "${ttfb50[$server]}" "${ttfb90[$server]}" \
            "$(tiers_problems "$csv" "$server" "$(( REQUESTS + TTFB_REQUESTS ))")"
        cpu_edge[$server]="$(tiers_median "$csv" "$server" 22)"
        cpu_shield[$server]="$(tiers_median "$csv" "$server" 23)"
    done
    printf '\nCPU time per 1,000 requests during the wrk runs (ms, medians; user + system of each tier'"'"'s processes)\n\n'
    printf '%-7s %12s %12s\n' system "edge tier" "shield tier"
    for server in "${SERVERS[@]}"; do
        printf '%-7s %12.1f %12.1f\n' "$server" "${cpu_edge[$server]}" "${cpu_shield[$server]}"
    done
    if [[ " ${SERVERS[*]} " != *" edge "* || " ${SERVERS[*]} " != *" nginx "* ]]; then
        printf '\n(edge and nginx not both measured: no ratios)\n'
        return 0
    fi
    printf '\nRatios edge/nginx of the medians\n'
    printf '  req/s      %-6s (higher is better for edge)\n' "$(ratio "${rps[edge]}" "${rps[nginx]}")"
    printf '  p50        %-6s (latency under load: lower is better for edge)\n' \
        "$(ratio "${p50[edge]}" "${p50[nginx]}")"
    printf '  p99        %-6s\n' "$(ratio "${p99[edge]}" "${p99[nginx]}")"
    printf '  TTFB p50   %-6s (one request at a time: lower is better for edge)\n' \
        "$(ratio "${ttfb50[edge]}" "${ttfb50[nginx]}")"
    printf '  TTFB p90   %-6s\n' "$(ratio "${ttfb90[edge]}" "${ttfb90[nginx]}")"
    printf '  CPU/req    %-6s edge tier, %s shield tier (lower is better for edge)\n' \
        "$(ratio "${cpu_edge[edge]}" "${cpu_edge[nginx]}")" "$(ratio "${cpu_shield[edge]}" "${cpu_shield[nginx]}")"
}
