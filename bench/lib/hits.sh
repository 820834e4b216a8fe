# shellcheck shell=bash
# Warming the caches and proving a response was a cache hit, per server. Sourced by bench/run.sh.
#
# A benchmark of "cache hits" is only that if the responses really were hits, so each server's own signal is
# checked before and after every measured run:
#   edge     Cache-Status (RFC 9211): its own (last) entry has the "hit" parameter
#   nginx    X-Cache-Status: HIT (the $upstream_cache_status the generated config adds)
#   varnish  X-Varnish carries two ids (this request's and the one that stored the object), or Age > 0

# Fetches $2 from server $1 into $WORK_DIR/last.headers / last.body; prints "STATUS BYTES".
fetch_object() {
    local server="$1" path="$2"
    curl -s -m 5 -D "$WORK_DIR/last.headers" -o "$WORK_DIR/last.body" -w '%{http_code} %{size_download}' \
        "http://127.0.0.1:${SERVER_PORT[$server]}$path" || printf '000 0'
}

# The value of response field $1 in the last fetched headers (last occurrence, no CR), or empty.
last_field() {
    tr -d '\r' <"$WORK_DIR/last.headers" | awk -v name="$1" '
        BEGIN { name = tolower(name) ":" }
        tolower(substr($0, 1, length(name))) == name { value = substr($0, length(name) + 1); sub(/^[ \t]+/, "", value) }
        END { print value }'
}

# True when the last fetched response from server $1 was served from its cache.
was_hit() {
    case "$1" in
        edge)
            local own
            own="$(last_field cache-status | awk -F', *' '{ print tolower($NF) }')"
            [[ "$own" =~ \;[[:space:]]*hit([[:space:]]*\;|[[:space:]]*$) ]]
            ;;
        nginx)
            [[ "$(last_field x-cache-status)" == "HIT" ]]
            ;;
        varnish)
            local age
            age="$(last_field age)"
            [[ "$(last_field x-varnish)" =~ ^[0-9]+[[:space:]]+[0-9]+$ ]] || { [[ "$age" =~ ^[0-9]+$ ]] && (( age > 0 )); }
            ;;
        *)
            return 1
            ;;
    esac
}

# Requests object $2 (path) of $3 bytes from server $1 until it is a 200 hit of the right size; up to 20 tries.
warm_object() {
    local server="$1" path="$2" bytes="$3" attempt result
    for (( attempt = 1; attempt <= 20; attempt++ )); do
        result="$(fetch_object "$server" "$path")"
        if [[ "$result" == "200 $bytes" ]] && was_hit "$server"; then
            return 0
        fi
        sleep 0.2
    done
    log "$server never served $path as a $bytes-byte cache hit; last response ($result):"
    tr -d '\r' <"$WORK_DIR/last.headers" >&2
    die "warm-up of $server failed"
}

# One request after a measured run: prints "hit" or "NOT-HIT(...)" for the results file.
check_still_hit() {
    local server="$1" path="$2" bytes="$3" result
    result="$(fetch_object "$server" "$path")"
    if [[ "$result" == "200 $bytes" ]] && was_hit "$server"; then
        printf 'hit'
    else
        printf 'NOT-HIT(%s)' "${result// /:}"
    fi
}
