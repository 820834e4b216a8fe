# shellcheck shell=bash
# The two-tier systems under test and the measurements on them. Sourced by bench/tiers/run.sh, after
# bench/lib/*.sh (log, die, start_process, render_template, fetch_object, last_field, parse_wrk...).
#
# run.sh sets BENCH_DIR, TIERS_DIR, WORK_DIR, EDGE_BIN, ORIGIN_PORT, THREADS, CONNECTIONS, MAX_DURATION, the
# port map SERVER_PORT ([edge] [edge-shield] [nginx] [nginx-shield]) and the expectations below.
#
# What each response must show, as header name / pattern pairs. The patterns are valid both as Lua patterns
# (wrk's walk.lua checks every measured response) and as POSIX EREs (bash checks the TTFB responses and the
# shield samples), which is why they write "." for the "-" in node names ("-" is an operator in Lua).
#   MISS_CHECKS_<server>    through the edge tier: a hit at the shield tier, a miss at the edge tier
#   SHIELD_CHECKS_<server>  straight from the shield tier after warming: a hit
# shellcheck disable=SC2034  # read through namerefs
MISS_CHECKS_edge=(Cache-Status '^shield.tier; hit[^,]*, edge.tier; fwd=miss[^,]*$')
# shellcheck disable=SC2034
SHIELD_CHECKS_edge=(Cache-Status '^shield.tier; hit[^,]*$')
# shellcheck disable=SC2034
MISS_CHECKS_nginx=(X-Cache-Shield '^HIT$' X-Cache-Edge '^MISS$')
# shellcheck disable=SC2034
SHIELD_CHECKS_nginx=(X-Cache-Shield '^HIT$')

# --- servers ---------------------------------------------------------------------------------------------------

# Our shield node, then our edge node in front of it, from bench/tiers/edge-tiers.conf.
start_edge_tiers() {
    start_edge_node edge-shield "$TIERS_DIR/edge-tiers.conf" shield-tier "${SERVER_PORT[edge-shield]}"
    start_edge_node edge "$TIERS_DIR/edge-tiers.conf" edge-tier "${SERVER_PORT[edge]}"
}

# Two nginx instances from bench/tiers/nginx-tiers.conf.in: the shield tier in front of the origin, then the edge
# tier in front of the shield tier.
start_nginx_tiers() {
    start_nginx_tier shield "${SERVER_PORT[nginx-shield]}" "$ORIGIN_PORT" X-Cache-Shield nginx-shield
    start_nginx_tier edge "${SERVER_PORT[nginx]}" "${SERVER_PORT[nginx-shield]}" X-Cache-Edge nginx
}

# Renders and starts one nginx tier: $1 tier, $2 its port, $3 the next hop's port, $4 its cache header, $5 label.
start_nginx_tier() {
    local tier="$1" port="$2" upstream="$3" header="$4" name="$5"
    local dir="$WORK_DIR/$name"
    mkdir -p "$dir/cache"
    render_template "$TIERS_DIR/nginx-tiers.conf.in" "$dir/nginx.conf" "$dir" "$(nginx_user_line)" \
        "TIER=$tier" "LISTEN_PORT=$port" "UPSTREAM_PORT=$upstream" "CACHE_HEADER=$header"
    nginx -t -q -p "$dir" -c "$dir/nginx.conf" >"$WORK_DIR/logs/$name-check.log" 2>&1 \
        || { show_log "$name-check"; die "nginx rejected the generated $dir/nginx.conf"; }
    start_process "$name" nginx -p "$dir" -c "$dir/nginx.conf" -g "daemon off;"
    await_server "$name" "$port"
}

# --- the origin's count ----------------------------------------------------------------------------------------

