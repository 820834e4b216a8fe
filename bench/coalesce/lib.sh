# shellcheck shell=bash
# The systems, the measurement and the report of bench/coalesce/run.sh. Sourced after bench/lib/common.sh and
# bench/lib/servers.sh (log, die, median, ratio, start_process, start_edge_node, render_template...).
#
# run.sh sets BENCH_DIR, COALESCE_DIR, WORK_DIR, EDGE_BIN, ORIGIN_PORT, SITE_ROOT, OBJECT_BYTES, CLIENTS, TIMEOUT
# and the port maps EDGE_PORTS / NGINX_PORTS (the three edges) and SHIELD_PORT ([edge] [nginx]).

# results.csv columns (1-based):
#    1 round          2 system         3 position       4 clients        5 ok             6 errors
#    7 last_s         8 p50_s          9 p99_s         10 connect_s     11 origin_requests 12 first_error
#   13 load_1m
COALESCE_CSV_HEADER="round,system,position,clients,ok,errors,last_s,p50_s,p99_s,connect_s,origin_requests"
COALESCE_CSV_HEADER+=",first_error,load_1m"

# --- servers ---------------------------------------------------------------------------------------------------

# Our shield node, then the three edge nodes in front of it, from bench/coalesce/edge-coalesce.conf.
start_edge_coalesce() {
    local index
    start_edge_node edge-shield "$COALESCE_DIR/edge-coalesce.conf" shield-c "${SHIELD_PORT[edge]}"
    for index in 1 2 3; do
        start_edge_node "edge-$index" "$COALESCE_DIR/edge-coalesce.conf" "edge-c$index" \
            "${EDGE_PORTS[$(( index - 1 ))]}"
    done
}

# Four nginx instances from bench/coalesce/nginx-coalesce.conf.in: the shield in front of the origin, then three
# edges in front of the shield.
start_nginx_coalesce() {
    local index
    start_nginx_instance shield "${SHIELD_PORT[nginx]}" "$ORIGIN_PORT" X-Cache-Shield nginx-shield
    for index in 1 2 3; do
        start_nginx_instance "edge$index" "${NGINX_PORTS[$(( index - 1 ))]}" "${SHIELD_PORT[nginx]}" X-Cache-Edge \
            "nginx-$index"
    done
}

# Renders and starts one nginx instance: $1 tier, $2 its port, $3 the next hop's port, $4 its cache header, $5 label.
start_nginx_instance() {
    local tier="$1" port="$2" upstream="$3" header="$4" name="$5"
    local dir="$WORK_DIR/$name"
    mkdir -p "$dir/cache"
    render_template "$COALESCE_DIR/nginx-coalesce.conf.in" "$dir/nginx.conf" "$dir" "$(nginx_user_line)" \
        "TIER=$tier" "LISTEN_PORT=$port" "UPSTREAM_PORT=$upstream" "CACHE_HEADER=$header"
    nginx -t -q -p "$dir" -c "$dir/nginx.conf" >"$WORK_DIR/logs/$name-check.log" 2>&1 \
        || { show_log "$name-check"; die "nginx rejected the generated $dir/nginx.conf"; }
    start_process "$name" nginx -p "$dir" -c "$dir/nginx.conf" -g "daemon off;"
    await_server "$name" "$port"
}

# --- the objects and the origin's count ------------------------------------------------------------------------

# Writes the cold object for one round and system, $SITE_ROOT/bench/coalesce-<$1>.bin, OBJECT_BYTES long, and
# prints its URL path. A file of its own per round and system (not a query string) because the dev origin counts
# requests per path without the query, and the count for exactly this object is what the check needs.
make_object() {
    local name="coalesce-$1.bin"
    mkdir -p "$SITE_ROOT/bench"
    head -c "$OBJECT_BYTES" /dev/urandom >"$SITE_ROOT/bench/$name"
    printf '/bench/%s\n' "$name"
}

# How many requests the dev origin has answered for path $1 (from GET /__origin/stats, which counts per path);
# 0 when it has seen none; dies when the origin does not answer.
origin_path_count() {
    local body
    body="$(curl -s -m 5 "http://127.0.0.1:$ORIGIN_PORT/__origin/stats" || true)"
    [[ "$body" == *'"total"'* ]] || die "the origin's /__origin/stats did not answer: ${body:0:200}"
    parse_origin_path_count "$1" <<<"$body"
}

# The count for path $1 in the /__origin/stats document on stdin ({"paths":{"/a":3},"total":N}); 0 when absent.
parse_origin_path_count() {
    python3 -c '
import json, sys
print(json.load(sys.stdin).get("paths", {}).get(sys.argv[1], 0))' "$1"
}

# --- one measurement -------------------------------------------------------------------------------------------

# Reads the client's "coalesce:" summary line in file $1; prints "CLIENTS OK ERRORS LAST P50 P99 CONNECT" ("nan"
# for all when the line is absent) and, on a second line, the first error (empty when none).
parse_coalesce() {
    local line
    line="$(grep -m 1 '^coalesce: ' "$1" || true)"
    if [[ -z "$line" ]]; then
        printf 'nan nan nan nan nan nan nan\n\n'
        return 0
    fi
    awk '{
        for (i = 2; i <= 8; i++) { split($i, kv, "="); printf "%s%s", kv[2], (i < 8 ? " " : "\n") }
    }' <<<"$line"
    sed -e 's/.* first_error="//' -e 's/"$//' <<<"$line"
}

