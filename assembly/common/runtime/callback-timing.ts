// Wall time spent inside each proxy-wasm entry point, for
// scripts/callback-timing.ts. No filter imports this module: the script
// builds an instrumented copy of a filter whose exports.ts calls it, runs it
// in Envoy and reads the totals it logs. Times include the host calls a
// callback makes (header reads, shared data, buffers), not Envoy's own cost
// of dispatching the callback.
import { hostLog, LogLevel, nowNanos } from "./host";
import { streamFor } from "./context";
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
/** Root contexts told apart (a bundle's plugins); later ones share the last slot. */
const ROOTS = 8;
/** Streams per log line. */
const STREAMS_PER_LINE: u32 = 2048;

const nanos = new StaticArray<u64>(ENTRIES * ROOTS);
const calls = new StaticArray<u32>(ENTRIES * ROOTS);
/** Root context id of each slot; 0 = free. */
const rootIds = new StaticArray<u32>(ROOTS);
let started: u64 = 0;
let slot: i32 = 0;
let depth: i32 = 0;
let streams: u32 = 0;

/**
 * `id` is the entry point's context id: its stream's root picks the slot;
 * a context being created names its root in `rootId`.
 */
export function timingBegin(id: u32, rootId: u32 = 0): void {
  // A nested entry (the host calling back while a host call runs) is part of the outer one.
  if (depth++ != 0) return;
  const s = streamFor(id);
  slot = rootId != 0 ? slotOf(rootId) : s === null ? 0 : slotOf(s.root.id);
  started = nowNanos();
}

function slotOf(rootId: u32): i32 {
  for (let i = 0; i < ROOTS; i++) {
    const r = unchecked(rootIds[i]);
    if (r == rootId) return i;
    if (r == 0) {
      unchecked((rootIds[i] = rootId));
      return i;
    }
  }
  return ROOTS - 1;
}

export function timingEnd(entry: Entry): void {
  if (--depth > 0) return;
  const at = slot * ENTRIES + <i32>entry;
  unchecked((nanos[at] += nowNanos() - started));
  unchecked((calls[at] += 1));
  if (entry == Entry.Delete && ++streams == STREAMS_PER_LINE) flush();
}

/**
 * "callback-timing streams=N <entry>=<ns total>/<calls> ..." for all roots,
 * then one "callback-timing-root R ..." line per root context, then starts over.
 * Entry points whose context was not (or no longer) a stream count under the
 * first slot.
 */
function flush(): void {
  let line = "callback-timing streams=" + decimal(streams);
  for (let i = 0; i < ENTRIES; i++) {
    let ns: u64 = 0;
    let n: u32 = 0;
    for (let r = 0; r < ROOTS; r++) {
      ns += unchecked(nanos[r * ENTRIES + i]);
      n += unchecked(calls[r * ENTRIES + i]);
    }
    line += " " + decimal(i) + "=" + decimal(ns) + "/" + decimal(n);
  }
  hostLog(LogLevel.Warn, line);
  for (let r = 0; r < ROOTS && unchecked(rootIds[r]) != 0; r++) {
    let perRoot = "callback-timing-root " + decimal(unchecked(rootIds[r]));
    for (let i = 0; i < ENTRIES; i++) {
      const at = r * ENTRIES + i;
      perRoot += " " + decimal(i) + "=" + decimal(unchecked(nanos[at])) + "/" + decimal(unchecked(calls[at]));
      unchecked((nanos[at] = 0));
      unchecked((calls[at] = 0));
    }
    hostLog(LogLevel.Warn, perRoot);
  }
  streams = 0;
}
