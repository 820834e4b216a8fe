#!/usr/bin/env bash
# Installs the system packages edge needs, skipping the ones already present.
#   libbrotli-dev  brotli compression (C library behind the CBrotli module)
#   curl           used by the demo and the tests as a real client
#   zlib1g-dev     gzip fallback compression
set -euo pipefail

packages=(libbrotli-dev curl zlib1g-dev "$@")
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

echo "installing system packages: ${missing[*]}"
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then
    sudo_cmd="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get update -qq
$sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
