#!/bin/sh
# Installs the Debian packages listed in tools/deps.txt that are missing.
# Used by `make demo`, `make test` and .ci/run; safe to run again.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
list="$here/deps.txt"
pkgs=$(grep -v '^[[:space:]]*\(#\|$\)' "$list")
if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps: this system has no apt/dpkg; install these packages (or your system's equivalents) by hand:" >&2
    echo "$pkgs" | tr '\n' ' ' >&2
    echo >&2
    # not fatal: the build will tell what is still missing
    exit 0
fi
missing=""
for p in $pkgs; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
