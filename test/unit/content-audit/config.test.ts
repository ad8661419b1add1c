// Configuration: schema.json and the Higress spec.yaml agree, the filter
// accepts every field the schema names and the spec's example, and refuses
// bad configurations with errors that name the field.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { ROOT } from "../../../scripts/lib/paths.ts";
import { auditVm, buildFilter } from "./helpers.ts";

const dir = join(ROOT, "assembly", "content-audit");
const schema = JSON.parse(readFileSync(join(dir, "schema.json"), "utf8"));
const spec = YAML.parse(readFileSync(join(dir, "spec.yaml"), "utf8"));

beforeAll(buildFilter, 120_000);

describe("schema and Higress spec", () => {
  it("spec.yaml's openAPIV3Schema is schema.json, with an example the filter accepts", () => {
    const { example, ...rest } = spec.spec.configSchema.openAPIV3Schema;
    const { $schema, ...expected } = schema;
    expect($schema).toContain("json-schema.org");
    expect(rest).toEqual(expected);
    expect(spec.info.name).toBe("content-audit");
    expect(() => auditVm(example)).not.toThrow();
  });

  it("accepts every field the schema names", () => {
    const rule = schema.properties.rules.items.properties;
    const all = {
      rules: [
        { id: "k", type: "keywords", action: "mask", scope: "request", keywords: ["a"], allow: ["ab"], whole_words: true, mask: { style: "partial", placeholder: "x", keep_last: 2, char: "#" } },
        { id: "p", type: "pii", action: "log", scope: "response", detectors: rule.detectors.items.enum },
        { id: "r", type: "pattern", action: "block", scope: "both", pattern: "a+", case_insensitive: true, max_length: 10 },
      ],
      block: { status: 403, message: "m", body: "b", content_type: "text/plain" },
      inspect: { request: true, response: true, mcp: false },
      max_body_bytes: 2048,
      on_oversize: "pass",
      on_invalid_json: "pass",
      phone_regions: schema.properties.phone_regions.items.enum,
      hold_response_headers: true,
      hold_request_headers: true,
      audit: { include_matches: true, consumer_header: "x-c", collector: { cluster: "c", path: "/p", authority: "a", batch_size: 5, max_queue: 10, flush_interval_ms: 100, timeout_ms: 100 } },
      moderation: { cluster: "m", path: "/m", authority: "a", model: "x", api_key: "k", timeout_ms: 100, on_failure: "block", max_input_chars: 100, scope: "both", stream_window_chars: 100 },
    };
    for (const key of Object.keys(schema.properties)) if (key !== "_rules_") expect(all, key).toHaveProperty(key);
    const used = new Set(all.rules.flatMap((r) => Object.keys(r)));
    for (const key of Object.keys(rule)) expect(used.has(key), key).toBe(true);
    for (const key of Object.keys(schema.properties.moderation.properties)) expect(all.moderation, key).toHaveProperty(key);
    expect(() => auditVm(all)).not.toThrow();
    expect(() => auditVm({ _rules_: [{ _match_route_: ["llm"], rules: [{ id: "x", type: "pii" }] }] })).not.toThrow();
  });

  it("refuses bad configurations naming the field", () => {
    const cases: [unknown, RegExp][] = [
      [{}, /field `rules`: is required/],
      [{ rules: [{ id: "a", type: "regex" }] }, /field `rules\[0\].type`: must be one of keywords, pii, pattern/],
      [{ rules: [{ id: "a", type: "pii", detectors: ["passport"] }] }, /unknown detector "passport"/],
      [{ rules: [{ id: "a", type: "keywords", keywords: [] }] }, /field `rules\[0\].keywords`: must have at least 1 item/],
      [{ rules: [{ id: "a", type: "pii" }, { id: "a", type: "pii" }] }, /duplicate rule id "a"/],
      [{ rules: [{ id: "a", type: "pii", acton: "mask" }] }, /field `rules\[0\].acton`: unknown field/],
      [{ rules: [{ id: "a", type: "pii" }], audit: { collector: {} } }, /field `audit.collector.cluster`: is required/],
      [{ rules: [{ id: "a", type: "pii" }], audit: { collector: { cluster: "c", path: "audit" } } }, /field `audit.collector.path`: must start with \//],
      [{ rules: [{ id: "a", type: "pii" }], moderation: { cluster: "m", timeout_ms: 5 } }, /field `moderation.timeout_ms`: must be an integer between 10 and 60000/],
      [{ rules: [{ id: "a", type: "pii" }], moderation: { cluster: "m", scope: "completions" } }, /field `moderation.scope`: must be one of request, response, both/],
    ];
    for (const [config, message] of cases) expect(() => auditVm(config), JSON.stringify(config)).toThrow(message);
  });
});
