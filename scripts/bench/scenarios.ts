// Filter chains the bench can compare with bare Envoy. Each filter issue adds
// its scenario here: a name, an Envoy config template (envoy/bench-*.yaml),
// the variables that template needs, the modules to build first, and a
// response check proving the chain really ran before anything is measured.
import type { Vars, WasmForm } from "../../test/harness/template.ts";
import { clincConfig, loadClinc } from "../../test/unit/semantic-router/clinc-config.ts";
import { mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { BUILD, TMP, wasmPath } from "../lib/paths.ts";
import { benchAuditConfig } from "../../test/e2e/content-audit/keywords.ts";
import { benchAuthorization, benchJwks, BENCH_AUDIENCE, BENCH_ISSUER } from "./jwt.ts";

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
  /**
   * Request headers the scenario needs on every request (e.g. a bearer
   * token). The bench sends the union of the selected scenarios' headers to
   * every chain, bare included, so all do the same I/O.
   */
  requestHeaders?: () => Record<string, string>;
  /**
   * The filter's own per-request timing histogram (a proxy-wasm metric in
   * µs, as Envoy names it); the bench reports its median per run.
   */
  filterHistogram?: string;
  /** Load the filters' own modules (default) or the one-VM bundle (test/harness/template.ts asBundle). */
  wasmForm?: WasmForm;
}

// The host calls each filter makes on a bench request (test/fixtures/host-floor/steps.ts).
const FLOOR_TOKEN_RATELIMIT = {
  steps: ["hold_request_headers", "request_path", "request_body", "reserve", "response_status", "response_content_type", "response_body", "settle"],
  response_headers: 3,
  filter_state_bytes: 64,
};

const FLOOR_CONTENT_AUDIT = {
  steps: ["hold_request_headers", "request_header_block", "request_path", "route_property", "request_body", "response_content_type", "hold_response_headers", "response_body"],
  request_headers: ["x-mse-consumer", "x-request-id", "content-type"],
  response_headers: 1,
  filter_state_bytes: 200,
};

/** mcp-auth checking a bearer token (authenticate only: the body passes unread). */
const FLOOR_MCP_AUTH = {
  steps: ["request_header_block", "request_path"],
  request_headers: [":authority", ":method", "origin", "mcp-session-id", "authorization"],
  set_request_headers: ["x-mcp-subject"],
  remove_request_headers: ["authorization"],
  filter_state_bytes: 120,
  filter_state_name: "mcp_auth",
};

