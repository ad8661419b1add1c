// Reading --registry and WWW-Authenticate challenges.
import { describe, expect, it } from "vitest";
import { parseChallenge } from "../../../scripts/oci/auth.ts";
import { repositoryFor } from "../../../scripts/oci/images.ts";
import { parseRegistry } from "../../../scripts/oci/registry.ts";

describe("parseRegistry", () => {
  it.each([
    ["ghcr.io/acme/ai-gateway", false, "https://ghcr.io", "acme/ai-gateway"],
    ["127.0.0.1:5000/plugins", true, "http://127.0.0.1:5000", "plugins"],
    ["http://localhost:5000", false, "http://localhost:5000", ""],
    ["https://registry.example.com:8443/a/b/", false, "https://registry.example.com:8443", "a/b"],
  ])("%s (plain http %s)", (spec, plain, base, namespace) => {
    const ref = parseRegistry(spec, plain);
    expect(ref.base).toBe(base);
    expect(ref.namespace).toBe(namespace);
  });

  it("rejects a namespace a registry would refuse", () => {
    expect(() => parseRegistry("ghcr.io/Acme")).toThrow('"Acme" is not a valid repository namespace');
  });
});

describe("repositoryFor", () => {
  it("Higress images under the filter name, Wasm OCI images with -wasm", () => {
    expect(repositoryFor("acme", "mcp-auth", "higress")).toBe("acme/mcp-auth");
    expect(repositoryFor("acme", "mcp-auth", "wasm")).toBe("acme/mcp-auth-wasm");
    expect(repositoryFor("", "mcp-auth", "wasm")).toBe("mcp-auth-wasm");
  });
});

describe("parseChallenge", () => {
  it("Bearer with quoted parameters", () => {
    expect(parseChallenge('Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull"')).toEqual({
      scheme: "bearer",
      params: { realm: "https://auth.example.com/token", service: "registry.example.com", scope: "repository:a/b:pull" },
    });
  });

  it("Basic with a realm", () => {
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: "basic", params: { realm: "Registry Realm" } });
  });
});
