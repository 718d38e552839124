#!/usr/bin/env bash
# Installs what building and testing Kiosque needs (Debian packages, then npm ci); idempotent, quiet on success.
set -euo pipefail

cd "$(dirname "$0")/.."

die() { echo "deps.sh: $*" >&2; exit 1; }

PKGS="build-essential pkg-config libmicrohttpd-dev libsqlite3-dev sqlite3 libpq-dev postgresql-15
libsodium-dev libjansson-dev libcmark-dev libqrencode-dev libhpdf-dev libcurl4-openssl-dev libcmocka-dev libgd-dev
python3 python3-aiosmtpd chromium wrk zbar-tools poppler-utils curl ca-certificates"
# A node that is already on PATH (e.g. a newer one) wins over Debian's nodejs/npm, which would conflict with it.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    PKGS="$PKGS nodejs npm"
fi

missing=()
for p in $PKGS; do
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" = installed ] || missing+=("$p")
done

log=$(mktemp /tmp/kiosque-deps.XXXXXX)
trap 'rm -f "$log"' EXIT

if [ ${#missing[@]} -gt 0 ]; then
    SUDO=
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "not root and no sudo: cannot install ${missing[*]}"
        SUDO=sudo
    fi
    apt_install() {
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$log" 2>&1
    }
    if ! apt_install; then
        { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$log" 2>&1 && apt_install; } ||
            die "apt-get install ${missing[*]} failed: $(grep -E '^(E|W):' "$log" | tail -n 1 || tail -n 1 "$log")"
    fi
fi

command -v npm >/dev/null 2>&1 || die "npm not found after installing packages"
[ -f package-lock.json ] || die "package-lock.json missing in $(pwd)"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    npm ci --no-audit --no-fund >"$log" 2>&1 ||
        die "npm ci failed: $(grep -E 'npm (ERR|error)' "$log" | head -n 1 || tail -n 1 "$log")"
    touch node_modules
fi