# How many requests the dev origin has answered in all (GET /__origin/stats, which counts neither itself nor
# the health checks); dies when the origin does not say.
origin_total() {
    local body total
    body="$(curl -s -m 5 "http://127.0.0.1:$ORIGIN_PORT/__origin/stats" || true)"
    total="$(printf '%s' "$body" | grep -o '"total":[0-9]*' | head -n 1 | cut -d: -f2)"
    [[ -n "$total" ]] || die "the origin's /__origin/stats gave no total: ${body:0:200}"
    printf '%s\n' "$total"
}

# --- CPU time -------------------------------------------------------------------------------------------------

# The pid start_process recorded for label $1 (nginx: its master process).
process_pid() {
    local index
    for index in "${!BENCH_PID_NAMES[@]}"; do
        if [[ "${BENCH_PID_NAMES[$index]}" == "$1" ]]; then
            printf '%s\n' "${BENCH_PIDS[$index]}"
            return 0
        fi
    done
    die "no process labelled $1"
}

# CPU time (user + system, in clock ticks) used so far by the process labelled $1 and its children (nginx's
# workers), from /proc. CPU time per request hardly depends on how busy the shared machine is, unlike req/s.
process_cpu_ticks() {
    local pid
    pid="$(process_pid "$1")"
    # shellcheck disable=SC2046  # one pid per word
    for pid in "$pid" $(pgrep -P "$pid" || true); do
        # Fields after "pid (comm) ": state is $1, utime $12, stime $13 (comm may hold spaces, so cut at ") ").
        sed -e 's/^.*) //' "/proc/$pid/stat" 2>/dev/null || true
    done | awk '{ total += $12 + $13 } END { print total + 0 }'
}

# CPU milliseconds per 1,000 requests: $1 ticks used for $2 requests.
cpu_ms_per_1k() {
    awk -v ticks="$1" -v requests="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN {
        if (requests + 0 <= 0 || requests == "nan") { print "nan"; exit }
        printf "%.1f\n", ticks / hz * 1000 / requests * 1000
    }'
}

# --- walking a list of URLs with wrk ---------------------------------------------------------------------------

# Sends GET $2<i> for i = $3 .. $3+$4-1 to port $1, each once, with THREADS threads over CONNECTIONS connections;
# $5 is the wrk report, $6 the expected body size, the rest header/pattern pairs every response must match.
walk_urls() {
    local port="$1" prefix="$2" first="$3" count="$4" report="$5" bytes="$6"
    shift 6
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$MAX_DURATION" --timeout 5s --latency -s "$TIERS_DIR/walk.lua" \
        "http://127.0.0.1:$port/" -- "$prefix" "$first" "$count" "$THREADS" "$bytes" "$@" >"$report" 2>&1 \
        || { cat "$report" >&2; die "wrk failed against 127.0.0.1:$port"; }
}

# Reads the "walk:" line walk.lua prints; outputs "EXPECTED RESPONSES OK BAD SECONDS RATE" ("nan" when absent)
# and, on a second line, the first bad response's description (empty when none).
parse_walk() {
    local line
    line="$(grep -m 1 '^walk: ' "$1" || true)"
    if [[ -z "$line" ]]; then
        printf 'nan nan nan nan nan nan\n\n'
        return 0
    fi
    awk '{
        for (i = 2; i <= 7; i++) { split($i, kv, "="); printf "%s%s", kv[2], (i < 7 ? " " : "\n") }
    }' <<<"$line"
    sed -e 's/.* first_bad="//' -e 's/"$//' <<<"$line"
}

# --- checks with curl ------------------------------------------------------------------------------------------

