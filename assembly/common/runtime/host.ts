// Thin, non-throwing wrappers over the proxy-wasm ABI v0.2.1 host functions.
// Every wrapper returns a status or a nullable value: an expected failure
// (NotFound, CasMismatch, BadArgument for an unknown cluster ...) must never
// become a trap, because a trap kills the VM for every request on the worker.
import * as abi from "@gcoredev/proxy-wasm-sdk-as/assembly/imports";
import { free } from "./malloc";

export enum Status {
  Ok = 0,
  NotFound = 1,
  BadArgument = 2,
  SerializationFailure = 3,
  ParseFailure = 4,
  BadExpression = 5,
  InvalidMemoryAccess = 6,
  Empty = 7,
  CasMismatch = 8,
  ResultMismatch = 9,
  InternalFailure = 10,
  BrokenConnection = 11,
  Unimplemented = 12,
}

export enum MapType {
  RequestHeaders = 0,
  RequestTrailers = 1,
  ResponseHeaders = 2,
  ResponseTrailers = 3,
  HttpCallResponseHeaders = 6,
  HttpCallResponseTrailers = 7,
}

export enum BufferType {
  RequestBody = 0,
  ResponseBody = 1,
  HttpCallResponseBody = 4,
  VmConfiguration = 6,
  PluginConfiguration = 7,
  CallData = 8,
}

export enum StreamType {
  Request = 0,
  Response = 1,
}

export enum LogLevel {
  Trace = 0,
  Debug = 1,
  Info = 2,
  Warn = 3,
  Error = 4,
  Critical = 5,
}

export enum MetricType {
  Counter = 0,
  Gauge = 1,
  Histogram = 2,
}

// Scratch slots the host writes out-parameters into. Static memory: no
// allocation per call, and never moved by the GC.
const OUT_PTR: usize = memory.data(8);
const OUT_SIZE: usize = memory.data(8);
const OUT_U32: usize = memory.data(8);
const OUT_U64: usize = memory.data(8);

export class HeaderPair {
  constructor(public name: string, public value: string) {}
}

/** Takes ownership of a buffer the host allocated through our malloc. */
function takeHostBuffer(): ArrayBuffer {
  const ptr = load<usize>(OUT_PTR);
  const size = load<usize>(OUT_SIZE);
  store<usize>(OUT_PTR, 0);
  store<usize>(OUT_SIZE, 0);
  if (ptr == 0 || size == 0) return new ArrayBuffer(0);
  const buf = changetype<ArrayBuffer>(ptr);
  free(ptr);
  if (<usize>buf.byteLength == size) return buf;
  return buf.slice(0, <i32>size);
}

function utf8(s: string): ArrayBuffer {
  return String.UTF8.encode(s);
}

// ---- logging -------------------------------------------------------------

export function hostLog(level: LogLevel, message: string): void {
  const buf = utf8(message);
  abi.proxy_log(<usize>level, changetype<usize>(buf), buf.byteLength);
}

export function hostLogLevel(): LogLevel {
  store<u32>(OUT_U32, 0);
  if (abi.proxy_get_log_level(OUT_U32) != Status.Ok) return LogLevel.Info;
  return <LogLevel>load<u32>(OUT_U32);
}

// ---- time and timers -----------------------------------------------------

export function nowNanos(): u64 {
  store<u64>(OUT_U64, 0);
  abi.proxy_get_current_time_nanoseconds(OUT_U64);
  return load<u64>(OUT_U64);
}

export function nowMillis(): u64 {
  return nowNanos() / 1_000_000;
}

export function setTickPeriod(millis: u32): Status {
  return <Status>abi.proxy_set_tick_period_milliseconds(millis);
}

// ---- header maps ---------------------------------------------------------

export function getHeader(map: MapType, name: string): string | null {
  return getHeaderBytes(map, utf8(name));
}

/** getHeader() with the name already UTF-8 (names read on every request, encoded once). */
export function getHeaderBytes(map: MapType, name: ArrayBuffer): string | null {
  const st = abi.proxy_get_header_map_value(map, changetype<usize>(name), name.byteLength, OUT_PTR, OUT_SIZE);
  if (st != Status.Ok) return null;
  return String.UTF8.decode(takeHostBuffer());
}

/** addHeader() with name and value already UTF-8. */
export function addHeaderBytes(map: MapType, name: ArrayBuffer, value: ArrayBuffer): Status {
  return <Status>abi.proxy_add_header_map_value(map, changetype<usize>(name), name.byteLength, changetype<usize>(value), value.byteLength);
}

export function addHeader(map: MapType, name: string, value: string): Status {
  return addHeaderBytes(map, utf8(name), utf8(value));
}

