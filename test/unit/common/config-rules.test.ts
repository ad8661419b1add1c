// Rule selection (assembly/common/config/rules.ts, match.ts): first matching
// rule wins, else global; each match kind behaves as in Higress's matcher
// (route name equality and prefix, domain wildcards without the port,
// Istio-style service names), with hosts compared case-insensitively. Checked
// through kit exports and, end to end, in the host emulator where route and
// cluster come from xds properties and the domain from :authority.
import { beforeAll, describe, expect, it } from "vitest";
import { Host } from "../../host/index.ts";
import { builtFixture } from "../../host/fixtures.ts";
import { loadKit, type Kit } from "../../host/kit.ts";

let WASM: string;
let kit: Kit;

beforeAll(async () => {
  WASM = await builtFixture("kit-config");
  kit = loadKit(WASM);
}, 120_000);

type Req = { route?: string; domain?: string; service?: string; path?: string };

/** [rule index or -1, selected config name or null] per request. */
function select(config: unknown, requests: Req[]): [number, string | null][] {
  const lines = requests.map((r) => [r.route ?? "", r.domain ?? "", r.service ?? "", r.path ?? ""].join("\t"));
  const out = JSON.parse(kit.callText("config_select", `r${JSON.stringify(config)}\n@@\n${lines.join("\n")}`));
  if (!Array.isArray(out)) throw new Error(`config refused: ${JSON.stringify(out)}`);
  return out;
}

const name = (config: unknown, req: Req) => select(config, [req])[0][1];

describe("selection order", () => {
  const config = {
    name: "global",
    _rules_: [
      { _match_domain_: ["api.example.com"], name: "domain-first" },
      { _match_route_: ["chat"], name: "route-chat" },
      { _match_route_prefix_: ["ch"], name: "prefix-ch" },
      { _match_service_: ["openai"], name: "service-openai" },
    ],
  };

  it("takes the first matching rule in configuration order", () => {
    expect(select(config, [{ route: "chat", domain: "api.example.com" }, { route: "chat" }, { route: "chatty" }, { route: "x", service: "openai" }, { route: "chat", service: "openai" }])).toEqual([
      [0, "domain-first"],
      [1, "route-chat"],
      [2, "prefix-ch"],
      [3, "service-openai"],
      [1, "route-chat"],
    ]);
  });

  it("falls back to the global configuration", () => {
    expect(select(config, [{}, { route: "other", domain: "example.com", service: "anthropic", path: "/chat" }])).toEqual([
      [-1, "global"],
      [-1, "global"],
    ]);
  });

  it("selects nothing for unmatched requests when there is no global part", () => {
    expect(select({ _rules_: [{ _match_route_: ["chat"], name: "r" }] }, [{ route: "chat" }, { route: "other" }])).toEqual([
      [0, "r"],
      [-1, null],
    ]);
  });
});

