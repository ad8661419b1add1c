// Garbage collection between host callbacks.
//
// The modules build with AssemblyScript's `minimal` runtime: allocation does
// no collector work, and nothing is freed until __collect() runs. The
// `incremental` runtime collects during allocation instead, which needs a
// write barrier on every reference store, a shadow stack and collector steps
// inside __new: about 40% of a request's Wasm time in token-ratelimit (CPU
// profile in the emulator), 15-27 µs per 1 KB request across the filters.
//
// A full collection is only safe when no managed value lives on the Wasm
// stack, i.e. when an exported entry point is about to return to the host;
// exports.ts calls afterCallback() there. Everything a stream keeps between
// callbacks is reachable from the context registry (module globals), and
// buffers handed to the host by malloc are pinned until taken.
//
// When: every COLLECT_EVERY callbacks per root context (about 35 requests of
// 7 callbacks for each filter plugin in the VM: one VM serving a whole chain
// takes each filter's callbacks and holds each filter's live data, so it
// collects no more often per filter than that filter's own VM would), and
// right after the heap had to grow, so garbage never makes it grow twice in a
// row. Memory then settles at the live data plus the garbage of at most
// COLLECT_EVERY callbacks; a long stream is covered because each body chunk
// is a callback. Callbacks that make much garbage (a stream's large chunks)
// report it with addGarbage(): past COLLECT_AFTER_BYTES a collection is due
// too, so memory stays bounded whatever the chunk size.

import { rootCount } from "./context";

const COLLECT_EVERY: i32 = 256;
const COLLECT_AFTER_BYTES: i32 = 8 << 20;

let callbacks: i32 = 0;
/** Entry points running: more than one when the host calls back into the module from a host call. */
let depth: i32 = 0;
let pagesAtLastCollection: i32 = memory.size();
/** Garbage reported since the last collection, in bytes (an estimate). */
let garbageBytes: i32 = 0;

/** Reports about `bytes` of garbage made by the running callback. */
export function addGarbage(bytes: i32): void {
  if (bytes > 0) garbageBytes = garbageBytes < 0x3fffffff - bytes ? garbageBytes + bytes : 0x3fffffff;
}

export function beginCallback(): void {
  depth++;
}

/**
 * Ends an entry point; collects when due (or now, with `collectAnyway`)
 * unless it was nested in another entry point.
 */
export function afterCallback(collectAnyway: bool = false): void {
  depth--;
  // Nested: the outer entry point still has managed values on the stack.
  if (depth > 0) return;
  callbacks++;
  if (!collectAnyway && callbacks < COLLECT_EVERY * max(1, rootCount()) && garbageBytes < COLLECT_AFTER_BYTES && memory.size() == pagesAtLastCollection) return;
  collect();
}

/** For test kits, whose exports are not proxy-wasm entry points: collects when none is running. */
export function collectIdle(): void {
  if (depth == 0) collect();
}

function collect(): void {
  __collect();
  callbacks = 0;
  garbageBytes = 0;
  pagesAtLastCollection = memory.size();
}
