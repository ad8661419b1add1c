// Memory the host writes results into (proxy_on_memory_allocate / malloc):
// a GC-managed ArrayBuffer, pinned until the wrapper that asked takes it.
// Uses the runtime's own __pin/__unpin, so it works with any AssemblyScript
// runtime (incremental or minimal).

export function malloc(size: i32): usize {
  return __pin(changetype<usize>(new ArrayBuffer(size)));
}

export function free(ptr: usize): void {
  __unpin(ptr);
}
