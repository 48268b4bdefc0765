#!/usr/bin/env bash
# Debian's Chromium for the browser test (test/integration/ui): Playwright's own browser download cannot work
# offline, and playwright-core drives any Chromium. Installs only when it is missing, and only as
# root or with sudo that needs no password (the test runs it too, with no terminal to ask on).
set -euo pipefail
browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$browser" ]; then
  echo "chromium: $("$browser" --version 2>/dev/null || echo "$browser")"
  exit 0
fi
bash "$(dirname "$0")/apt-install.sh" chromium "install Chromium or Chrome, or set CHROMIUM_PATH"
echo "chromium: $(/usr/bin/chromium --version)"
