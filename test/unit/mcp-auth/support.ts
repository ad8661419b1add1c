// Shared setup of the mcp-auth unit suites: the built module, a VM with a
// configuration, and MCP-shaped requests through the host emulator.
import { build } from "../../../scripts/build.ts";
import { wasmPath } from "../../../scripts/lib/paths.ts";
import { Host, type ExchangeOptions, type ExchangeResult, type ProxyVm } from "../../host/index.ts";

export const ISSUER = "https://idp.test";
export const RESOURCE = "https://mcp.test/mcp";

export async function buildMcpAuth(): Promise<string> {
  await build({ only: "mcp-auth", quiet: true });
  return wasmPath("mcp-auth");
}

export function startVm(wasm: string, config: unknown, host = new Host()): ProxyVm {
  return host.startVm(wasm, { name: "mcp-auth", rootId: "mcp-auth", vmId: "mcp-auth", configuration: JSON.stringify(config) });
}

export function header(res: { headers: [string, string][] }, name: string): string | undefined {
  const v = res.headers.filter(([k]) => k === name).map(([, x]) => x);
  return v.length ? v.join(", ") : undefined;
}

export interface RpcOptions {
  token?: string;
  headers?: Record<string, string>;
  path?: string;
  options?: ExchangeOptions;
}

/** POSTs a JSON-RPC body (object, array or raw string) to /mcp. */
export function rpc(vm: ProxyVm, body: unknown, o: RpcOptions = {}): Promise<ExchangeResult> {
  const headers: Record<string, string> = { host: "mcp.test", "content-type": "application/json", accept: "application/json, text/event-stream", ...(o.headers ?? {}) };
  if (o.token !== undefined) headers.authorization = "Bearer " + o.token;
  return vm.exchange({ method: "POST", path: o.path ?? "/mcp", headers, body: typeof body === "string" ? body : JSON.stringify(body) }, o.options ?? {});
}

export const call = (id: number, name: string, args: Record<string, unknown> = {}) => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });

export function upstreamHeader(res: ExchangeResult, name: string): string | undefined {
  return res.upstream?.headers.get(name);
}
