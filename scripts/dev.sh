#!/usr/bin/env bash
# One entry point for a fresh machine that has only Node 20 and npm.
# It installs the pinned Node 24 and pnpm into .tools/ (never over the system Node),
# installs the dependencies from the lockfile, then runs the root script named by $1:
#   bash scripts/dev.sh start   # the reference server on the embedded database
#   bash scripts/dev.sh test    # lint, typecheck, unit tests, packed-tarball test, docs
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

node_major="24"
pnpm_version="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' package.json)"
tools="$root/.tools"

node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  [ "$(node -p 'process.versions.node.split(".")[0]')" = "$node_major" ]
}

if ! node_ok; then
  if [ ! -x "$tools/node/node_modules/node/bin/node" ]; then
    echo "dev.sh: installing Node $node_major into .tools/node (from the npm registry's node@$node_major)" >&2
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$tools/node" "node@$node_major" >&2
  fi
  export PATH="$tools/node/node_modules/node/bin:$PATH"
fi
node_ok || { echo "dev.sh: Node $node_major is not available" >&2; exit 1; }

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$pnpm_version" ]; then
  if [ "$("$tools/pnpm/node_modules/.bin/pnpm" --version 2>/dev/null || true)" != "$pnpm_version" ]; then
    echo "dev.sh: installing pnpm $pnpm_version into .tools/pnpm" >&2
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$tools/pnpm" "pnpm@$pnpm_version" >&2
  fi
  export PATH="$tools/pnpm/node_modules/.bin:$PATH"
fi

export CI="${CI:-}"
pnpm install --frozen-lockfile --reporter=append-only >&2

if [ "$#" -eq 0 ]; then
  echo "usage: bash scripts/dev.sh <script> [args...]   (e.g. start, test)" >&2
  exit 2
fi
exec pnpm run "$@"
