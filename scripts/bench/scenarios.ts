// Filter chains the bench can compare with bare Envoy. Each filter issue adds
// its scenario here: a name, an Envoy config template (envoy/bench-*.yaml),
// the variables that template needs, the modules to build first, and a
// response check proving the chain really ran before anything is measured.
import type { Vars } from "../../test/harness/template.ts";
import { wasmPath } from "../lib/paths.ts";

/**
 * One extra request, before warm-up, that proves the filter is really in the
 * chain: sent with `requestHeaders` (never sent during measurement), its
 * response must carry `header: value`.
 */
export interface ChainCheck {
  requestHeaders: Record<string, string>;
  header: string;
  value: string;
}

export interface Scenario {
  name: string;
  description: string;
  /** Template path relative to the repository root. */
  config: string;
  /** Template variables; ADMIN_PORT, LISTENER_PORT and UPSTREAM_PORT are filled by the bench. */
  vars: Vars;
  /** Build targets (filter or fixture names) whose .wasm must be fresh before the run. */
  build: string[];
  /** Bare has none. */
  check?: ChainCheck;
}

export const BARE: Scenario = {
  name: "bare",
  description: "Envoy with the router only: the baseline every ratio divides by",
  config: "envoy/bench-bare.yaml",
  vars: {},
  build: [],
};

export const SCENARIOS: Scenario[] = [
  {
    name: "wasm-passthrough",
    description:
      "the probe test module (build/test/probe.wasm) with no x-probe-op: a VM call per HTTP callback and its " +
      "x-probe-* request-header lookups, no body access: the cost of the Wasm runtime layer",
    config: "envoy/bench-wasm.yaml",
    vars: { WASM_FILE: wasmPath("probe", { fixture: true }), PLUGIN_NAME: "probe", PLUGIN_CONFIG: '{"bench":true}' },
    build: ["probe"],
    // The probe's "config" operation echoes its plugin configuration.
    check: { requestHeaders: { "x-probe-op": "config" }, header: "x-probe-config", value: '{"bench":true}' },
  },
  {
    name: "token-ratelimit",
    description:
      "token-ratelimit in local mode: body parsed and prompt estimated, tokens reserved in shared data (CAS), " +
      "the response followed to its usage (stream_options.include_usage added to streams, the usage chunk cut) and settled; budget never reached",
    config: "envoy/bench-wasm.yaml",
    vars: {
      WASM_FILE: wasmPath("token-ratelimit"),
      PLUGIN_NAME: "token-ratelimit",
      PLUGIN_CONFIG: JSON.stringify({ limits: [{ name: "bench", by: "all", windows: { minute: 1_000_000_000_000_000 } }] }),
    },
    build: ["token-ratelimit"],
    check: { requestHeaders: {}, header: "x-ratelimit-limit-tokens", value: "1000000000000000" },
  },
];

/** The scenarios to run: all by default, else the named ones (bare is always added as baseline). */
export function selectScenarios(names: readonly string[]): Scenario[] {
  if (!names.length) return SCENARIOS;
  const unknown = names.filter((n) => n !== "bare" && !SCENARIOS.some((s) => s.name === n));
  if (unknown.length) {
    throw new Error(`unknown scenario ${unknown.join(", ")} (known: ${SCENARIOS.map((s) => s.name).join(", ")})`);
  }
  return SCENARIOS.filter((s) => names.includes(s.name));
}
