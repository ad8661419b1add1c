// The plugin-config layer (assembly/common/config) through the kit-config
// fixture: typed reads name the field path and the reason, rules parse the
// Higress way, and an invalid configuration is refused with every problem
// logged at error level (in the host emulator, as Envoy would see it).
import { beforeAll, describe, expect, it } from "vitest";
import { Host, LogLevel } from "../../host/index.ts";
import { builtFixture } from "../../host/fixtures.ts";
import { loadKit, type Kit } from "../../host/kit.ts";

let WASM: string;
let kit: Kit;

beforeAll(async () => {
  WASM = await builtFixture("kit-config");
  kit = loadKit(WASM);
}, 120_000);

type Check = { ok: boolean; errors: string[]; global?: Record<string, unknown> | null; rules?: Record<string, unknown>[] };
const check = (config: unknown, parser: "r" | "i" = "r"): Check =>
  JSON.parse(kit.callText("config_check", parser + (typeof config === "string" ? config : JSON.stringify(config))));

const DEFAULTS = { name: "", mode: "block", ratio: 1, enabled: true, retries: 0, tags: [], limits: [], cluster: null, timeoutMs: 1000 };

describe("typed reads", () => {
  it("reads every kind of field", () => {
    const r = check({
      name: "main",
      mode: "log",
      ratio: 0.25,
      enabled: false,
      retries: 1e1,
      tags: ["a", "b"],
      limits: [{ window: "minute", tokens: 1000 }, { window: "day", tokens: 5.0 }],
      upstream: { cluster: "llm", timeout_ms: 2500 },
    });
    expect(r).toEqual({
      ok: true,
      errors: [],
      global: { name: "main", mode: "log", ratio: 0.25, enabled: false, retries: 10, tags: ["a", "b"], limits: [{ window: "minute", tokens: 1000 }, { window: "day", tokens: 5 }], cluster: "llm", timeoutMs: 2500 },
      rules: [],
    });
  });

  it("uses defaults for absent and null fields", () => {
    expect(check({ name: "n", mode: null, upstream: null }).global).toEqual({ ...DEFAULTS, name: "n" });
  });

  it("names the field path and the reason for every problem, in reading order", () => {
    const r = check({
      name: "",
      mode: "fast",
      ratio: 2,
      enabled: "yes",
      retries: 1.5,
      tags: ["a", 3, ""],
      limits: [{ window: "minute", tokens: 1 }, { window: "week", tokens: 0, burst: 1 }, "x"],
      upstream: { timeout_ms: 0 },
      typo: 1,
    });
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([
      "field `name`: must not be empty",
      'field `mode`: must be one of block, log (got "fast")',
      "field `ratio`: must be a number between 0 and 1 (got 2)",
      'field `enabled`: must be true or false (got "yes")',
      "field `retries`: must be an integer between 0 and 10 (got 1.5)",
      "field `tags[1]`: must be a string (got 3)",
      "field `tags[2]`: must not be empty",
      // objectArray reports elements that are not objects first, then the readers read theirs.
      'field `limits[2]`: must be an object (got "x")',
      'field `limits[1].window`: must be one of second, minute, hour, day (got "week")',
      "field `limits[1].tokens`: must be an integer between 1 and 1000000000000 (got 0)",
      "field `limits[1].burst`: unknown field",
      "field `upstream.cluster`: is required",
      "field `upstream.timeout_ms`: must be an integer between 1 and 60000 (got 0)",
      "field `typo`: unknown field",
    ]);
  });

  it("describes wrong types briefly", () => {
    expect(check({ name: ["x"] }).errors).toEqual(["field `name`: must be a string (got an array)"]);
    expect(check({ name: { a: 1 } }).errors).toEqual(["field `name`: must be a string (got an object)"]);
    expect(check({ name: "n", tags: "a" }).errors).toEqual(['field `tags`: must be an array of strings (got "a")']);
    expect(check({ name: "n", limits: {} }).errors).toEqual(["field `limits`: must be an array of objects (got an object)"]);
    expect(check({ name: "n", limits: [] }).errors).toEqual(["field `limits`: must have at least 1 item"]);
    expect(check({ name: "n", upstream: true }).errors).toEqual(["field `upstream`: must be an object (got true)"]);
    expect(check({ name: "n", retries: 99999999999999999999 }).errors).toEqual(["field `retries`: must be an integer between 0 and 10 (got 100000000000000000000)"]);
    expect(check({ name: "n", mode: "x".repeat(60) }).errors).toEqual([`field \`mode\`: must be one of block, log (got "${"x".repeat(40)}"...)`]);
    expect(check('{"name":"n","ratio":1e999}').errors).toEqual(["field `ratio`: must be a number between 0 and 1 (got 1e999)"]);
  });

  it("reads integers written with a fraction or exponent as JavaScript's Number does (2,000 random literals)", () => {
    // Literals of at most 15 significant digits, where Number() is exact enough to be the oracle.
    let seed = 20261206;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const digits = (n: number) => Array.from({ length: n }, () => String(rand(10))).join("");
    for (let k = 0; k < 2000; k++) {
      const whole = rand(4) === 0 ? "0" : String(1 + rand(9)) + digits(rand(6));
      const fraction = rand(2) ? "." + digits(1 + rand(15 - whole.length)) : "";
      const exponent = rand(2) ? ["e", "E"][rand(2)] + ["", "+", "-"][rand(3)] + String(rand(14)) : "";
      const literal = (rand(5) === 0 ? "-" : "") + whole + fraction + exponent;
      const n = Number(literal);
      const ok = Number.isInteger(n) && n >= 1 && n <= 1e12;
      const r = check(`{"name":"n","limits":[{"window":"minute","tokens":${literal}}]}`);
      expect({ literal, ok: r.ok }).toEqual({ literal, ok });
      if (ok) expect((r.global!.limits as { tokens: number }[])[0].tokens).toBe(n);
    }
  });

  it("refuses what is not a JSON object, and says why", () => {
    expect(check("[1]").errors).toEqual(["configuration: must be a JSON object (got an array)"]);
    expect(check('"x"').errors).toEqual(['configuration: must be a JSON object (got "x")']);
    expect(check('{"name":').errors).toEqual(["configuration: is not valid JSON (truncated at byte 8: input ends where a value should start)"]);
    expect(check('{"name":"a",}').errors).toEqual(["configuration: is not valid JSON (syntax at byte 12: expected a member name in double quotes, got '}')"]);
  });

  it("treats an empty configuration as {}", () => {
    expect(check("").errors).toEqual(["field `name`: is required"]);
    expect(check(" \n").errors).toEqual(["field `name`: is required"]);
  });
});