export function replaceHeader(map: MapType, name: string, value: string): Status {
  return replaceHeaderBytes(map, utf8(name), utf8(value));
}

/** replaceHeader() with name and value already UTF-8. */
export function replaceHeaderBytes(map: MapType, k: ArrayBuffer, v: ArrayBuffer): Status {
  return <Status>abi.proxy_replace_header_map_value(map, changetype<usize>(k), k.byteLength, changetype<usize>(v), v.byteLength);
}

export function removeHeader(map: MapType, name: string): Status {
  return removeHeaderBytes(map, utf8(name));
}

/** removeHeader() with the name already UTF-8. */
export function removeHeaderBytes(map: MapType, k: ArrayBuffer): Status {
  return <Status>abi.proxy_remove_header_map_value(map, changetype<usize>(k), k.byteLength);
}

export function getHeaders(map: MapType): Array<HeaderPair> {
  const out = new Array<HeaderPair>();
  if (abi.proxy_get_header_map_pairs(map, OUT_PTR, OUT_SIZE) != Status.Ok) return out;
  return decodePairs(takeHostBuffer());
}

/** A whole header map in the ABI's serialized pair form, with one host call; null when the map is not available. */
export function getHeaderPairsRaw(map: MapType): ArrayBuffer | null {
  if (abi.proxy_get_header_map_pairs(map, OUT_PTR, OUT_SIZE) != Status.Ok) return null;
  return takeHostBuffer();
}

export function setHeaders(map: MapType, pairs: Array<HeaderPair>): Status {
  const buf = encodePairs(pairs);
  return <Status>abi.proxy_set_header_map_pairs(map, changetype<usize>(buf), buf.byteLength);
}

/** Serialized size of a header map as the host counts it, or -1 when the map is not available. */
export function headerMapSize(map: MapType): i64 {
  store<usize>(OUT_SIZE, 0);
  if (abi.proxy_get_header_map_size(map, OUT_SIZE) != Status.Ok) return -1;
  return <i64>load<usize>(OUT_SIZE);
}

/** Decodes the ABI's serialized pair list; malformed input yields what could be read. */
export function decodePairs(buf: ArrayBuffer): Array<HeaderPair> {
  const out = new Array<HeaderPair>();
  const total = <usize>buf.byteLength;
  if (total < 4) return out;
  const base = changetype<usize>(buf);
  const count = <usize>load<u32>(base);
  if (count > (total - 4) / 8) return out;
  let data = base + 4 + count * 8;
  const end = base + total;
  for (let i: usize = 0; i < count; i++) {
    const klen = <usize>load<u32>(base + 4 + i * 8);
    const vlen = <usize>load<u32>(base + 8 + i * 8);
    if (data + klen + 1 + vlen + 1 > end) break;
    const name = String.UTF8.decodeUnsafe(data, klen);
    data += klen + 1;
    const value = String.UTF8.decodeUnsafe(data, vlen);
    data += vlen + 1;
    out.push(new HeaderPair(name, value));
  }
  return out;
}

export function encodePairs(pairs: Array<HeaderPair>): ArrayBuffer {
  const names = new Array<ArrayBuffer>(pairs.length);
  const values = new Array<ArrayBuffer>(pairs.length);
  let size = 4 + pairs.length * 8;
  for (let i = 0; i < pairs.length; i++) {
    names[i] = utf8(pairs[i].name);
    values[i] = utf8(pairs[i].value);
    size += names[i].byteLength + values[i].byteLength + 2;
  }
  const buf = new ArrayBuffer(size);
  const base = changetype<usize>(buf);
  store<u32>(base, pairs.length);
  let data = base + 4 + <usize>pairs.length * 8;
  for (let i = 0; i < pairs.length; i++) {
    const n = names[i];
    const v = values[i];
    store<u32>(base + 4 + <usize>i * 8, n.byteLength);
    store<u32>(base + 8 + <usize>i * 8, v.byteLength);
    memory.copy(data, changetype<usize>(n), n.byteLength);
    data += <usize>n.byteLength;
    store<u8>(data, 0);
    data += 1;
    memory.copy(data, changetype<usize>(v), v.byteLength);
    data += <usize>v.byteLength;
    store<u8>(data, 0);
    data += 1;
  }
  return buf;
}

// ---- buffers -------------------------------------------------------------

export function getBuffer(type: BufferType, start: u32, length: u32): ArrayBuffer | null {
  if (length == 0) return new ArrayBuffer(0);
  const st = abi.proxy_get_buffer_bytes(type, start, length, OUT_PTR, OUT_SIZE);
  if (st != Status.Ok) return null;
  return takeHostBuffer();
}