describe("match kinds", () => {
  const rule = (m: Record<string, string[]>) => ({ name: "global", _rules_: [{ ...m, name: "hit" }] });

  it("_match_route_ compares route names exactly", () => {
    const c = rule({ _match_route_: ["chat", "embed"] });
    expect(["chat", "embed", "Chat", "chat2", "", "/chat"].map((route) => name(c, { route }))).toEqual(["hit", "hit", "global", "global", "global", "global"]);
  });

  it("_match_route_prefix_ compares the route NAME prefix, not the path", () => {
    const c = rule({ _match_route_prefix_: ["ai-route-", "llm"] });
    expect(name(c, { route: "ai-route-chat" })).toBe("hit");
    expect(name(c, { route: "llm" })).toBe("hit");
    expect(name(c, { route: "ai-rout" })).toBe("global");
    expect(name(c, { route: "other", path: "/ai-route-chat" })).toBe("global");
  });

  it("_match_domain_: exact, *.suffix (not the apex), prefix.*, *; port stripped; case-insensitive", () => {
    const exact = rule({ _match_domain_: ["api.example.com"] });
    expect(["api.example.com", "API.Example.COM", "api.example.com:8443", "x.api.example.com", "example.com"].map((domain) => name(exact, { domain }))).toEqual([
      "hit",
      "hit",
      "hit",
      "global",
      "global",
    ]);
    const suffix = rule({ _match_domain_: ["*.Example.com"] });
    expect(["a.example.com", "a.b.EXAMPLE.com:80", "example.com", "badexample.com"].map((domain) => name(suffix, { domain }))).toEqual(["hit", "hit", "global", "global"]);
    const prefix = rule({ _match_domain_: ["www.*"] });
    expect(["www.a.com", "WWW.b.org:8080", "ww.a.com", "a.www.com"].map((domain) => name(prefix, { domain }))).toEqual(["hit", "hit", "global", "global"]);
    const any = rule({ _match_domain_: ["*"] });
    expect(["anything", "", "[::1]:80"].map((domain) => name(any, { domain }))).toEqual(["hit", "hit", "hit"]);
  });

  it("_match_domain_ keeps IPv6 literals whole", () => {
    const c = rule({ _match_domain_: ["[::1]"] });
    expect(["[::1]", "[::1]:8080", "::1"].map((domain) => name(c, { domain }))).toEqual(["hit", "hit", "global"]);
  });

  it("_match_service_: plain cluster names, and Istio outbound|port||fqdn by fqdn or fqdn:port", () => {
    const c = rule({ _match_service_: ["openai", "qwen.dns", "llm.ns.svc:8080"] });
    expect(
      ["openai", "outbound|443||qwen.dns", "outbound|8080||llm.ns.svc", "outbound|9090||llm.ns.svc", "outbound|8080|v1|llm.ns.svc", "qwen", "outbound|443||openai.x"].map((service) =>
        name(c, { service }),
      ),
    ).toEqual(["hit", "hit", "hit", "global", "hit", "global", "global"]);
    expect(name(rule({ _match_service_: ["qwen.dns:"] }), { service: "outbound|443||qwen.dns" })).toBe("global");
  });

  it("_match_route_ with _match_service_ needs both", () => {
    const c = rule({ _match_route_: ["chat"], _match_service_: ["openai"] });
    expect(name(c, { route: "chat", service: "openai" })).toBe("hit");
    expect(name(c, { route: "chat", service: "other" })).toBe("global");
    expect(name(c, { route: "other", service: "openai" })).toBe("global");
  });
});

describe("in the host emulator", () => {
  const config = {
    name: "global",
    _rules_: [
      { _match_route_: ["chat-route"], name: "by-route" },
      { _match_domain_: ["*.tenant.example"], name: "by-domain" },
      { _match_service_: ["outbound|443||anthropic.dns"], name: "by-service" },
    ],
  };

  it("selects from xds.route_name, :authority and xds.cluster_name", async () => {
    const host = new Host();
    const vm = host.startVm(WASM, { name: "kit-config", rootId: "kit-config", vmId: "kit-config", configuration: JSON.stringify(config) });
    const ask = async (route: { name: string; cluster: string }, authority: string) => {
      const r = await vm.exchange({ method: "GET", path: "/v1/models", authority }, { routes: () => ({ name: route.name, virtualHost: "vh", cluster: route.cluster }) });
      expect(r.status).toBe(200);
      return JSON.parse(r.body);
    };
    expect(await ask({ name: "chat-route", cluster: "c" }, "gw.local")).toEqual({ selected: "by-route", rule: 0 });
    expect(await ask({ name: "r", cluster: "c" }, "A.Tenant.Example:8443")).toEqual({ selected: "by-domain", rule: 1 });
    expect(await ask({ name: "r", cluster: "outbound|443||anthropic.dns" }, "gw.local")).toEqual({ selected: "by-service", rule: 2 });
    expect(await ask({ name: "r", cluster: "c" }, "gw.local")).toEqual({ selected: "global", rule: -1 });
    expect(vm.trapped).toBe(false);
  });
});
