// The Higress spec.yaml carries the same configuration schema as schema.json,
// and the filter accepts its example.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { ROOT } from "../../../scripts/lib/paths.ts";
import { Host } from "../../host/index.ts";
import { inlineRefs } from "../../schema/inline-refs.ts";
import { buildFilter, startFilter } from "./helpers.ts";

const dir = join(ROOT, "assembly", "token-ratelimit");
const schema = JSON.parse(readFileSync(join(dir, "schema.json"), "utf8"));
const spec = YAML.parse(readFileSync(join(dir, "spec.yaml"), "utf8"));

describe("token-ratelimit schema and Higress spec", () => {
  it("spec.yaml's openAPIV3Schema is schema.json", () => {
    const { example, ...rest } = spec.spec.configSchema.openAPIV3Schema;
    expect(rest).toEqual(inlineRefs(schema));
    expect(example).toBeDefined();
    expect(spec.info.name).toBe("token-ratelimit");
  });

  it("every configuration field the schema names is one the filter knows", async () => {
    await buildFilter();
    const fields = Object.keys(schema.$defs.fields.properties);
    const limitFields = Object.keys(schema.$defs.limit.properties);
    const all: Record<string, unknown> = {
      limits: [{ name: "l", by: "ip", cidrs: ["10.0.0.0/8"], values: ["10.1.1.1"], shared: false, algorithm: "fixed_window", max_keys: 8, windows: { second: 1, minute: 2, hour: 3, day: 4 } }],
      consumer_header: "x-c",
      client_ip_header: "x-real-ip",
      completion_reserve: 10,
      include_usage: false,
      response_headers: false,
      hold_request_headers: true,
      max_request_bytes: 2048,
      max_response_bytes: 2048,
      ratelimit_service: { cluster: "rl", domain: "d", authority: "rl", path: "/json", timeout_ms: 100, failure_mode: "deny" },
    };
    expect(Object.keys(all).sort()).toEqual(fields.sort());
    expect(limitFields.filter((f) => f !== "key").sort()).toEqual(Object.keys((all.limits as object[])[0]).sort());
    expect(() => startFilter(new Host(), all)).not.toThrow();
    expect(() => startFilter(new Host(), spec.spec.configSchema.openAPIV3Schema.example)).not.toThrow();
  });
});
