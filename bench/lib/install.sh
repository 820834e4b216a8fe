# shellcheck shell=bash
# Installs the benchmark's tools with apt where missing. Sourced by bench/run.sh.
#
# The packages' own system services are never started: while installing, a policy-rc.d that denies every
# start is put in place when the machine does not already have one, and the servers are later run as child
# processes of run.sh with generated configs.

# Package that provides each command the bench needs.
declare -A BENCH_PACKAGE_FOR=([nginx]=nginx [varnishd]=varnish [wrk]=wrk [curl]=curl)

ensure_tools() {
    local missing=() command
    # varnishd lives in /usr/sbin, which a non-root PATH may lack.
    [[ ":$PATH:" == *":/usr/sbin:"* ]] || export PATH="$PATH:/usr/sbin"
    for command in "${!BENCH_PACKAGE_FOR[@]}"; do
        command -v "$command" >/dev/null 2>&1 || missing+=("${BENCH_PACKAGE_FOR[$command]}")
    done
    if (( ${#missing[@]} == 0 )); then
        return 0
    fi
    if [[ "${SKIP_INSTALL:-0}" == "1" ]]; then
        die "missing ${missing[*]} and SKIP_INSTALL=1; install them or unset SKIP_INSTALL"
    fi
    local sudo_cmd=()
    if [[ "$(id -u)" -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || die "missing ${missing[*]}; run as root or install sudo"
        sudo_cmd=(sudo)
    fi
    log "installing ${missing[*]} with apt-get"
    local policy=/usr/sbin/policy-rc.d created_policy=0
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\n# temporary, from edge bench/run.sh: do not start services while installing\nexit 101\n' \
            | "${sudo_cmd[@]}" tee "$policy" >/dev/null
        "${sudo_cmd[@]}" chmod 755 "$policy"
        created_policy=1
    fi
    local status=0
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get update -qq || status=$?
    if (( status == 0 )); then
        DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
            "${missing[@]}" || status=$?
    fi
    if (( created_policy )); then
        "${sudo_cmd[@]}" rm -f "$policy"
    fi
    (( status == 0 )) || die "apt-get failed (exit $status) installing ${missing[*]}"
}