/** semantic-router deciding and rewriting the model. */
const FLOOR_SEMANTIC_ROUTER = {
  steps: ["hold_request_headers", "request_path", "request_body", "drop_content_length", "replace_request_body", "clear_route_cache"],
  remove_request_headers: ["x-semantic-route", "x-semantic-score", "x-semantic-complexity"],
  body_headers: ["x-semantic-route", "x-semantic-score"],
  response_headers: 2,
  filter_state_bytes: 80,
  filter_state_name: "semantic_router",
};

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
    name: "mcp-auth-jwt",
    description:
      "mcp-auth checking an RS256 bearer token (2048-bit key, static JWKS: signature, exp, iss, aud), " +
      "forwarding the subject and dropping the token; authentication only (the bench body is not JSON-RPC); " +
      "default verified-token cache, so the signature is checked once per worker",
    config: "envoy/bench-wasm.yaml",
    get vars() {
      return { WASM_FILE: wasmPath("mcp-auth"), PLUGIN_NAME: "mcp-auth", PLUGIN_CONFIG: mcpAuthBenchConfig() };
    },
    build: ["mcp-auth"],
    requestHeaders: benchAuthorization,
    // A bad token must get mcp-auth's challenge.
    check: {
      requestHeaders: { authorization: "Bearer x" },
      header: "www-authenticate",
      value: `Bearer resource_metadata="${BENCH_AUDIENCE.replace(/\/v1$/, "")}/.well-known/oauth-protected-resource/v1", error="invalid_token", error_description="not a JWS compact token"`,
    },
  },
  {
    name: "mcp-auth-jwt-nocache",
    description: "mcp-auth-jwt with its verified-token cache off: the RS256 signature is checked on every request",
    config: "envoy/bench-wasm.yaml",
    get vars() {
      return { WASM_FILE: wasmPath("mcp-auth"), PLUGIN_NAME: "mcp-auth", PLUGIN_CONFIG: mcpAuthBenchConfig(0) };
    },
    build: ["mcp-auth"],
    requestHeaders: benchAuthorization,
  },
  {
    name: "jwt-authn",
    description: "Envoy's native jwt_authn filter doing the same check as mcp-auth-jwt (its defaults: no JWT cache, so every request is verified)",
    config: "envoy/bench-jwt-authn.yaml",
    get vars() {
      return { JWKS: benchJwks(), ISSUER: BENCH_ISSUER, AUDIENCE: BENCH_AUDIENCE };
    },
    build: [],
    requestHeaders: benchAuthorization,
  },
  {
    name: "token-ratelimit",
    description:
      "token-ratelimit in local mode, hold_request_headers: body parsed and prompt estimated, tokens reserved in shared data (CAS), " +
      "the response followed to its usage (JSON body, SSE events; the bench's streams ask for usage themselves) and settled; budget never reached",
    config: "envoy/bench-wasm-hold.yaml",
    vars: {
      WASM_FILE: wasmPath("token-ratelimit"),
      PLUGIN_NAME: "token-ratelimit",
      PLUGIN_CONFIG: tokenLimitBenchConfig(),
    },
    build: ["token-ratelimit"],
    check: { requestHeaders: {}, header: "x-ratelimit-limit-tokens", value: "1000000000000000" },
  },
  {
    name: "semantic-router",
    description:
      "semantic-router with 1,500 route examples (CLINC150, 10 domain routes), classifying the last user message " +
      "cut to 2 KB (max_scan_bytes 2048; the 1K payload's is shorter), rewriting model to the default route's, " +
      "setting x-semantic-route and clearing the route cache",
    config: "envoy/bench-wasm-hold.yaml",
    vars: {
      WASM_FILE: wasmPath("semantic-router"),
      PLUGIN_NAME: "semantic-router",
      get PLUGIN_CONFIG() {
        return routerBenchConfig();
      },
    },
    build: ["semantic-router"],
    filterHistogram: "wasmcustom.semantic_router_decision_us",
    // The bench's SRE conversation matches no CLINC domain: the default route, decided by the classifier.
    check: { requestHeaders: {}, header: "x-semantic-route", value: "default" },
  },
  {
    name: "content-audit",
    description:
      "content-audit with 10k keywords (block) and every PII detector (secrets block, the others mask), headers held both ways, " +
      "inspecting the whole prompt and the completion (JSON, or each streamed delta)",
    config: "envoy/bench-wasm-hold.yaml",
    vars: {
      WASM_FILE: wasmPath("content-audit"),
      PLUGIN_NAME: "content-audit",
      PLUGIN_CONFIG: auditBenchConfig(),
    },
    build: ["content-audit"],
    // The filter reports its request verdict on every inspected response.
    check: { requestHeaders: {}, header: "x-content-audit", value: "pass" },
  },
  floorScenario(
    "floor-token-ratelimit",
    "the host calls token-ratelimit makes on a bench request, nothing computed (test/fixtures/host-floor): " +
      "headers held, :path, body read, shared data get + CAS set twice, :status and content-type, three response headers, 64 bytes of filter state",
    FLOOR_TOKEN_RATELIMIT,
  ),
  floorScenario(
    "floor-token-ratelimit-required",
    "the host calls no token-ratelimit can do without, nothing computed: the prompt read, a reservation (shared data get + CAS set), " +
      "the status, the response body read for its usage, the settlement (get + CAS set)",
    { steps: ["request_body", "reserve", "response_status", "response_body", "settle"] },
  ),
  floorScenario(
    "floor-content-audit",
    "the host calls content-audit makes on a bench request, nothing computed: both directions held and read whole, the request headers " +
      "read whole (:path, consumer, x-request-id, content-type), route name read, the verdict header added, content-type read, 200 bytes " +
      "of filter state (the audit event)",
    FLOOR_CONTENT_AUDIT,
  ),
  floorChainScenario(),
  chainScenario("chain", "modules"),
  chainScenario("chain-bundle", "bundle"),
];

