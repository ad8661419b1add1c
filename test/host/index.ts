// The proxy-wasm host emulator: run a compiled filter (.wasm) the way Envoy
// does, without Envoy. See README.md.
export * from "./abi.ts";
export { Host, type HostOptions, type HttpCallRecord } from "./host.ts";
export { ProxyVm, type PluginOptions, type LogEntry, WasmTrap } from "./vm.ts";
export {
  exchange,
  echoUpstream,
  requestHeaderMap,
  DEFAULT_ROUTE,
  type ExchangeOptions,
  type ExchangeRequest,
  type ExchangeResult,
  type RouteTable,
  type Upstream,
  type UpstreamRequest,
  type UpstreamResponse,
} from "./exchange.ts";
export { WasmFilter, FAIL_STREAM_DETAILS, type HeadersResult, type DataResult, type TrailersResult } from "./filter.ts";
export { HeaderMap, type HeaderInit } from "./headers.ts";
export type { Route, LocalReply, StreamInfo } from "./context.ts";
export type { CalloutAnswer, CalloutFailure, CalloutFailureKind, CalloutRequest, CalloutResponse, ClusterBehavior } from "./clusters.ts";
export type { ForeignFunction, ForeignCall } from "./imports/stream.ts";
export { type PropertyValue } from "./properties.ts";
export { ENVOY_CUSTOM_STAT_PREFIX, Stats } from "./stats.ts";
export { encodePairs, decodePairs, type Pair } from "./pairs.ts";
