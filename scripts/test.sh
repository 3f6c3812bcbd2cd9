#!/usr/bin/env bash
# Installs everything and runs every check: lint and format, types, architecture rules, all tests.
# Tests use the Redis at REDIS_URL when it answers and start a private redis-server otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/ensure-pnpm.sh
pnpm install --frozen-lockfile --reporter=silent
pnpm run check
