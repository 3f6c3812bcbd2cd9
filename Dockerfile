# syntax=docker/dockerfile:1
#
# One image for every Threadline process. The default command is the API; the others run from the
# same image with another command:
#
#   node apps/api/dist/main.js                    API (default, port 8080)
#   node apps/worker/dist/main.js                 worker
#   node packages/intercom-sandbox/dist/main.js   Intercom sandbox (SANDBOX_HOST, SANDBOX_PORT, SANDBOX_TOKEN)
#   threadline <command>                          CLI (node apps/cli/dist/main.js)
#
# Build: docker build -t threadline .     See docs/deployment.md.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: install the workspace, bundle each app, then make a production node_modules per app
FROM ${NODE_IMAGE} AS build
ENV CI=true \
    TURBO_TELEMETRY_DISABLED=1
# Pinned pnpm from npm: corepack is not relied on (it is leaving Node.js and needs network at first use).
RUN npm install -g pnpm@10.34.8
WORKDIR /repo

# The lockfile alone decides what is downloaded, so this layer is rebuilt only when it changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch

COPY . .
RUN pnpm install --offline --frozen-lockfile
RUN pnpm turbo run build

# Each bundle keeps its npm dependencies external (scripts/build-app.mjs), so each app gets the
# production dependencies of itself and of the workspace packages bundled into it. The hoisted linker
# puts them all in the app's own node_modules, where the bundle finds them. `--legacy`: this workspace
# does not set inject-workspace-packages, which pnpm 10's default deploy requires. The sandbox also
# needs its vendored OpenAPI document, which it reads at run time to validate requests, and every
# app that writes to Redis the Lua scripts of redis-store (src/lua), which it reads at start.
RUN set -eu; \
    for app in apps/api apps/worker apps/cli packages/intercom-sandbox; do \
      name="$(node -p "require('./$app/package.json').name")"; \
      pnpm --filter "$name" deploy --prod --legacy --config.node-linker=hoisted "/tmp/deploy/$app"; \
      mkdir -p "/out/$app"; \
      cp -a "$app/package.json" "$app/dist" "/out/$app/"; \
      cp -a "/tmp/deploy/$app/node_modules" "/out/$app/"; \
    done; \
    cp -a packages/intercom-sandbox/openapi /out/packages/intercom-sandbox/; \
    mkdir -p /out/packages/redis-store/src; cp -a packages/redis-store/src/lua /out/packages/redis-store/src/

# ---- runtime: bundles and production dependencies only, run as the unprivileged `node` user
FROM ${NODE_IMAGE} AS runtime
# tini is PID 1: it forwards SIGTERM/SIGINT to node (which then shuts down gracefully) and reaps zombies.
# `-s` keeps it quiet and working when something else is PID 1 (docker run --init, compose init: true).
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/* \
  && printf '#!/bin/sh\nexec node /app/apps/cli/dist/main.js "$@"\n' > /usr/local/bin/threadline \
  && chmod 755 /usr/local/bin/threadline

ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
# Owned by root and read-only for the `node` user: the processes keep their state in Redis, not on disk.
COPY --from=build /out/ /app/
USER node

EXPOSE 8080
# For the API. Compose replaces it for the worker and the sandbox (they serve nothing on PORT).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "-s", "--"]
CMD ["node", "apps/api/dist/main.js"]
