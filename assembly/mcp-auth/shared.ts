// Small helpers over proxy-wasm shared data (per vm_id, shared by all workers).
import { getSharedData, setSharedData, SharedValue, Status } from "../common/runtime/host";

export class SharedText {
  constructor(public text: string | null, public cas: u32) {}
}

/**
 * The cas a write of a key that was absent uses. Envoy ignores the cas of a
 * set on a missing key but refuses a non-zero one that does not match an
 * existing key, so this creates the key only if it is still absent (no
 * worker overwrites another's first write). Versions count up from 1, so an
 * existing key carries this one only after ~4 billion writes in the process.
 */
const CREATE_ONLY: u32 = 0xffffffff;

/** The value (null when absent) and its version for a compare-and-swap write (0 when absent). */
export function readShared(key: string): SharedText {
  const v: SharedValue = getSharedData(key);
  const data = v.value;
  if (v.status != Status.Ok || data === null) return new SharedText(null, 0);
  return new SharedText(String.UTF8.decode(data), v.cas);
}

/**
 * Sets `key` when it still holds version `cas`; cas 0 (it was absent when
 * read) creates it only while it is still absent. False on a lost race.
 */
export function writeShared(key: string, value: string, cas: u32): bool {
  return setSharedData(key, String.UTF8.encode(value), cas == 0 ? CREATE_ONLY : cas) == Status.Ok;
}
