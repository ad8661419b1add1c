# The demo upstreams (test/upstreams/: mock LLM and MCP server) for
# envoy/docker-compose.yaml. Build context: the repository root.
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: none of the upstreams' dependencies needs an install step.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY test/upstreams test/upstreams
USER node
# Each compose service passes its own command, e.g.
#   node --import tsx test/upstreams/llm.ts --port 10001 --name llm
CMD ["node", "--import", "tsx", "test/upstreams/llm.ts"]
