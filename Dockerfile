# The Trygg service image: Node 20, the workspaces, the built web app.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY alarm-core/package.json alarm-core/
COPY devices/package.json devices/
COPY gateway/package.json gateway/
COPY dashboard/package.json dashboard/
COPY server/package.json server/
COPY simulators/package.json simulators/
COPY bench/package.json bench/
COPY test/package.json test/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build -w @trygg/dashboard
ENV NODE_ENV=production
EXPOSE 8080 1883 5060/udp 5060/tcp 5061/tcp
USER node
# Node runs the service itself, with no npm or shell in between that might not pass signals on:
# `docker stop`'s SIGTERM reaches Trygg, which stops in order and exits 0 (docs/operations.md, Robustness).
# Give it an init as PID 1 (`docker run --init`, compose's `init: true`) to reap what it starts.
CMD ["node", "--import", "tsx", "server/src/main.ts"]