# One run: CLIENTS clients spread over system $1's three edges all fetch the fresh object $2 at once. The client's
# output goes to $3.txt and its per-client lines to $3.samples. Prints the CSV fields 4..12.
measure_coalesce() {
    local system="$1" path="$2" base="$3" ports before after
    local -n edge_ports="${system^^}_PORTS"
    ports="$(IFS=,; echo "${edge_ports[*]}")"
    before="$(origin_path_count "$path")"
    python3 "$COALESCE_DIR/client.py" --ports "$ports" --path "$path" --clients "$CLIENTS" \
        --expect-bytes "$OBJECT_BYTES" --timeout "$TIMEOUT" --samples "$base.samples" >"$base.txt" 2>&1 \
        || { cat "$base.txt" >&2; die "the client failed against $system"; }
    after="$(origin_path_count "$path")"
    local clients ok errors last p50 p99 connect first_error
    { read -r clients ok errors last p50 p99 connect; IFS= read -r first_error; } < <(parse_coalesce "$base.txt")
    first_error="$(tr ',' ';' <<<"${first_error:--}")"
    printf '%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$clients" "$ok" "$errors" "$last" "$p50" "$p99" "$connect" \
        "$(( after - before ))" "$first_error"
}

# --- report ----------------------------------------------------------------------------------------------------

# Column $3 of the rows for system $2 in CSV $1, one a line.
coalesce_column() {
    awk -F, -v wanted="$2" -v column="$3" 'NR > 1 && $2 == wanted { print $column }' "$1"
}

# Median of column $3 for system $2 in CSV $1, ignoring "nan".
coalesce_median() {
    coalesce_column "$@" | awk '$1 != "nan"' | median
}

# What went wrong for system $2 over all rounds in CSV $1: "ok", or the bad responses and the rounds whose origin
# count was not 1.
coalesce_problems() {
    awk -F, -v wanted="$2" '
        NR > 1 && $2 == wanted {
            if ($4 != $5) bad += ($6 == "nan" ? $4 : $6)
            if ($11 != 1) { off++; counts = counts (counts == "" ? "" : " ") $11 }
        }
        END {
            text = ""
            if (bad) text = text sprintf("%d responses not 200 with the whole body; ", bad)
            if (off) text = text sprintf("origin requests != 1 in %d rounds (%s); ", off, counts)
            print (text == "" ? "ok" : text)
        }' "$1"
}

# Prints the report for CSV $1; SYSTEMS, ROUNDS, CLIENTS, OBJECT_BYTES and the loads come from run.sh.
print_coalesce_report() {
    local csv="$1" system
    declare -A last=() p50=() p99=()
    printf '\nCoalescing a cold object: %s clients over 3 edges -> 1 shield -> origin, one fresh %s-byte object per\n' \
        "$CLIENTS" "$OBJECT_BYTES"
    printf 'round and system, all requests released at once; medians of %s rounds (%s CPUs; 1-min load %s before,\n' \
        "$ROUNDS" "$(nproc)" "$LOAD_BEFORE"
    printf '%s after)\n\n' "$LOAD_AFTER"
    printf '%-7s %10s %10s %10s %17s %16s  %s\n' system "last (s)" "p50 (s)" "p99 (s)" "last min..max" \
        "origin requests" checks
    printf '%-7s %10s %10s %10s %17s %16s  %s\n' ------ -------- ------- ------- ------------- --------------- ------
    for system in "${SYSTEMS[@]}"; do
        last[$system]="$(coalesce_median "$csv" "$system" 7)"
        p50[$system]="$(coalesce_median "$csv" "$system" 8)"
        p99[$system]="$(coalesce_median "$csv" "$system" 9)"
        printf '%-7s %10.3f %10.3f %10.3f %8.3f..%-8.3f %16s  %s\n' "$system" "${last[$system]}" "${p50[$system]}" \
            "${p99[$system]}" "$(coalesce_column "$csv" "$system" 7 | sort -g | head -n 1)" \
            "$(coalesce_column "$csv" "$system" 7 | sort -g | tail -n 1)" \
            "$(coalesce_column "$csv" "$system" 11 | paste -sd' ')" "$(coalesce_problems "$csv" "$system")"
    done
    if [[ -n "${last[edge]:-}" && -n "${last[nginx]:-}" ]]; then
        printf '\nedge/nginx (lower is better for edge): time until the last body %s, p50 %s, p99 %s\n' \
            "$(ratio "${last[edge]}" "${last[nginx]}")" "$(ratio "${p50[edge]}" "${p50[nginx]}")" \
            "$(ratio "${p99[edge]}" "${p99[nginx]}")"
        local verdict="MET"
        [[ "$(coalesce_problems "$csv" edge)" == "ok" ]] || verdict="NOT MET"
        printf 'target: every response whole and exactly one origin request per object at edge: %s\n' "$verdict"
    fi
}