# True when every header/pattern pair given after $1 matches response headers in $1 (last occurrence, as
# last_field reads them; the file is copied where last_field looks).
headers_match() {
    local file="$1" name value
    shift
    [[ "$file" == "$WORK_DIR/last.headers" ]] || cp "$file" "$WORK_DIR/last.headers"
    while (( $# >= 2 )); do
        name="$1"
        value="$(last_field "$name")"
        [[ "$value" =~ $2 ]] || return 1
        shift 2
    done
}

# Asks server $1's shield tier directly for $2<i> for each index after $3 (the expected body size); prints
# "ok" when every one is a 200 cache hit of that size there, or else what the first failure showed.
check_shield_sample() {
    local server="$1" prefix="$2" bytes="$3" index result
    local -n checks="SHIELD_CHECKS_$server"
    shift 3
    for index in "$@"; do
        result="$(fetch_object "$server-shield" "$prefix$index")"
        if [[ "$result" != "200 $bytes" ]] || ! headers_match "$WORK_DIR/last.headers" "${checks[@]}"; then
            printf 'not-hit(i=%s %s %s)\n' "$index" "${result// /:}" \
                "$(tr -d '\r' <"$WORK_DIR/last.headers" | grep -i -E "^(${checks[0]}):" | head -n 1 | tr ' ' '_')"
            return 0
        fi
    done
    printf 'ok\n'
}

# Time to first byte at concurrency 1: GET $3<i> for i = $4 .. $4+$5-1 from server $1 on port $2, one after the
# other on one keep-alive connection (one curl), each checked like the measured responses ($6 bytes).
# Writes one line per request to $7 ("SECONDS STATUS BYTES VERDICT") and prints
# "P50_MS P90_MS OK_COUNT FIRST_PROBLEM" (FIRST_PROBLEM "-" when every response was as expected).
measure_ttfb() {
    local server="$1" port="$2" prefix="$3" first="$4" count="$5" bytes="$6" raw="$7"
    local -n checks="MISS_CHECKS_$server"
    # "|" separates the fields: header values here never contain one, and unlike a tab it keeps empty fields.
    local config="$WORK_DIR/ttfb.curl" format='%{time_starttransfer}|%{http_code}|%{size_download}' index
    local names=() patterns=() pair
    for (( pair = 0; pair + 1 < ${#checks[@]}; pair += 2 )); do
        names+=("${checks[$pair]}")
        patterns+=("${checks[$((pair + 1))]}")
        format+="|%header{${checks[$pair]}}"
    done
    : >"$config"
    for (( index = first; index < first + count; index++ )); do
        printf 'url = "http://127.0.0.1:%s%s%s"\noutput = "/dev/null"\n' "$port" "$prefix" "$index" >>"$config"
    done
    local lines
    lines="$(curl -s -m 60 -K "$config" -w "$format\\n" || true)"
    local ok=0 problem="-" fields seconds status size verdict name_index
    : >"$raw"
    while IFS='|' read -r -a fields; do
        (( ${#fields[@]} >= 3 )) || continue
        seconds="${fields[0]}" status="${fields[1]}" size="${fields[2]}"
        verdict=ok
        if [[ "$status" != "200" || "$size" != "$bytes" ]]; then
            verdict="status:$status/bytes:$size"
        else
            for (( name_index = 0; name_index < ${#names[@]}; name_index++ )); do
                if ! [[ "${fields[$((name_index + 3))]:-}" =~ ${patterns[$name_index]} ]]; then
                    verdict="${names[$name_index]}:${fields[$((name_index + 3))]:-}"
                    break
                fi
            done
        fi
        printf '%s %s %s %s\n' "$seconds" "$status" "$size" "${verdict// /_}" >>"$raw"
        if [[ "$verdict" == ok ]]; then
            ok=$(( ok + 1 ))
        elif [[ "$problem" == "-" ]]; then
            problem="${verdict// /_}"
        fi
    done <<<"$lines"
    local p50 p90
    p50="$(awk '$2 == 200 { print $1 * 1000 }' "$raw" | percentile 50)"
    p90="$(awk '$2 == 200 { print $1 * 1000 }' "$raw" | percentile 90)"
    (( $(wc -l <"$raw") == count )) || problem="$(wc -l <"$raw")/$count-responses"
    printf '%s %s %s %s\n' "$p50" "$p90" "$ok" "$problem"
}
