#!/usr/bin/env bash
# Make sure the Debian tools the browser and report tests use are installed:
#   chromium       (tests/e2e: Playwright drives Debian's browser; never `playwright install`)
#   poppler-utils  (pdftoppm / pdftotext: the demo report's PDF turned into page images)
# Everything comes from Debian's packages, never a download. Runs `apt-get update` only when
# the install fails without it (a fresh machine has no package lists).
set -euo pipefail
declare -A NEEDED=([/usr/bin/chromium]=chromium [/usr/bin/pdftoppm]=poppler-utils)
missing=()
for binary in "${!NEEDED[@]}"; do
    [ -x "$binary" ] || missing+=("${NEEDED[$binary]}")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt-get (a parallel PostgreSQL install, say) rather than failing at once.
APT=($SUDO apt-get -o DPkg::Lock::Timeout=600 -y -qq --no-install-recommends)
echo "ensure-test-tools: installing ${missing[*]} from Debian's packages" >&2
if ! "${APT[@]}" install "${missing[@]}" >/dev/null 2>&1; then
    echo "ensure-test-tools: install failed; updating the package lists and retrying" >&2
    $SUDO apt-get -o DPkg::Lock::Timeout=600 -qq update
    "${APT[@]}" install "${missing[@]}" >/dev/null
fi
for binary in "${!NEEDED[@]}"; do
    if [ ! -x "$binary" ]; then
        echo "ensure-test-tools: $binary is still missing after installing ${NEEDED[$binary]}" >&2
        exit 1
    fi
done
echo "ensure-test-tools: $(/usr/bin/chromium --version 2>/dev/null || echo chromium), $(pdftoppm -v 2>&1 | head -1)" >&2