/**
 * The four filters in the demo gateway's order with their bench
 * configurations (the same as their own scenarios): mcp-auth checking the
 * bearer token, content-audit, semantic-router, token-ratelimit.
 */
function chainScenario(name: string, wasmForm: WasmForm): Scenario {
  return {
    name,
    description:
      (wasmForm === "bundle"
        ? "the chain scenario from the bundle module (build/ai-gateway.wasm): one vm_id, so one VM per worker runs all four filters"
        : "mcp-auth (JWT), content-audit, semantic-router and token-ratelimit in one chain, each from its own module with its own vm_id (four VMs per worker)") +
      ", each with its own scenario's configuration",
    config: "envoy/bench-chain.yaml",
    get vars() {
      const c = chainBenchConfigs();
      return {
        WASM_DIR: BUILD,
        MCP_AUTH_CONFIG: c["mcp-auth"],
        CONTENT_AUDIT_CONFIG: c["content-audit"],
        SEMANTIC_ROUTER_CONFIG: c["semantic-router"],
        TOKEN_RATELIMIT_CONFIG: c["token-ratelimit"],
      };
    },
    build: wasmForm === "bundle" ? ["ai-gateway"] : ["mcp-auth", "content-audit", "semantic-router", "token-ratelimit"],
    wasmForm,
    requestHeaders: benchAuthorization,
    // token-ratelimit, last in the chain, answers with its limit.
    check: { requestHeaders: {}, header: "x-ratelimit-limit-tokens", value: "1000000000000000" },
  };
}

/**
 * The chain's host calls and nothing else: four host-floor plugins in one VM
 * (the bundle form of envoy/bench-chain.yaml, with the host-floor module in
 * place of ai-gateway.wasm), each making the calls its filter makes on a
 * bench request. What the chain-bundle adds over it is the filters' own work.
 */
function floorChainScenario(): Scenario {
  const floors: Record<ChainRoot, Record<string, unknown>> = {
    "mcp-auth": FLOOR_MCP_AUTH,
    "content-audit": { ...FLOOR_CONTENT_AUDIT, filter_state_name: "content_audit" },
    "semantic-router": FLOOR_SEMANTIC_ROUTER,
    "token-ratelimit": { ...FLOOR_TOKEN_RATELIMIT, filter_state_name: "token_ratelimit" },
  };
  return {
    name: "floor-chain",
    description:
      "the host calls the chain-bundle's four filters make on a bench request, nothing computed: test/fixtures/host-floor as four plugins " +
      "of one VM (the bundle form of the chain), configured as floor-token-ratelimit, floor-content-audit, and the calls mcp-auth " +
      "(headers read whole, subject header set, authorization removed, audit filter state) and semantic-router make (headers held, " +
      "three headers removed, :path, content-length dropped and set, body read and replaced, two headers set, route cache cleared, two " +
      "response headers, filter state)",
    config: "envoy/bench-chain.yaml",
    get vars() {
      return {
        WASM_DIR: floorBundleDir(),
        MCP_AUTH_CONFIG: JSON.stringify(floors["mcp-auth"]),
        CONTENT_AUDIT_CONFIG: JSON.stringify(floors["content-audit"]),
        SEMANTIC_ROUTER_CONFIG: JSON.stringify(floors["semantic-router"]),
        TOKEN_RATELIMIT_CONFIG: JSON.stringify(floors["token-ratelimit"]),
      };
    },
    build: ["host-floor"],
    wasmForm: "bundle",
    requestHeaders: benchAuthorization,
    check: { requestHeaders: {}, header: "x-floor-2", value: "1000000000" },
  };
}

