#!/usr/bin/env bash
# Starts the whole stack: Redis (when none answers), the Intercom sandbox (when no token is set),
# the API and the worker. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/ensure-pnpm.sh
pnpm install --frozen-lockfile --reporter=silent
# .env is read by start-stack.ts and by each process it starts (the environment wins over it).
exec pnpm exec tsx scripts/start-stack.ts