export function setBuffer(type: BufferType, start: u32, length: u32, data: ArrayBuffer): Status {
  return setBufferFrom(type, start, length, changetype<usize>(data), data.byteLength);
}

/** setBuffer() from `dataLength` bytes at `data` (a writer's own buffer: no copy first). */
export function setBufferFrom(type: BufferType, start: u32, length: u32, data: usize, dataLength: i32): Status {
  return <Status>abi.proxy_set_buffer_bytes(type, start, length, data, dataLength);
}

/** Current size of a buffer, or -1 when the host has none. */
export function bufferSize(type: BufferType): i64 {
  store<usize>(OUT_SIZE, 0);
  store<u32>(OUT_U32, 0);
  if (abi.proxy_get_buffer_status(type, OUT_SIZE, OUT_U32) != Status.Ok) return -1;
  return <i64>load<usize>(OUT_SIZE);
}

// ---- properties ----------------------------------------------------------

/** A property path as the ABI wants it: segments joined with NUL, UTF-8. */
export function propertyPath(segments: Array<string>): ArrayBuffer {
  return utf8(segments.join("\0"));
}

/** Reads a property at a path from propertyPath() (encode paths read on every request once). */
export function getPropertyAt(path: ArrayBuffer): ArrayBuffer | null {
  const st = abi.proxy_get_property(changetype<usize>(path), path.byteLength, OUT_PTR, OUT_SIZE);
  if (st != Status.Ok) return null;
  return takeHostBuffer();
}

/** Reads a property; path segments are joined with NUL as the ABI wants. */
export function getProperty(segments: Array<string>): ArrayBuffer | null {
  return getPropertyAt(propertyPath(segments));
}

/** Writes filter state from `length` bytes at `data`; `name` is UTF-8. Envoy exposes it as `wasm.<name>`. */
export function setPropertyFrom(name: ArrayBuffer, data: usize, length: i32): Status {
  return <Status>abi.proxy_set_property(changetype<usize>(name), name.byteLength, data, length);
}

/** Writes filter state; Envoy exposes it as `wasm.<name>`. */
export function setProperty(name: string, value: ArrayBuffer): Status {
  const path = utf8(name);
  return <Status>abi.proxy_set_property(changetype<usize>(path), path.byteLength, changetype<usize>(value), value.byteLength);
}

// ---- local responses and stream control ----------------------------------

export function sendLocalResponse(status: u32, details: string, body: ArrayBuffer, headers: Array<HeaderPair>, grpcStatus: i32 = -1): Status {
  const d = utf8(details);
  const h = encodePairs(headers);
  return <Status>abi.proxy_send_local_response(status, changetype<usize>(d), d.byteLength, changetype<usize>(body), body.byteLength, changetype<usize>(h), h.byteLength, <u32>grpcStatus);
}

export function continueStream(type: StreamType): Status {
  return <Status>abi.proxy_continue_stream(type);
}

export function closeStream(type: StreamType): Status {
  return <Status>abi.proxy_close_stream(type);
}

export function setEffectiveContext(contextId: u32): Status {
  return <Status>abi.proxy_set_effective_context(contextId);
}

export class HostStatus {
  constructor(public code: u32, public message: string) {}
}

/** The host's status for the current callback (e.g. why an HTTP call failed: BrokenConnection, "reset"). */
export function getStatus(): HostStatus {
  store<u32>(OUT_U32, 0);
  if (abi.proxy_get_status(OUT_U32, OUT_PTR, OUT_SIZE) != Status.Ok) return new HostStatus(Status.InternalFailure, "");
  const code = load<u32>(OUT_U32);
  return new HostStatus(code, String.UTF8.decode(takeHostBuffer()));
}

// ---- shared data ---------------------------------------------------------

export class SharedValue {
  constructor(public status: Status, public value: ArrayBuffer | null, public cas: u32) {}
}

export function getSharedData(key: string): SharedValue {
  return getSharedDataBytes(utf8(key));
}

/** getSharedData() with the key already UTF-8 (keys used on every request, encoded once). */
export function getSharedDataBytes(k: ArrayBuffer): SharedValue {
  store<u32>(OUT_U32, 0);
  const st = <Status>abi.proxy_get_shared_data(changetype<usize>(k), k.byteLength, OUT_PTR, OUT_SIZE, OUT_U32);
  if (st != Status.Ok) return new SharedValue(st, null, 0);
  const cas = load<u32>(OUT_U32);
  return new SharedValue(st, takeHostBuffer(), cas);
}

export function setSharedData(key: string, value: ArrayBuffer, cas: u32): Status {
  return setSharedDataBytes(utf8(key), value, cas);
}

