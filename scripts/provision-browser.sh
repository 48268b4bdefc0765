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
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "chromium is missing and this user cannot install it without a password: run 'sudo apt-get install chromium', or set CHROMIUM_PATH" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium is missing and there is no apt-get here: install Chromium or Chrome, or set CHROMIUM_PATH" >&2
  exit 1
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium
echo "chromium: $(/usr/bin/chromium --version)"
