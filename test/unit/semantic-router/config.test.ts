// Configuration: schema.json and the Higress spec.yaml agree and are what the
// filter accepts; mistakes are refused with the field and the reason.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { ROOT } from "../../../scripts/lib/paths.ts";
import { buildRouter, routerVm } from "./support.ts";

const dir = join(ROOT, "assembly", "semantic-router");
const schema = JSON.parse(readFileSync(join(dir, "schema.json"), "utf8"));
const spec = YAML.parse(readFileSync(join(dir, "spec.yaml"), "utf8"));

function inlined(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(inlined);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o.$ref === "string") return inlined(schema.$defs[o.$ref.split("/").pop()!]);
    return Object.fromEntries(Object.entries(o).filter(([k]) => !["$defs", "$schema", "$id"].includes(k)).map(([k, x]) => [k, inlined(x)]));
  }
  return v;
}

/** The error lines the filter logged when it refused `config`. */
function refusal(config: unknown): string {
  try {
    routerVm(config);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("configuration was accepted");
}

beforeAll(buildRouter, 120_000);

describe("semantic-router configuration", () => {
  it("spec.yaml's openAPIV3Schema is schema.json, and its example loads", () => {
    const { example, ...rest } = spec.spec.configSchema.openAPIV3Schema;
    expect(rest).toEqual(inlined(schema));
    expect(spec.info.name).toBe("semantic-router");
    expect(() => routerVm(example)).not.toThrow();
  });

  it("accepts every field the schema names", () => {
    const all = {
      routes: [{ name: "a", model: "m", header: "h", examples: ["x y"], keywords: ["k"], priority: 2, threshold: 0.3, complexity: "simple", embeddings: true }],
      default: { name: "d", model: "base", header: "dh" },
      threshold: 0.25,
      scoring: "nearest",
      neighbors: 2,
      complexity_threshold: 0.6,
      input: { system: true, history: 2, max_scan_bytes: 2048 },
      model_policy: "sentinel",
      sentinel_models: ["auto", "router"],
      on_invalid: "reject",
      max_body_bytes: 65536,
      classifier: "lexical",
      embeddings: { cluster: "embed", authority: "embed.local", path: "/v1/embeddings", model: "e", api_key: "k", timeout_ms: 100, threshold: 0.7, neighbors: 3, cache_entries: 64 },
      _rules_: [{ _match_domain_: ["x.test"], routes: [{ name: "b", examples: ["z"] }] }],
    };
    expect(Object.keys(all).sort()).toEqual(Object.keys(schema.properties).sort());
    expect(Object.keys(all.routes[0]).sort()).toEqual(Object.keys(schema.$defs.route.properties).sort());
    expect(Object.keys(all.embeddings).sort()).toEqual(Object.keys(schema.properties.embeddings.properties).sort());
    expect(() => routerVm(all)).not.toThrow();
  });

  it.each([
    [{}, "field `routes`: is required"],
    [{ routes: [] }, "field `routes`: must have at least 1 item"],
    [{ routes: [{ name: "a" }] }, 'route "a" can never match: give it examples, keywords or a complexity'],
    [{ routes: [{ name: "a b", examples: ["x"] }] }, "field `routes[0].name`: must be 1-64 characters"],
    [{ routes: [{ name: "a", examples: ["x"] }, { name: "a", examples: ["y"] }] }, 'field `routes[1].name`: is used by another route ("a")'],
    [{ routes: [{ name: "a", examples: ["x"], threshold: 2 }] }, "field `routes[0].threshold`: must be a number between 0 and 1"],
    [{ routes: [{ name: "a", examples: ["x"], complexity: "hard" }] }, "field `routes[0].complexity`: must be one of any, simple, complex"],
    [{ routes: [{ name: "a", keywords: ["!!!"] }] }, "field `routes[0].keywords`: entry 0 has no letters or digits"],
    [{ routes: [{ name: "a", examples: ["x"] }], default: { name: "a" } }, 'field `default.name`: is also the name of a route ("a")'],
    [{ routes: [{ name: "a", examples: ["x"], exampels: ["y"] }] }, "routes[0].exampels"],
    [{ routes: [{ name: "a", examples: ["x"] }], model_policy: "never" }, "field `model_policy`: must be one of always, sentinel"],
    [{ routes: [{ name: "a", examples: ["x"] }], classifier: "embeddings" }, 'field `classifier`: "embeddings" needs the module with the embedding table, semantic-router-embed.wasm (this one has none)'],
    [{ routes: [{ name: "a", examples: ["x"] }], classifier: "bert" }, "field `classifier`: must be one of lexical, embeddings"],
    ["{not json", "is not valid JSON"],
    [{ routes: Array.from({ length: 1001 }, (_, i) => ({ name: `r${i}`, keywords: [`k${i}`] })) }, "field `routes`: hold 1001 routes; at most 1000"],
  ])("refuses %j", (config, message) => {
    const why = refusal(config);
    expect(why).toContain("semantic-router: ");
    expect(why).toContain(message);
  });
});