describe("rules", () => {
  it("parses each kind of match into its category, with Higress's precedence", () => {
    const r = check({
      name: "global",
      _rules_: [
        { _match_route_: ["r1", "r2"], name: "route" },
        { _match_route_: ["r3"], _match_service_: ["svc"], name: "route+service" },
        { _match_domain_: ["*.example.com", "WWW.*", "*", "api.example.org"], name: "domain" },
        { _match_service_: ["llm.ns.svc.cluster.local:443", "openai"], name: "service" },
        { _match_route_prefix_: ["ai-"], name: "prefix" },
        // Route wins over domain: the domain entry is ignored, as in Higress.
        { _match_route_: ["r9"], _match_domain_: ["x.com"], name: "route wins" },
      ],
    });
    expect(r.ok).toBe(true);
    expect(r.rules!.map((x) => [x.category, (x.config as { name: string }).name])).toEqual([
      ["route", "route"],
      ["route+service", "route+service"],
      ["domain", "domain"],
      ["service", "service"],
      ["route_prefix", "prefix"],
      ["route", "route wins"],
    ]);
    expect(r.rules![2].domains).toEqual(["suffix:.example.com", "prefix:www.", "suffix:", "exact:api.example.org"]);
  });

  it("gives a rule its own configuration: global fields are not inherited (Higress's default)", () => {
    const r = check({ name: "g", retries: 3, tags: ["t"], _rules_: [{ _match_route_: ["r"], name: "rule" }] });
    expect(r.global).toMatchObject({ name: "g", retries: 3, tags: ["t"] });
    expect(r.rules![0].config).toEqual({ ...DEFAULTS, name: "rule" });
  });

  it("lets a parser inherit global fields in rules (Higress's parseOverrideConfig)", () => {
    const r = check({ name: "g", retries: 3, tags: ["t"], _rules_: [{ _match_route_: ["r"], mode: "log" }] }, "i");
    expect(r.rules![0].config).toEqual({ ...DEFAULTS, name: "g", retries: 3, tags: ["t"], mode: "log" });
  });

  it("has no global configuration when the configuration is only _rules_", () => {
    const r = check({ _rules_: [{ _match_route_: ["r"], name: "rule" }] });
    expect(r).toMatchObject({ ok: true, global: null });
  });

  it("reports rule problems with their index", () => {
    const r = check({
      name: "g",
      _rules_: [
        { name: "no match keys" },
        { _match_route_: "r" },
        { _match_route_: [] },
        { _match_domain_: ["", 5] },
        7,
        { _match_route_: ["r"], limits: [{ window: "week", tokens: 5 }] },
      ],
    });
    expect(r.errors).toEqual([
      "field `_rules_[0]`: needs a non-empty _match_route_, _match_domain_, _match_service_ or _match_route_prefix_",
      'field `_rules_[1]._match_route_`: must be an array of strings (got "r")',
      "field `_rules_[2]`: needs a non-empty _match_route_, _match_domain_, _match_service_ or _match_route_prefix_",
      "field `_rules_[3]._match_domain_[0]`: must not be empty",
      "field `_rules_[3]._match_domain_[1]`: must be a string (got 5)",
      "field `_rules_[4]`: must be an object (got 7)",
      "field `_rules_[5].name`: is required",
      'field `_rules_[5].limits[0].window`: must be one of second, minute, hour, day (got "week")',
    ]);
  });

  it("refuses _rules_ that is not an array, and an empty one with nothing global", () => {
    expect(check({ name: "g", _rules_: {} }).errors).toEqual(["field `_rules_`: must be an array of rules (got an object)"]);
    expect(check({ _rules_: [] }).errors).toEqual(["field `_rules_`: must have at least one rule when there is no global configuration"]);
    expect(check({ name: "g", _rules_: [] })).toMatchObject({ ok: true, rules: [] });
  });

  it("still checks the global part when rules exist (Higress would drop it silently)", () => {
    expect(check({ mode: "x", _rules_: [{ _match_route_: ["r"], name: "n" }] }).errors).toEqual([
      "field `name`: is required",
      'field `mode`: must be one of block, log (got "x")',
    ]);
  });
});

