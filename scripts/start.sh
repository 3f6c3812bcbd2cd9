#!/usr/bin/env bash
# Starts the whole stack: Redis (when none answers), the Intercom sandbox (when no token is set),
# the API and the worker. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/ensure-pnpm.sh
pnpm install --frozen-lockfile --reporter=silent
if [ -f .env ]; then
  set -a
  . ./.env
  set +a
fi
exec pnpm exec tsx scripts/start-stack.ts