export function setSharedDataBytes(k: ArrayBuffer, value: ArrayBuffer, cas: u32): Status {
  return <Status>abi.proxy_set_shared_data(changetype<usize>(k), k.byteLength, changetype<usize>(value), value.byteLength, cas);
}

// ---- shared queues -------------------------------------------------------

/** Registers a queue owned by this VM; returns its token or 0. */
export function registerQueue(name: string): u32 {
  const n = utf8(name);
  store<u32>(OUT_U32, 0);
  if (abi.proxy_register_shared_queue(changetype<usize>(n), n.byteLength, OUT_U32) != Status.Ok) return 0;
  return load<u32>(OUT_U32);
}

/** Finds a queue registered by the VM `vmId`; returns its token or 0. */
export function resolveQueue(vmId: string, name: string): u32 {
  const v = utf8(vmId);
  const n = utf8(name);
  store<u32>(OUT_U32, 0);
  if (abi.proxy_resolve_shared_queue(changetype<usize>(v), v.byteLength, changetype<usize>(n), n.byteLength, OUT_U32) != Status.Ok) return 0;
  return load<u32>(OUT_U32);
}

export function enqueue(token: u32, data: ArrayBuffer): Status {
  return <Status>abi.proxy_enqueue_shared_queue(token, changetype<usize>(data), data.byteLength);
}

/** Next item of a queue, or null when it is empty or unknown. */
export function dequeue(token: u32): ArrayBuffer | null {
  if (abi.proxy_dequeue_shared_queue(token, OUT_PTR, OUT_SIZE) != Status.Ok) return null;
  return takeHostBuffer();
}

// ---- outgoing HTTP calls -------------------------------------------------

/** Starts an HTTP call to an Envoy cluster; returns the token, or 0 when the host refused it. */
export function httpCall(cluster: string, headers: Array<HeaderPair>, body: ArrayBuffer, trailers: Array<HeaderPair>, timeoutMillis: u32): u32 {
  const c = utf8(cluster);
  const h = encodePairs(headers);
  const t = encodePairs(trailers);
  store<u32>(OUT_U32, 0);
  const st = abi.proxy_http_call(changetype<usize>(c), c.byteLength, changetype<usize>(h), h.byteLength, changetype<usize>(body), body.byteLength, changetype<usize>(t), t.byteLength, timeoutMillis, OUT_U32);
  if (st != Status.Ok) return 0;
  return load<u32>(OUT_U32);
}

// ---- foreign functions ---------------------------------------------------

export class ForeignResult {
  constructor(public status: Status, public result: ArrayBuffer) {}
}

/** callForeignFunction() with the name already UTF-8, for a call whose result is not read: only its status. */
export function callForeignFunctionBytes(name: ArrayBuffer, argument: ArrayBuffer): Status {
  const st = <Status>abi.proxy_call_foreign_function(changetype<usize>(name), name.byteLength, changetype<usize>(argument), argument.byteLength, OUT_PTR, OUT_SIZE);
  const ptr = load<usize>(OUT_PTR);
  store<usize>(OUT_PTR, 0);
  store<usize>(OUT_SIZE, 0);
  // A result the host wrote went through our malloc: release it.
  if (st == Status.Ok && ptr != 0) free(ptr);
  return st;
}

export function callForeignFunction(name: string, argument: ArrayBuffer): ForeignResult {
  const n = utf8(name);
  const st = <Status>abi.proxy_call_foreign_function(changetype<usize>(n), n.byteLength, changetype<usize>(argument), argument.byteLength, OUT_PTR, OUT_SIZE);
  if (st != Status.Ok) {
    store<usize>(OUT_PTR, 0);
    store<usize>(OUT_SIZE, 0);
    return new ForeignResult(st, new ArrayBuffer(0));
  }
  return new ForeignResult(st, takeHostBuffer());
}

// ---- metrics -------------------------------------------------------------

/** Defines a metric; returns its id, or u32.MAX_VALUE when the host refused. */
export function defineMetric(type: MetricType, name: string): u32 {
  const n = utf8(name);
  store<u32>(OUT_U32, 0);
  if (abi.proxy_define_metric(type, changetype<usize>(n), n.byteLength, OUT_U32) != Status.Ok) return u32.MAX_VALUE;
  return load<u32>(OUT_U32);
}

export function incrementMetric(id: u32, delta: i64): Status {
  return <Status>abi.proxy_increment_metric(id, delta);
}

export function recordMetric(id: u32, value: u64): Status {
  return <Status>abi.proxy_record_metric(id, value);
}

export function getMetric(id: u32): u64 {
  store<u64>(OUT_U64, 0);
  if (abi.proxy_get_metric(id, OUT_U64) != Status.Ok) return 0;
  return load<u64>(OUT_U64);
}