describe("loadPluginConfig in a host", () => {
  const PLUGIN = { name: "kit-config", rootId: "kit-config", vmId: "kit-config" };

  it("refuses an invalid configuration, logging each problem at error level prefixed with the filter name", () => {
    const host = new Host();
    const vm = host.createVm(WASM, { ...PLUGIN, configuration: JSON.stringify({ name: 5, retries: -1 }) });
    expect(vm.start()).toBe(true);
    expect(vm.configure()).toBe(false);
    expect(vm.trapped).toBe(false);
    const errors = vm.logs.filter((l) => l.level === LogLevel.Error).map((l) => l.message);
    expect(errors).toEqual(["kit-config: field `name`: must be a string (got 5)", "kit-config: field `retries`: must be an integer between 0 and 10 (got -1)"]);
  });

  it("accepts a valid configuration and logs nothing at error level", () => {
    const host = new Host();
    const vm = host.startVm(WASM, { ...PLUGIN, configuration: JSON.stringify({ name: "ok" }) });
    expect(vm.logs.filter((l) => l.level >= LogLevel.Error)).toEqual([]);
  });

  it("loadPluginConfig logs through proxy_log in the kit too", () => {
    const before = kit.logs.length;
    expect(kit.callText("config_load", '{"name":"x","_rules_":[{}]}')).toBe("refused");
    expect(kit.logs.slice(before)).toEqual(["kit-config: field `_rules_[0]`: needs a non-empty _match_route_, _match_domain_, _match_service_ or _match_route_prefix_"]);
    expect(kit.callText("config_load", '{"name":"x"}')).toBe("ok");
  });
});
