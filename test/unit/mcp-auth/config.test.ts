// mcp-auth configuration: what is refused, and that each problem names its field.
import { beforeAll, describe, expect, it } from "vitest";
import { Host } from "../../host/index.ts";
import { ecKey, rsaKey } from "../../auth/tokens.ts";
import { buildMcpAuth, RESOURCE } from "./support.ts";

let WASM: string;
beforeAll(async () => {
  WASM = await buildMcpAuth();
}, 120_000);

function refusal(config: unknown): string[] {
  const vm = new Host().createVm(WASM, { name: "mcp-auth", rootId: "mcp-auth", vmId: "mcp-auth", configuration: typeof config === "string" ? config : JSON.stringify(config) });
  vm.start();
  const ok = vm.configure();
  expect(vm.trapped).toBe(false);
  return ok ? [] : vm.logs.filter((l) => l.level >= 4).map((l) => l.message);
}

const KEYS = { consumers: [{ name: "a", key: "0123456789abcdef" }] };

describe("configuration", () => {
  it("refuses an empty allowed origin and accepts filterToolsList, the former name of filterLists", () => {
    expect(refusal({ resource: RESOURCE, apiKeys: KEYS, allowedOrigins: ["https://a.example", " "] }).join("\n")).toContain("allowedOrigins");
    expect(refusal({ resource: RESOURCE, apiKeys: KEYS, filterToolsList: false, filterLists: true, allowedOrigins: ["*"] })).toEqual([]);
  });

  it("accepts a minimal API-key and a minimal JWT configuration", () => {
    expect(refusal({ resource: RESOURCE, apiKeys: KEYS })).toEqual([]);
    expect(refusal({ resource: RESOURCE, jwt: { jwks: { keys: [rsaKey("k").jwk] } } })).toEqual([]);
    expect(refusal({ _rules_: [{ _match_route_: ["mcp"], resource: RESOURCE, apiKeys: KEYS }] })).toEqual([]);
  });

  it("names every problem", () => {
    const errors = refusal({
      resource: "mcp.test",
      apiKeys: { consumers: [{ name: "a", key: "short" }] },
      jwt: { algorithms: ["none"], jwks: { keys: [{ kty: "RSA", n: "AQAB", e: "AQAB" }] } },
      policies: [{ allow: { tool: ["x"] } }],
      rateLimits: [{ tools: ["x"], calls: 0 }],
      defaultAction: "maybe",
      extra: 1,
    }).join("\n");
    expect(errors).toContain("field `resource`: must be an http(s) URL");
    expect(errors).toContain("field `apiKeys.consumers[0].key`: must be at least 16 characters");
    expect(errors).toContain("field `jwt.algorithms`: supported: RS256, ES256, HS256 (got \"none\")");
    expect(errors).toContain("field `jwt.jwks`: keys[0]: unusable RSA key");
    expect(errors).toContain("field `policies[0].allow.tool`: unknown field");
    expect(errors).toContain("field `rateLimits[0].calls`");
    expect(errors).toContain("field `defaultAction`: must be one of allow, deny");
    expect(errors).toContain("field `extra`: unknown field");
  });

  it("needs a way to authenticate and a key source for JWT", () => {
    expect(refusal({ resource: RESOURCE }).join("\n")).toContain("needs `jwt` or `apiKeys`");
    expect(refusal({ resource: RESOURCE, jwt: {} }).join("\n")).toContain("needs `jwks` (static keys) or `jwksFetch`");
    expect(refusal("{not json").join("\n")).toContain("is not valid JSON");
  });

  it("refuses an EC key whose point is not on P-256, or out of range", () => {
    const ec = ecKey("e").jwk as Record<string, string>;
    expect(refusal({ resource: RESOURCE, jwt: { jwks: { keys: [ec] } } })).toEqual([]);
    const y = Buffer.from(ec.y, "base64url");
    y[31] ^= 1;
    const off = refusal({ resource: RESOURCE, jwt: { jwks: { keys: [{ ...ec, y: y.toString("base64url") }] } } }).join("\n");
    expect(off).toContain("field `jwt.jwks`: keys[0]: point not on P-256");
    // x = p (not a field element).
    const p = Buffer.from("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", "hex").toString("base64url");
    expect(refusal({ resource: RESOURCE, jwt: { jwks: { keys: [{ ...ec, x: p }] } } }).join("\n")).toContain("keys[0]: point not on P-256");
  });
});
