#!/usr/bin/env bash
# Installs what the Bluesky channel tests need (issue 13), from the npm registry only:
#   - Node.js 22 from npm (the `node@22` package) in ${TMPDIR:-/tmp}/lanyard-ci-node22, where
#     .ci/run also keeps it (reused when already there);
#   - test/channels/bluesky/: `@atproto/pds` (a Bluesky personal data server) and `@did-plc/server`
#     (a PLC directory), from its own package.json and lockfile (`npm ci`), run on that Node 22;
#     better-sqlite3 (the PDS's database) is compiled against Node 22's own headers, which the
#     npm package ships (no download from nodejs.org; its prebuilt binaries are not fetched).
# Needs python3, make and a C++ compiler (Debian's build-essential) for better-sqlite3.
# Idempotent: a second run installs nothing. Prints what it did and how long it took.
set -euo pipefail
started=$(date +%s)
here="$(cd "$(dirname "$0")" && pwd)"

node_dir="${TMPDIR:-/tmp}/lanyard-ci-node22"
if ! "$node_dir/node_modules/.bin/node" --version 2>/dev/null | grep -q '^v22\.'; then
  echo "npm install node@22 in $node_dir"
  rm -rf "$node_dir"
  mkdir -p "$node_dir"
  echo '{"private":true,"allowScripts":{"node":true}}' >"$node_dir/package.json"
  (cd "$node_dir" && npm install --no-audit --no-fund --no-save --loglevel=error node@22 >/dev/null)
fi
node22="$node_dir/node_modules/.bin"
headers="$(cd "$node_dir/node_modules/node/node_modules/node-linux-"* && pwd)"
[ -f "$headers/include/node/node.h" ] || { echo "Node 22's headers are missing in $headers" >&2; exit 1; }

cd "$here/bluesky"
stamp=node_modules/.lanyard-installed
want="$("$node22/node" --version) $(sha256sum package-lock.json | cut -c1-64)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "npm ci in test/channels/bluesky (better-sqlite3 built against Node $("$node22/node" --version))"
  # prebuild-install would try GitHub for a binary: skip it and build from source.
  PATH="$node22:$PATH" npm_config_build_from_source=true npm_config_nodedir="$headers" \
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
  echo "$want" >"$stamp"
fi
PATH="$node22:$PATH" node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"
echo "Bluesky PDS $(node -p "require('./node_modules/@atproto/pds/package.json').version")," \
  "PLC directory $(node -p "require('./node_modules/@did-plc/server/package.json').version")," \
  "Node $("$node22/node" --version) ready in $(( $(date +%s) - started )) s"
