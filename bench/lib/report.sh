# shellcheck shell=bash
# Turning the per-run results into the table of medians and ratios. Sourced by bench/run.sh.
#
# results.csv columns: round,object,server,position,requests_per_sec,p50_ms,p99_ms,socket_errors,non_2xx,
# after_check,load_1m

# Prints column $4 (1-based) of the rows for object $2 and server $3 in CSV $1, one a line.
csv_column() {
    awk -F, -v object="$2" -v server="$3" -v column="$4" \
        'NR > 1 && $2 == object && $3 == server { print $column }' "$1"
}

# Median of a column for one object and server.
csv_median() {
    csv_column "$@" | awk '$1 != "nan"' | median
}

# Prints the whole report for CSV $1; objects and servers come from OBJECTS and SERVERS.
print_report() {
    local csv="$1" object server rps p50 p99 low high problems
    declare -A median_rps=() median_p99=()
    printf '\nCache hits, medians of %s rounds (wrk -t%s -c%s -d%s --latency; %s CPUs; 1-min load %s before, %s after)\n\n' \
        "$ROUNDS" "$THREADS" "$CONNECTIONS" "$DURATION" "$(nproc)" "$LOAD_BEFORE" "$LOAD_AFTER"
    printf '%-8s %-8s %12s %10s %10s %21s  %s\n' object server "req/s" "p50 ms" "p99 ms" "req/s min..max" notes
    printf '%-8s %-8s %12s %10s %10s %21s  %s\n' ------ ------ ----- ------ ------ -------------- -----
    for object in "${OBJECTS[@]}"; do
        for server in "${SERVERS[@]}"; do
            rps="$(csv_median "$csv" "$object" "$server" 5)"
            p50="$(csv_median "$csv" "$object" "$server" 6)"
            p99="$(csv_median "$csv" "$object" "$server" 7)"
            low="$(csv_column "$csv" "$object" "$server" 5 | sort -g | head -n 1)"
            high="$(csv_column "$csv" "$object" "$server" 5 | sort -g | tail -n 1)"
            problems="$(awk -F, -v object="$object" -v server="$server" '
                NR > 1 && $2 == object && $3 == server {
                    errors += $8; non2xx += $9; if ($10 != "hit") misses++
                }
                END {
                    text = ""
                    if (errors) text = text sprintf("%d socket errors; ", errors)
                    if (non2xx) text = text sprintf("%d non-2xx; ", non2xx)
                    if (misses) text = text sprintf("%d runs not a hit afterwards; ", misses)
                    print text
                }' "$csv")"
            median_rps["$object/$server"]="$rps"
            median_p99["$object/$server"]="$p99"
            printf '%-8s %-8s %12.0f %10.2f %10.2f %10.0f..%-10.0f  %s\n' \
                "${OBJECT_LABEL[$object]}" "$server" "$rps" "$p50" "$p99" "$low" "$high" "${problems:-ok}"
        done
    done

    if [[ " ${SERVERS[*]} " != *" edge "* ]]; then
        printf '\n(edge not measured: no ratios)\n'
        return 0
    fi
    printf '\nRatios of medians (req/s: higher is better for edge; p99: lower is better for edge)\n\n'
    printf '%-8s %-16s %-16s %-16s %-16s\n' object "req/s e/nginx" "req/s e/varnish" "p99 e/nginx" "p99 e/varnish"
    for object in "${OBJECTS[@]}"; do
        printf '%-8s %-16s %-16s %-16s %-16s\n' "${OBJECT_LABEL[$object]}" \
            "$(ratio "${median_rps[$object/edge]:-}" "${median_rps[$object/nginx]:-}")" \
            "$(ratio "${median_rps[$object/edge]:-}" "${median_rps[$object/varnish]:-}")" \
            "$(ratio "${median_p99[$object/edge]:-}" "${median_p99[$object/nginx]:-}")" \
            "$(ratio "${median_p99[$object/edge]:-}" "${median_p99[$object/varnish]:-}")"
    done
    local target
    target="$(ratio "${median_rps[1k/edge]:-}" "${median_rps[1k/nginx]:-}")"
    if [[ "$target" == "n/a" ]]; then
        printf '\nTarget (edge >= 0.8 x nginx proxy_cache req/s on 1 KiB hits): not measured\n'
    elif awk -v r="$target" 'BEGIN { exit !(r >= 0.8) }'; then
        printf '\nTarget (edge >= 0.8 x nginx proxy_cache req/s on 1 KiB hits): met (%s)\n' "$target"
    else
        printf '\nTarget (edge >= 0.8 x nginx proxy_cache req/s on 1 KiB hits): NOT met (%s)\n' "$target"
    fi
}
