# syntax=docker/dockerfile:1
# framestore: multi-stage build; the runtime image holds only production dependencies and the
# compiled JavaScript, and runs as the unprivileged `node` user.

# ---- build: compile TypeScript, then drop dev dependencies ----------------------------------
FROM node:20-bookworm-slim AS build
# zstd-napi falls back to node-gyp when no prebuilt binary matches the platform.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# `npm ci` runs `prepare` (= npm run build), which is why the sources are copied first.
RUN npm ci && npm prune --omit=dev

# ---- runtime -------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    STORAGE_DIR=/data
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist/src ./dist/src
COPY --chown=root:root package.json ./
COPY --chown=root:root bin ./bin
# The embedded store (and the fallback store) lives in a volume the app user owns; the code does not.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 8000
# Liveness only: a Redis outage must not get the container restarted (see docs/operations.md).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# exec form: node is PID 1 and receives SIGTERM directly, so shutdown is graceful.
CMD ["node", "bin/framestore.js", "serve"]