/** A directory whose ai-gateway.wasm is the host-floor module, for the chain's bundle form. */
function floorBundleDir(): string {
  const dir = join(TMP, "floor-chain");
  mkdirSync(dir, { recursive: true });
  const link = join(dir, "ai-gateway.wasm");
  rmSync(link, { force: true });
  symlinkSync(wasmPath("host-floor", { fixture: true }), link);
  return dir;
}

/** The chain's plugin configurations (JSON text) by root_id, in gateway order. */
export function chainBenchConfigs(): Record<"mcp-auth" | "content-audit" | "semantic-router" | "token-ratelimit", string> {
  return {
    "mcp-auth": mcpAuthBenchConfig(),
    "content-audit": auditBenchConfig(),
    "semantic-router": routerBenchConfig(),
    "token-ratelimit": tokenLimitBenchConfig(),
  };
}

type ChainRoot = keyof ReturnType<typeof chainBenchConfigs>;

function tokenLimitBenchConfig(): string {
  return JSON.stringify({ limits: [{ name: "bench", by: "all", windows: { minute: 1_000_000_000_000_000 } }], hold_request_headers: true });
}

let routerConfig: string | undefined;
function routerBenchConfig(): string {
  routerConfig ??= JSON.stringify(clincConfig(loadClinc(), "domains", { threshold: 0.2, input: { max_scan_bytes: 2048 } }));
  return routerConfig;
}

function auditBenchConfig(): string {
  return JSON.stringify({ ...benchAuditConfig(), hold_request_headers: true, hold_response_headers: true });
}

/**
 * A host-floor scenario: the module makes the host calls `config` lists and
 * computes nothing, so the gap between a filter and its floor is the
 * filter's own work (see test/fixtures/host-floor).
 */
function floorScenario(name: string, description: string, config: Record<string, unknown>): Scenario {
  return {
    name,
    description,
    config: "envoy/bench-wasm-hold.yaml",
    vars: { WASM_FILE: wasmPath("host-floor", { fixture: true }), PLUGIN_NAME: "host-floor", PLUGIN_CONFIG: JSON.stringify(config) },
    build: ["host-floor"],
    // Its first added response header proves it is in the chain.
    check: config.response_headers ? { requestHeaders: {}, header: "x-floor-0", value: "1000000000" } : undefined,
  };
}

function mcpAuthBenchConfig(cacheSize = 256): string {
  return JSON.stringify({
    resource: BENCH_AUDIENCE,
    publicBaseUrl: BENCH_AUDIENCE.replace(/\/v1$/, ""),
    authenticateOnly: true,
    jwt: { issuer: BENCH_ISSUER, algorithms: ["RS256"], cacheSize, jwks: JSON.parse(benchJwks()) },
  });
}

export function benchHeaders(scenarios: readonly Scenario[]): Record<string, string> {
  return Object.assign({}, ...scenarios.map((s) => s.requestHeaders?.() ?? {}));
}

/** The scenarios to run: all by default, else the named ones (bare is always added as baseline). */
export function selectScenarios(names: readonly string[]): Scenario[] {
  if (!names.length) return SCENARIOS;
  const unknown = names.filter((n) => n !== "bare" && !SCENARIOS.some((s) => s.name === n));
  if (unknown.length) {
    throw new Error(`unknown scenario ${unknown.join(", ")} (known: ${SCENARIOS.map((s) => s.name).join(", ")})`);
  }
  return SCENARIOS.filter((s) => names.includes(s.name));
}
