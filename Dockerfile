# syntax=docker/dockerfile:1
# One image for every Ringbus process. Pick the process with the command, e.g.
#   docker run ringbus services/push/dist/src/main.js
#   docker run ringbus libs/event-relay/dist/src/main.js
# (the entrypoint is `node`; the default command runs signaling).

FROM node:20-bookworm-slim AS build
WORKDIR /app
# Everything is copied at once (see .dockerignore): workspaces come and go, and listing each package.json
# here would break the build whenever one is added.
COPY . .
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
RUN npx tsc -b
# Keep only what `node` needs at run time: compiled code and production dependencies.
RUN npm prune --omit=dev --no-audit --no-fund \
  && find . -path ./node_modules -prune -o -name '*.tsbuildinfo' -print -delete

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app /app
USER node
# Services bind HTTP_HOST, 127.0.0.1 by default; in a container they must listen on every interface.
ENV HTTP_HOST=0.0.0.0
# SIGTERM goes straight to node (no shell in between): the service drains NATS, closes its pool, exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node"]
CMD ["services/signaling/dist/src/main.js"]
