// The Higress and Istio WasmPlugin manifests under envoy/: shape against the
// CRDs' documented fields, image references, per-route and per-domain rules,
// and one filter order everywhere (manifests, chain recipe, spec.yaml).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { ENVOY_DIR, ROOT } from "../../../scripts/lib/paths.ts";
import { repositoryFor } from "../../../scripts/oci/images.ts";
import { checkWasmPlugin, effectivePluginConfig, PHASES } from "../../e2e/distribution/crd-shapes.ts";

const ORDER = ["mcp-auth", "content-audit", "semantic-router", "token-ratelimit"];
const PHASE_RANK: Record<string, number> = { AUTHN: 0, AUTHZ: 1, STATS: 2, UNSPECIFIED_PHASE: 3 };
const version = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version as string;

interface Manifest {
  file: string;
  doc: any;
}

function manifests(kind: "higress" | "istio"): Manifest[] {
  const dir = join(ENVOY_DIR, kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => {
      const docs = parseAllDocuments(readFileSync(join(dir, f), "utf8"));
      expect(docs, `${kind}/${f} holds one document`).toHaveLength(1);
      expect(docs[0].errors, `${kind}/${f} is valid YAML`).toEqual([]);
      return { file: `${kind}/${f}`, doc: docs[0].toJS() };
    });
}

function chainOrder(list: Manifest[]): string[] {
  return [...list]
    .sort((a, b) => PHASE_RANK[a.doc.spec.phase ?? "UNSPECIFIED_PHASE"] - PHASE_RANK[b.doc.spec.phase ?? "UNSPECIFIED_PHASE"] || (b.doc.spec.priority ?? 0) - (a.doc.spec.priority ?? 0))
    .map((m) => m.doc.metadata.name);
}

