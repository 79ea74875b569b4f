#!/usr/bin/env bash
# Make sure Debian's chromium is installed for the browser tests (tests/e2e).
# The browser comes from Debian's packages only: never `playwright install`, never a download.
# Runs `apt-get update` only when the install fails without it (a fresh machine has no lists).
set -euo pipefail
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt-get (a parallel PostgreSQL install, say) rather than failing at once.
APT=($SUDO apt-get -o DPkg::Lock::Timeout=600 -y -qq --no-install-recommends)
echo "ensure-chromium: installing Debian's chromium" >&2
if ! "${APT[@]}" install chromium >/dev/null 2>&1; then
    echo "ensure-chromium: install failed; updating the package lists and retrying" >&2
    $SUDO apt-get -o DPkg::Lock::Timeout=600 -qq update
    "${APT[@]}" install chromium >/dev/null
fi
if [ ! -x "$CHROMIUM" ]; then
    echo "ensure-chromium: $CHROMIUM is still missing after installing chromium" >&2
    exit 1
fi
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo chromium installed)" >&2
