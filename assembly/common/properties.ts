// Envoy properties (attributes) and filter state.
//
// Paths are segment arrays; the host wrapper joins them with NUL as the ABI
// wants (["xds", "route_name"] -> "xds\0route_name"). Strings come back as
// their bytes, integers as 8-byte little endian.
//
// Filter state: Envoy stores set_property(name, value) under the filter state
// key "wasm.<name>" (CelState, bytes, filter-chain life span), so an access
// log prints it with %FILTER_STATE(wasm.<name>:PLAIN)%. Reading the property
// <name> back looks up that same key, but only when <name> is not also a
// top-level attribute (request, response, source, xds ...): prefix names with
// the filter, e.g. "ai_router.model". Wasm cannot write dynamic metadata.
import { getHeader, getHeaderBytes, getProperty, getPropertyAt, MapType, propertyPath, setProperty, Status } from "./runtime/host";

// The paths read on every request, encoded once.
const ROUTE_NAME = propertyPath(["xds", "route_name"]);
const CLUSTER_NAME = propertyPath(["xds", "cluster_name"]);

function stringAt(path: ArrayBuffer): string | null {
  const raw = getPropertyAt(path);
  return raw === null ? null : String.UTF8.decode(raw);
}

export function propertyBytes(path: Array<string>): ArrayBuffer | null {
  return getProperty(path);
}

export function propertyString(path: Array<string>): string | null {
  const raw = getProperty(path);
  return raw === null ? null : String.UTF8.decode(raw);
}

/** An integer property (8 bytes, little endian), or `fallback` when missing or not 8 bytes long. */
export function propertyInt(path: Array<string>, fallback: i64 = -1): i64 {
  const raw = getProperty(path);
  if (raw === null || raw.byteLength != 8) return fallback;
  return load<i64>(changetype<usize>(raw));
}

/** Name of the route the request matched (xds.route_name). */
export function routeName(): string | null {
  return stringAt(ROUTE_NAME);
}

/** Upstream cluster of the matched route (xds.cluster_name). */
export function clusterName(): string | null {
  return stringAt(CLUSTER_NAME);
}

export function virtualHostName(): string | null {
  return propertyString(["xds", "virtual_host_name"]);
}

/** Envoy's x-request-id for the stream (request.id). */
export function requestId(): string | null {
  return propertyString(["request", "id"]);
}

/** Downstream peer address, "ip:port" (source.address). */
export function sourceAddress(): string | null {
  return propertyString(["source", "address"]);
}

/** The `name` of the plugin config (plugin_name). */
export function pluginName(): string | null {
  return propertyString(["plugin_name"]);
}

export function pluginRootId(): string | null {
  return propertyString(["plugin_root_id"]);
}

export function pluginVmId(): string | null {
  return propertyString(["plugin_vm_id"]);
}

/** Request :path; null outside the request headers' lifetime. */
/** Read on every request by the filters that route on it: the name encoded once. */
const PATH_NAME = String.UTF8.encode(":path");

export function requestPath(): string | null {
  return getHeaderBytes(MapType.RequestHeaders, PATH_NAME);
}

export function requestMethod(): string | null {
  return getHeader(MapType.RequestHeaders, ":method");
}

export function requestAuthority(): string | null {
  return getHeader(MapType.RequestHeaders, ":authority");
}

/** Writes filter state `wasm.<name>` (see the file comment); false when the host refused. */
export function setFilterState(name: string, value: string): bool {
  return setProperty(name, String.UTF8.encode(value)) == Status.Ok;
}

export function setFilterStateBytes(name: string, value: ArrayBuffer): Status {
  return setProperty(name, value);
}

/** Reads back filter state written with setFilterState. */
export function getFilterState(name: string): string | null {
  return propertyString([name]);
}
