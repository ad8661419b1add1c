// Wall time spent inside each proxy-wasm entry point, for
// scripts/callback-timing.ts. No filter imports this module: the script
// builds an instrumented copy of a filter whose exports.ts calls it, runs it
// in Envoy and reads the totals it logs. Times include the host calls a
// callback makes (header reads, shared data, buffers), not Envoy's own cost
// of dispatching the callback.
import { hostLog, LogLevel, nowNanos } from "./host";
import { decimal } from "../text/decimal";

/** Entry points timed, in the order the log line lists them. */
export enum Entry {
  ContextCreate = 0,
  RequestHeaders = 1,
  RequestBody = 2,
  RequestTrailers = 3,
  ResponseHeaders = 4,
  ResponseBody = 5,
  ResponseTrailers = 6,
  Done = 7,
  Log = 8,
  Delete = 9,
  HttpCallResponse = 10,
}
const ENTRIES = 11;
/** Streams per log line. */
const STREAMS_PER_LINE: u32 = 2048;

const nanos = new StaticArray<u64>(ENTRIES);
const calls = new StaticArray<u32>(ENTRIES);
let started: u64 = 0;
let depth: i32 = 0;
let streams: u32 = 0;

export function timingBegin(): void {
  // A nested entry (the host calling back while a host call runs) is part of the outer one.
  if (depth++ == 0) started = nowNanos();
}

export function timingEnd(entry: Entry): void {
  if (--depth > 0) return;
  unchecked((nanos[entry] += nowNanos() - started));
  unchecked((calls[entry] += 1));
  if (entry == Entry.Delete && ++streams == STREAMS_PER_LINE) flush();
}

/** "callback-timing streams=N <entry>=<ns total>/<calls> ...", then starts over. */
function flush(): void {
  let line = "callback-timing streams=" + decimal(streams);
  for (let i = 0; i < ENTRIES; i++) {
    line += " " + decimal(i) + "=" + decimal(unchecked(nanos[i])) + "/" + decimal(unchecked(calls[i]));
    unchecked((nanos[i] = 0));
    unchecked((calls[i] = 0));
  }
  hostLog(LogLevel.Warn, line);
  streams = 0;
}
