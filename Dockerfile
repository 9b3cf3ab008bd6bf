# syntax=docker/dockerfile:1
# The feed fan-out service. One image for every role: ROLE=all (default), api or worker.
#   docker build -t feed-fanout .
#   docker run -e DATABASE_URL=... -e REDIS_URL=... -e JWT_SECRET=... -p 3000:3000 feed-fanout

ARG NODE_IMAGE=node:22-slim

# ---- build: every dependency, TypeScript compiled to dist/ (dist/src/main.js, dist/migrations)
FROM ${NODE_IMAGE} AS build
# swagger-ui-dist pulls in @scarf/scarf, whose install script phones home; keep builds quiet.
ENV SCARF_ANALYTICS=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && test -f dist/src/main.js

# ---- production dependencies only
FROM ${NODE_IMAGE} AS deps
ENV SCARF_ANALYTICS=false
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- runtime: node_modules without dev dependencies, dist/, nothing else
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
# The image's own unprivileged user (uid 1000).
USER node
EXPOSE 3000
# Migrations run at start-up (under an advisory lock, so several containers may start at once).
# node is PID 1 and handles SIGTERM itself: it stops taking work, drains jobs, exits 0.
CMD ["node", "dist/src/main.js"]
