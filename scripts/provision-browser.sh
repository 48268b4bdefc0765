#!/usr/bin/env bash
# Debian's Chromium for the browser test (test/ui): Playwright's own browser download cannot work
# offline, and playwright-core drives any Chromium. Installs only when it is missing.
set -euo pipefail
browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$browser" ]; then
  echo "chromium: $("$browser" --version 2>/dev/null || echo "$browser")"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "chromium is missing and this user cannot install it: run 'apt-get install chromium' as root, or set CHROMIUM_PATH" >&2
    exit 1
  fi
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium
echo "chromium: $(/usr/bin/chromium --version)"
