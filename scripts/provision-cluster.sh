#!/usr/bin/env bash
# What the local cluster runs (npm run cluster, npm run test:cluster): PostgreSQL from the machine's
# packages (Debian: apt-get install postgresql, when missing, as root or with password-less sudo),
# then the Temporal server, its SQL tool and the UI server, built once from Go modules into the cache.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && [ -z "${CODIKA_POSTGRES_BIN:-}" ] && ! command -v postgres >/dev/null 2>&1; then
  # The package's own cluster is not used: the local cluster keeps its data in a folder of its own.
  bash scripts/apt-install.sh postgresql "install PostgreSQL 12 or newer, or set CODIKA_POSTGRES_BIN"
fi
echo "postgres: $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -n 1 || command -v postgres)"
npx tsx -e "require('./src/provisioning/cluster-binaries').findOrBuildClusterBinaries().then((b) => console.log('temporal server: ' + b.server + '\nsql tool: ' + b.sqlTool + '\nui server: ' + b.uiServer))"
