// Shared by the semantic-router unit tests: a VM with a configuration, and
// requests in the three LLM API shapes through the emulator.
import { wasmPath } from "../../../scripts/lib/paths.ts";
import { build } from "../../../scripts/build.ts";
import type { ExchangeResult } from "../../host/exchange.ts";
import { Host } from "../../host/host.ts";
import type { ProxyVm } from "../../host/vm.ts";
import { GATEWAY_CONFIG } from "./fixtures.ts";

export const ROUTER_WASM = wasmPath("semantic-router");
/** The module with the static embedding table (`classifier: "embeddings"`). */
export const EMBED_WASM = wasmPath("semantic-router-embed");

export async function buildRouter(): Promise<void> {
  await build({ only: "semantic-router", quiet: true });
}

export function routerVm(config: unknown, host = new Host(), wasm = ROUTER_WASM): ProxyVm {
  const configuration = typeof config === "string" ? config : JSON.stringify(config);
  // Envoy: allow_on_headers_stop_iteration: true (the filter holds the headers while it reads the body).
  return host.startVm(wasm, { name: "semantic-router", rootId: "semantic-router", vmId: "semantic-router", configuration, allowOnHeadersStopIteration: true });
}

/** The demo-style table: x-semantic-route: alt -> llm-alt, else llm. */
export function headerRoutes(headers: { get(name: string): string | undefined }) {
  return headers.get("x-semantic-route") === "alt" ? { name: "llm_alt", cluster: "llm-alt" } : { name: "llm", cluster: "llm" };
}

export function chatBody(text: string, model = "auto", extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model, messages: [{ role: "user", content: text }], ...extra });
}

export function send(vm: ProxyVm, body: string | Uint8Array | (string | Uint8Array)[], path = "/v1/chat/completions", headers: [string, string][] = []): Promise<ExchangeResult> {
  return vm.exchange(
    { method: "POST", path, headers: [["host", "gw"], ["content-type", "application/json"], ...headers], body },
    { routes: headerRoutes },
  );
}

export function chat(vm: ProxyVm, text: string, model = "auto"): Promise<ExchangeResult> {
  return send(vm, chatBody(text, model));
}

export function responseHeader(res: ExchangeResult, name: string): string | undefined {
  const v = res.headers.filter(([k]) => k === name).map(([, x]) => x);
  return v.length ? v.join(", ") : undefined;
}

/** The model the upstream got, or undefined. */
export function upstreamModel(res: ExchangeResult): string | undefined {
  if (!res.upstream) return undefined;
  return JSON.parse(res.upstream.bodyText).model;
}

/** Two topic routes of the gateway configuration; every model is routed, the default route has its own header. */
export const FINANCE_COOKING = {
  ...GATEWAY_CONFIG,
  model_policy: "always",
  default: { name: "base", model: "demo-base", header: "base" },
  routes: GATEWAY_CONFIG.routes.slice(0, 2),
};

/** The decision line the filter wrote as filter state wasm.semantic_router. */
export function decisionState(res: ExchangeResult): string | undefined {
  const v = res.filterState.get("wasm.semantic_router");
  return v === undefined ? undefined : Buffer.from(v).toString();
}
