# The Alpha-Bet worker and CLI image (docker-compose.yml builds it). Runs the TypeScript sources with tsx.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# `prepare` runs bin/build-cli.mjs; without TypeScript (--omit=dev) it builds nothing and the CLI runs on tsx.
COPY bin/build-cli.mjs bin/compiled.mjs bin/
RUN npm ci --omit=dev && npm cache clean --force
COPY . .
USER node
# Worker by default; `docker compose run --rm setup node bin/alphabet.mjs <command>` runs the CLI.
CMD ["node", "--import", "tsx", "workers/main.ts"]
