# The demo upstreams (test/upstreams/: mock LLM and MCP server) for
# envoy/docker-compose.yaml. Build context: build/upstreams/, the bundle
# `npm run build` writes (scripts/upstreams-bundle.ts), so the image needs
# nothing but Node.js: no npm install, no registry.
# NODE_IMAGE: node:20-slim, or a Node.js image built locally on hosts that
# cannot pull it (scripts/container-image.ts).
ARG NODE_IMAGE=node:20-slim
FROM ${NODE_IMAGE}
WORKDIR /app
COPY . .
# uid 1000 is node:20-slim's "node" user; numeric, so it also works on a
# base without /etc/passwd.
USER 1000
# Each compose service passes its own command, e.g.
#   node bin/llm.mjs --port 10001 --name llm
CMD ["node", "bin/llm.mjs"]
