# shellcheck shell=bash
# Shared helpers for bench/run.sh and bench/tiers/run.sh: messages, numbers and waiting. Sourced, not run.

log() { printf '[bench] %s\n' "$*" >&2; }

die() {
    printf '[bench] error: %s\n' "$*" >&2
    exit 1
}

# Fails unless $2 is a positive integer; $1 names the setting in the message.
require_positive_int() {
    [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive integer, got \"$2\""
}

# Fails unless $2 is a wrk duration such as 10s, 500ms or 1m.
require_duration() {
    [[ "$2" =~ ^[1-9][0-9]*(ms|s|m)?$ ]] || die "$1 must be a duration such as 10s or 1m, got \"$2\""
}

# The median of the numbers on stdin (one a line); "nan" when there are none. With an even count it is the mean
# of the two middle values.
median() {
    sort -g | awk '
        { v[NR] = $1 }
        END {
            if (NR == 0) { print "nan"; exit }
            if (NR % 2) { print v[(NR + 1) / 2] } else { print (v[NR / 2] + v[NR / 2 + 1]) / 2 }
        }'
}

# The nearest-rank percentile $1 (0 < $1 <= 100) of the numbers on stdin (one a line); "nan" when there are none.
percentile() {
    sort -g | awk -v p="$1" '
        { v[NR] = $1 }
        END {
            if (NR == 0) { print "nan"; exit }
            rank = int(p / 100 * NR); if (rank < p / 100 * NR) rank++
            if (rank < 1) rank = 1
            print v[rank]
        }'
}

# Converts a wrk latency such as "850.00us", "1.23ms" or "2.01s" to milliseconds; "nan" when it is not one.
latency_ms() {
    awk -v text="$1" 'BEGIN {
        if (text !~ /^[0-9]+(\.[0-9]+)?(us|ms|s|m|h)$/) { print "nan"; exit }
        number = text; sub(/[a-z]+$/, "", number)
        unit = text; sub(/^[0-9.]+/, "", unit)
        factor = (unit == "us") ? 0.001 : (unit == "ms") ? 1 : (unit == "s") ? 1000 : (unit == "m") ? 60000 : 3600000
        printf "%.3f\n", number * factor
    }'
}

# a / b to two decimals, or "n/a" when either is missing or b is zero.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "" || b == "" || a == "nan" || b == "nan" || b + 0 == 0) { print "n/a"; exit }
        printf "%.2f\n", a / b
    }'
}

# True when something accepts connections on 127.0.0.1:$1.
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Fails unless every port given is free on 127.0.0.1.
require_free_ports() {
    local port
    for port in "$@"; do
        if port_in_use "$port"; then
            die "127.0.0.1:$port is already in use (another bench run, or a leftover server?)"
        fi
    done
}

# Waits up to $2 seconds until $1 answers HTTP at all (any status); fails otherwise.
wait_http() {
    local url="$1" limit="$2" waited=0
    while (( waited < limit * 10 )); do
        if [[ "$(curl -s -o /dev/null -m 1 -w '%{http_code}' "$url" || true)" != "000" ]]; then
            return 0
        fi
        sleep 0.1
        waited=$(( waited + 1 ))
    done
    return 1
}

# The 1-minute load average, to record how busy the shared machine was.
load_1m() {
    cut -d' ' -f1 /proc/loadavg
}
