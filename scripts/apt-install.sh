#!/usr/bin/env bash
# Installs one Debian package the project needs and the machine lacks: as root, or with sudo that needs
# no password (tests run this with no terminal to ask on). Usage: apt-install.sh <package> <what to do instead>
set -euo pipefail
package="$1"
instead="$2"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "$package is missing and this user cannot install it without a password: run 'sudo apt-get install $package', or $instead" >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "$package is missing and there is no apt-get here: $instead" >&2
  exit 1
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$package"
