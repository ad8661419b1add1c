// semantic-router-embed.wasm with `classifier: "embeddings"` on the
// configurations and requests the embedding path has to survive: routes
// without examples, examples and requests without one known token (emoji,
// only [UNK] words), a single route, an empty text, a long prompt. Each
// configures, routes as the lexical model would where the embedding has
// nothing to say, and the VM never traps.
import { beforeAll, describe, expect, it } from "vitest";
import { build } from "../../../scripts/build.ts";
import { ensureTable } from "../../../scripts/router/static/build-table.ts";
import { Host } from "../../host/host.ts";
import { chat, EMBED_WASM, ROUTER_WASM, routerVm } from "./support.ts";

beforeAll(async () => {
  ensureTable();
  await build({ only: "semantic-router-embed", quiet: true });
  await build({ only: "semantic-router", quiet: true });
}, 1_800_000);

const route = (res: Awaited<ReturnType<typeof chat>>) => res.upstream?.headers.get("x-semantic-route") ?? null;

describe("semantic-router-embed edge cases", () => {
  const configs: [string, Record<string, unknown>][] = [
    ["one route", { routes: [{ name: "travel", header: "travel", examples: ["book a flight to London"] }] }],
    ["a route without examples beside one with", { routes: [{ name: "travel", header: "travel", examples: ["book a flight"] }, { name: "complex", header: "complex", complexity: "complex" }] }],
    ["examples without a known token", { routes: [{ name: "emoji", header: "emoji", examples: ["😀😀", "🙂"] }, { name: "unk", header: "unk", examples: ["x".repeat(150)] }] }],
    ["keywords only", { routes: [{ name: "kw", header: "kw", keywords: ["refund"] }] }],
  ];
  /** Texts whose every token is [UNK] (an emoji, a word over 100 characters) or that have none. */
  const unknown = ["", "😀", "y".repeat(150)];
  const texts = [...unknown, "book a flight to London", "refund please", "word ".repeat(3000), "[CLS][SEP][UNK]"];

  it.each(configs)("%s: configures, routes each request as the lexical module does where no token is known, never traps", async (_, config) => {
    const embed = routerVm({ ...config, classifier: "embeddings", threshold: 0 }, new Host(), EMBED_WASM);
    const lexical = routerVm({ ...config, threshold: 0 }, new Host(), ROUTER_WASM);
    for (const text of texts) {
      const [a, b] = [await chat(embed, text), await chat(lexical, text)];
      expect(a.status).toBe(200);
      if (unknown.includes(text)) expect(route(a)).toBe(route(b));
    }
    expect(embed.trapped).toBe(false);
  });
});