describe.each(["higress", "istio"] as const)("%s WasmPlugin manifests", (kind) => {
  const list = manifests(kind);

  it("one per filter", () => {
    expect(list.map((m) => m.doc.metadata.name).sort()).toEqual([...ORDER].sort());
  });

  it.each(list.map((m) => [m.file, m] as const))("%s has the CRD's shape", (_, m) => {
    expect(checkWasmPlugin(m.doc)).toEqual([]);
  });

  it.each(list.map((m) => [m.file, m] as const))("%s names its file, a filter and the image `npm run publish` pushes", (_, m) => {
    const name = m.doc.metadata.name;
    expect(basename(m.file, ".yaml")).toBe(name);
    expect(existsSync(join(ROOT, "assembly", name, "index.ts"))).toBe(true);
    const url = new URL(m.doc.spec.url.replace(/^oci:\/\//, "https://"));
    const [repo, tag] = url.pathname.slice(1).split(":");
    expect(m.doc.spec.url.startsWith("oci://")).toBe(true);
    expect(tag).toBe(version);
    const namespace = repo.slice(0, repo.lastIndexOf("/"));
    expect(repo).toBe(repositoryFor(namespace, name, kind === "higress" ? "higress" : "wasm"));
  });

  it("phase and priority put the filters in the chain order", () => {
    expect(chainOrder(list)).toEqual(ORDER);
  });

  it.each(list.map((m) => [m.file, m] as const))("%s agrees with the filter's spec.yaml when there is one", (_, m) => {
    const spec = join(ROOT, "assembly", m.doc.metadata.name, "spec.yaml");
    if (!existsSync(spec)) return;
    const declared = parse(readFileSync(spec, "utf8"))?.spec ?? {};
    if (PHASES.includes(declared.phase)) expect(m.doc.spec.phase).toBe(declared.phase);
    if (declared.priority !== undefined) expect(m.doc.spec.priority).toBe(declared.priority);
  });
});

describe("each filter's spec.yaml (packaged into the Higress image)", () => {
  const specs = ORDER.map((f) => join("assembly", f, "spec.yaml")).filter((p) => existsSync(join(ROOT, p)));
  it.each(specs)("%s declares a Higress plugin phase", (path) => {
    const phase = parse(readFileSync(join(ROOT, path), "utf8"))?.spec?.phase;
    if (phase !== undefined) expect(PHASES, `${path}: spec.phase ${JSON.stringify(phase)}`).toContain(phase);
  });
});

describe("Higress manifests carry per-route and per-domain rules", () => {
  it.each(manifests("higress").map((m) => [m.file, m] as const))("%s", (_, m) => {
    const rules: any[] = m.doc.spec.matchRules ?? [];
    expect(rules.some((r) => r.ingress?.length)).toBe(true);
    expect(rules.some((r) => r.domain?.length)).toBe(true);
    for (const r of rules) {
      expect(Boolean(r.ingress?.length || r.domain?.length || r.service?.length), "a rule matches something").toBe(true);
      expect(r.config !== undefined || r.configDisable === true, "a rule has a config or disables the plugin").toBe(true);
    }
  });

  it("matchRules become the filter's _rules_", () => {
    const config = effectivePluginConfig({
      apiVersion: "extensions.higress.io/v1alpha1",
      spec: { defaultConfig: { a: 1 }, matchRules: [{ ingress: ["default/x"], config: { a: 2 } }, { domain: ["*.y.com"], config: { a: 3 } }, { service: ["s"], configDisable: true }] },
    });
    expect(config).toEqual({ a: 1, _rules_: [{ _match_route_: ["default/x"], a: 2 }, { _match_domain_: ["*.y.com"], a: 3 }] });
  });
});

describe("the chain recipe uses the same order", () => {
  it("envoy/recipes/chain.yaml lists the four filters in that order", () => {
    const chain = parse(readFileSync(join(ENVOY_DIR, "recipes", "chain.yaml"), "utf8").replace(/\$\{[A-Z_]+\}/g, "0"));
    const hcm = chain.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
    const names = hcm.http_filters.map((f: { name: string }) => f.name).filter((n: string) => ORDER.includes(n));
    expect(names).toEqual(ORDER);
  });
});

describe("the shape checker", () => {
  const good = manifests("higress")[0].doc;
  const variant = (change: (d: any) => void) => {
    const d = structuredClone(good);
    change(d);
    return checkWasmPlugin(d);
  };

  it("names an unknown field with its path", () => {
    expect(variant((d) => (d.spec.matchRules[0].routes = ["x"]))).toEqual([
      "spec.matchRules[0].routes: unknown field (known: ingress, domain, service, config, configDisable)",
    ]);
  });

  it("names a wrong enum value, a wrong type and a missing url", () => {
    expect(variant((d) => (d.spec.phase = "AUTH"))).toEqual(['spec.phase: "AUTH" is not one of UNSPECIFIED_PHASE, AUTHN, AUTHZ, STATS']);
    expect(variant((d) => (d.spec.priority = "400"))).toEqual(['spec.priority: expected an integer, got "400"']);
    expect(variant((d) => delete d.spec.url)).toEqual(["spec.url: required"]);
  });

  it("rejects Istio-only fields in a Higress manifest and the reverse", () => {
    expect(variant((d) => (d.spec.targetRefs = []))[0]).toMatch(/^spec\.targetRefs: unknown field/);
    expect(variant((d) => (d.spec.failStrategy = "FAIL_RELOAD"))).toEqual(['spec.failStrategy: "FAIL_RELOAD" is not one of FAIL_CLOSE, FAIL_OPEN']);
    const istio = structuredClone(manifests("istio")[0].doc);
    istio.spec.matchRules = [];
    expect(checkWasmPlugin(istio)[0]).toMatch(/^spec\.matchRules: unknown field/);
  });

  it("rejects an unknown apiVersion", () => {
    expect(variant((d) => (d.apiVersion = "extensions.higress.io/v1"))[0]).toMatch(/^apiVersion: "extensions.higress.io\/v1" is not one of/);
  });
});

describe("the CI example (docs/examples/publish.yml)", () => {
  it("runs on version tags and calls npm scripts that exist, package before publish", () => {
    const workflow = parse(readFileSync(join(ROOT, "docs", "examples", "publish.yml"), "utf8"));
    const scripts = Object.keys(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts);
    expect(workflow.on.push.tags).toEqual(["v*"]);
    const runs: string[] = workflow.jobs.publish.steps.map((s: { run?: string }) => s.run ?? "");
    const used = runs.flatMap((r) => [...r.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]));
    expect(used.filter((u) => !scripts.includes(u))).toEqual([]);
    const at = (needle: string) => runs.findIndex((r) => r.includes(needle));
    expect(at("npm run package -- --require-all")).toBeGreaterThan(-1);
    expect(at("npm run package")).toBeLessThan(at("npm run publish -- --dry-run"));
    expect(at("npm run publish -- --dry-run")).toBeLessThan(runs.lastIndexOf("npm run publish"));
  });
});
