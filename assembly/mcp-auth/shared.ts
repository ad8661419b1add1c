// Small helpers over proxy-wasm shared data (per vm_id, shared by all workers).
import { getSharedData, setSharedData, SharedValue, Status } from "../common/runtime/host";

export class SharedText {
  constructor(public text: string | null, public cas: u32) {}
}

/** The value (null when absent) and its version for a compare-and-swap write. */
export function readShared(key: string): SharedText {
  const v: SharedValue = getSharedData(key);
  const data = v.value;
  if (v.status != Status.Ok || data === null) return new SharedText(null, 0);
  return new SharedText(String.UTF8.decode(data), v.cas);
}

/** Sets `key` when it still holds version `cas` (0 = unconditionally); false on a lost race. */
export function writeShared(key: string, value: string, cas: u32): bool {
  return setSharedData(key, String.UTF8.encode(value), cas) == Status.Ok;
}
