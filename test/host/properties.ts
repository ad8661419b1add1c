// proxy_get_property / proxy_set_property. Paths are segments joined with
// NUL. Envoy answers from the stream (CEL attributes: request.*, response.*,
// source.*, destination.*, xds.*), the plugin (plugin_name, plugin_root_id,
// plugin_vm_id), then filter state written by set_property (`wasm.<name>`).
// Strings come back as bytes, integers as 8-byte little endian. Request
// attributes read the request headers, which Envoy no longer exposes once
// they went on (checked by the probe suite); root contexts have no stream.
import { WasmResult } from "./abi.ts";
import type { ContextState, StreamContextState } from "./context.ts";
import type { HeaderMap } from "./headers.ts";
import { utf8 } from "./memory.ts";
import type { ProxyVm } from "./vm.ts";

export type PropertyValue = string | Uint8Array | number | bigint | boolean;

export function propertyKey(path: string | readonly string[]): string {
  if (typeof path !== "string") return path.join("\0");
  return path.includes("\0") ? path : path.split(".").join("\0");
}

export function encodeProperty(value: PropertyValue): Uint8Array {
  if (typeof value === "string") return utf8(value);
  if (value instanceof Uint8Array) return value.slice();
  if (typeof value === "boolean") return new Uint8Array([value ? 1 : 0]);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, BigInt(value)), true);
  return out;
}

/** Top-level names Envoy resolves itself; anything else is looked up in filter state. */
const KNOWN_ROOTS = new Set([
  "request", "response", "connection", "upstream", "source", "destination", "metadata",
  "filter_state", "upstream_filter_state", "xds", "plugin_name", "plugin_root_id", "plugin_vm_id", "connection_id",
]);

type Found = { status: WasmResult; value?: Uint8Array };
const NOT_FOUND: Found = { status: WasmResult.NotFound };
const ok = (v: PropertyValue | undefined): Found => (v === undefined ? NOT_FOUND : { status: WasmResult.Ok, value: encodeProperty(v) });

function portOf(address: string): number | undefined {
  const m = /:(\d+)$/.exec(address);
  return m ? Number(m[1]) : undefined;
}

function requestAttribute(headers: HeaderMap | null, stream: StreamContextState, name: string, rest: string[]): Found {
  if (name === "protocol") return ok(stream.info.protocol);
  if (!headers) return NOT_FOUND;
  const path = headers.get(":path");
  switch (name) {
    case "path": return ok(path);
    case "url_path": return ok(path?.split("?")[0]);
    case "query": return ok(path?.includes("?") ? path.slice(path.indexOf("?") + 1) : "");
    case "host": return ok(headers.get(":authority"));
    case "method": return ok(headers.get(":method"));
    case "scheme": return ok(headers.get(":scheme"));
    case "id": return ok(headers.get("x-request-id"));
    case "useragent": return ok(headers.get("user-agent"));
    case "referer": return ok(headers.get("referer"));
    case "headers": return rest.length === 1 ? ok(headers.get(rest[0])) : NOT_FOUND;
    default: return NOT_FOUND;
  }
}

function streamAttribute(stream: StreamContextState, segments: string[]): Found {
  const [top, name, ...rest] = segments;
  const info = stream.info;
  const single = rest.length === 0;
  switch (top) {
    case "xds": {
      const route = info.route;
      if (!route || !single) return NOT_FOUND;
      if (name === "route_name") return ok(route.name);
      if (name === "cluster_name") return ok(route.cluster);
      if (name === "virtual_host_name") return ok(route.virtualHost);
      return NOT_FOUND;
    }
    case "request":
      return requestAttribute(stream.accessLogPhase ? stream.accessLogRequestHeaders : stream.requestHeaders, stream, name, rest);
    case "response": {
      if (name === "code" && single) return ok(info.responseCode === undefined ? undefined : BigInt(info.responseCode));
      if (name === "code_details" && single) return ok(info.responseCodeDetails);
      const headers = stream.accessLogPhase ? stream.accessLogResponseHeaders : stream.responseHeaders;
      if (name === "headers" && rest.length === 1 && headers) return ok(headers.get(rest[0]));
      return NOT_FOUND;
    }
    case "source":
    case "destination": {
      const address = top === "source" ? info.sourceAddress : info.destinationAddress;
      if (name === "address" && single) return ok(address);
      if (name === "port" && single) {
        const port = portOf(address);
        return ok(port === undefined ? undefined : BigInt(port));
      }
      return NOT_FOUND;
    }
    default:
      return NOT_FOUND;
  }
}

export function getProperty(vm: ProxyVm, ctx: ContextState | undefined, path: string): Found {
  const stream = ctx?.kind === "stream" ? ctx : undefined;
  const set = stream?.info.properties.get(path) ?? vm.properties.get(path);
  if (set) return { status: WasmResult.Ok, value: set.slice() };
  const segments = path.split("\0");
  const top = segments[0];
  if (segments.length === 1) {
    if (top === "plugin_name") return ok(vm.plugin.name);
    if (top === "plugin_root_id") return ok(vm.plugin.rootId);
    if (top === "plugin_vm_id") return ok(vm.plugin.vmId);
  }
  if (!stream) return NOT_FOUND;
  if (KNOWN_ROOTS.has(top)) return streamAttribute(stream, segments);
  const state = stream.info.filterState.get(`wasm.${top}`);
  return state && segments.length === 1 ? { status: WasmResult.Ok, value: state.slice() } : NOT_FOUND;
}

export function setProperty(ctx: ContextState | undefined, path: string, value: Uint8Array): WasmResult {
  if (ctx?.kind !== "stream") return WasmResult.NotFound;
  ctx.info.filterState.set(`wasm.${path}`, value.slice());
  return WasmResult.Ok;
}
