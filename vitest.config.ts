import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          exclude: ["test/e2e/container/**"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        // The filters' e2e suites and the demo again, every Envoy config
        // rewritten to load the one-VM bundle (build/ai-gateway.wasm); the
        // suite runner sets AI_GATEWAY_WASM=bundle (test/harness/template.ts).
        test: {
          name: "e2e-bundle",
          include: [
            "test/e2e/mcp-auth/**/*.test.ts",
            "test/e2e/content-audit/**/*.test.ts",
            "test/e2e/semantic-router/**/*.test.ts",
            "test/e2e/token-ratelimit/**/*.test.ts",
            "test/e2e/demo*.test.ts",
            "test/e2e/distribution/chain.test.ts",
          ],
          // The embed variant is a module of its own, not part of the bundle.
          exclude: ["test/e2e/semantic-router/static-embeddings.test.ts"],
          env: { AI_GATEWAY_WASM: "bundle" },
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "container",
          include: ["test/e2e/container/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
