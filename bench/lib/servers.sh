# shellcheck shell=bash
# Starting and stopping the origin and the three caches under test. Sourced by bench/run.sh, which sets
# BENCH_DIR, REPO_DIR, WORK_DIR, EDGE_BIN, SITE_ROOT and the *_PORT variables (bench/tiers/run.sh too).

BENCH_PIDS=()
BENCH_PID_NAMES=()

# Starts "$@" in the background with output to $WORK_DIR/logs/$1.log (the first argument is only a label).
start_process() {
    local name="$1"
    shift
    "$@" >"$WORK_DIR/logs/$name.log" 2>&1 &
    BENCH_PIDS+=("$!")
    BENCH_PID_NAMES+=("$name")
}

# Stops every process start_process started, newest first: SIGTERM, then SIGKILL after 5 s.
stop_processes() {
    local index pid waited
    for (( index = ${#BENCH_PIDS[@]} - 1; index >= 0; index-- )); do
        pid="${BENCH_PIDS[$index]}"
        kill -0 "$pid" 2>/dev/null || continue
        kill -TERM "$pid" 2>/dev/null || true
        waited=0
        while kill -0 "$pid" 2>/dev/null && (( waited < 50 )); do
            sleep 0.1
            waited=$(( waited + 1 ))
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "${BENCH_PID_NAMES[$index]} (pid $pid) did not stop on SIGTERM; killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
    BENCH_PIDS=()
    BENCH_PID_NAMES=()
}

# Prints the end of a server's log, for failures.
show_log() {
    local file="$WORK_DIR/logs/$1.log"
    [[ -s "$file" ]] || return 0
    log "last lines of $file:"
    tail -n 20 "$file" >&2
}

# Waits for a server to answer on $2; fails with its log if it does not within 30 s or exits first.
await_server() {
    local name="$1" port="$2" pid="${BENCH_PIDS[-1]}"
    if ! wait_http "http://127.0.0.1:$port/" 30 || ! kill -0 "$pid" 2>/dev/null; then
        show_log "$name"
        die "$name did not come up on 127.0.0.1:$port"
    fi
}

# Fills in a config template: @DIR@, @ORIGIN_PORT@, @NGINX_PORT@, @VARNISH_PORT@, @USER_LINE@, and @NAME@ for
# each further NAME=VALUE argument (values must not contain "|").
render_template() {
    local template="$1" output="$2" dir="$3" user_line="$4" pair
    local extra=()
    for pair in "${@:5}"; do
        extra+=(-e "s|@${pair%%=*}@|${pair#*=}|g")
    done
    sed -e "s|@DIR@|$dir|g" -e "s|@ORIGIN_PORT@|$ORIGIN_PORT|g" -e "s|@NGINX_PORT@|${NGINX_PORT:-}|g" \
        -e "s|@VARNISH_PORT@|${VARNISH_PORT:-}|g" -e "s|@USER_LINE@|$user_line|g" "${extra[@]}" "$template" >"$output"
}

# The line a generated nginx.conf needs for the user it runs as: as root, nginx's workers would drop to "nobody"
# and could not write the cache in our private temp dir.
nginx_user_line() {
    if [[ "$(id -u)" -eq 0 ]]; then
        printf 'user root;'
    fi
}

# Sets EDGE_BIN: the one given (it must be executable), or else a release build of this checkout into
# $REPO_DIR/.build-bench (a cold build takes several minutes; the output goes to $WORK_DIR/logs/build.log).
ensure_edge_bin() {
    if [[ -n "${EDGE_BIN:-}" ]]; then
        [[ -x "$EDGE_BIN" ]] || die "EDGE_BIN=$EDGE_BIN is not an executable file"
        return 0
    fi
    command -v swift >/dev/null 2>&1 || die "swift not found; install Swift 6 or set EDGE_BIN to a built edge"
    local scratch="$REPO_DIR/.build-bench"
    log "building edge (release) in $scratch; a cold build takes several minutes"
    (cd "$REPO_DIR" && swift build -c release --product edge --scratch-path "$scratch") \
        >"$WORK_DIR/logs/build.log" 2>&1 || { show_log build; die "edge release build failed"; }
    EDGE_BIN="$(cd "$REPO_DIR" && swift build -c release --scratch-path "$scratch" --show-bin-path)/edge"
}

# Sets SITE_ROOT to the demo content when it ships the bench objects at the right sizes, or else to generated
# fixtures under $WORK_DIR/site.
ensure_site_root() {
    SITE_ROOT="$REPO_DIR/origin/site"
    if [[ "$(stat -c %s "$SITE_ROOT/bench/1k.txt" 2>/dev/null || true)" != "1024" \
        || "$(stat -c %s "$SITE_ROOT/bench/100k.txt" 2>/dev/null || true)" != "102400" ]]; then
        SITE_ROOT="$WORK_DIR/site"
        mkdir -p "$SITE_ROOT/bench"
        yes "edge bench fixture: the quick brown fox jumps over the lazy dog." | head -c 1024 >"$SITE_ROOT/bench/1k.txt"
        yes "edge bench fixture: the quick brown fox jumps over the lazy dog." | head -c 102400 \
            >"$SITE_ROOT/bench/100k.txt"
        log "origin/site/bench is missing or the wrong size; serving generated fixtures from $SITE_ROOT"
    fi
}

start_origin() {
    start_process origin "$EDGE_BIN" origin --root "$SITE_ROOT" --rules "$BENCH_DIR/origin-bench.rules" \
        --host 127.0.0.1 --port "$ORIGIN_PORT"
    await_server origin "$ORIGIN_PORT"
}

start_edge() {
    start_edge_node edge "$EDGE_CONF" "$EDGE_NODE" "$EDGE_PORT"
}

# Starts node $3 of config $2 under the label $1 and waits for it on port $4; the config is checked first.
start_edge_node() {
    local name="$1" conf="$2" node="$3" port="$4"
    "$EDGE_BIN" check-config "$conf" >"$WORK_DIR/logs/$name-check.log" 2>&1 \
        || { show_log "$name-check"; die "edge check-config rejected $conf"; }
    start_process "$name" "$EDGE_BIN" run --config "$conf" --node "$node"
    await_server "$name" "$port"
}

start_nginx() {
    local dir="$WORK_DIR/nginx"
    mkdir -p "$dir/cache"
    render_template "$BENCH_DIR/conf/nginx.conf.in" "$dir/nginx.conf" "$dir" "$(nginx_user_line)"
    nginx -t -q -p "$dir" -c "$dir/nginx.conf" >"$WORK_DIR/logs/nginx-check.log" 2>&1 \
        || { show_log nginx-check; die "nginx rejected the generated $dir/nginx.conf"; }
    start_process nginx nginx -p "$dir" -c "$dir/nginx.conf" -g "daemon off;"
    await_server nginx "$NGINX_PORT"
}

start_varnish() {
    local dir="$WORK_DIR/varnish"
    mkdir -p "$dir"
    render_template "$BENCH_DIR/conf/varnish.vcl.in" "$dir/bench.vcl" "$dir" ""
    # -F: stay in the foreground as our child. -n: a private working dir, so no system instance is touched.
    # -T none: no management port. The shared-memory log is always written (it cannot be turned off); no
    # varnishncsa runs, so there is no access log.
    start_process varnish varnishd -F -n "$dir/work" -a "127.0.0.1:$VARNISH_PORT" -T none \
        -f "$dir/bench.vcl" -s "malloc,$VARNISH_STORAGE"
    await_server varnish "$VARNISH_PORT"
}
