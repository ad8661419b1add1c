// The Higress spec.yaml carries schema.json (references inlined), the schema
// accepts the configurations the suites use, and the filter accepts the
// spec's example.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { ROOT } from "../../../scripts/lib/paths.ts";
import { inlineRefs } from "../../schema/inline-refs.ts";
import { pluginConfig } from "../../e2e/mcp-auth/setup.ts";
import { buildMcpAuth, startVm } from "./support.ts";

const dir = join(ROOT, "assembly", "mcp-auth");
const schema = JSON.parse(readFileSync(join(dir, "schema.json"), "utf8"));
const spec = YAML.parse(readFileSync(join(dir, "spec.yaml"), "utf8"));

let WASM: string;
beforeAll(async () => {
  WASM = await buildMcpAuth();
}, 120_000);

describe("mcp-auth schema and Higress spec", () => {
  it("spec.yaml's openAPIV3Schema is schema.json", () => {
    const { example, ...rest } = spec.spec.configSchema.openAPIV3Schema;
    expect(rest).toEqual(inlineRefs(schema));
    expect(spec.info.name).toBe("mcp-auth");
    expect(() => startVm(WASM, example)).not.toThrow();
  });

  it("the schema accepts the e2e configuration and refuses a typo'd enum", () => {
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(validate(pluginConfig("http://127.0.0.1:1/mcp", "http://127.0.0.1:2")), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ resource: "https://a/mcp", defaultAction: "maybe" })).toBe(false);
  });
});
