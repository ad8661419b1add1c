// Waiting for what Envoy does after the client has its answer (access-log
// lines, counters settled at stream end, calls to a rate-limit service): poll
// with a deadline, never a fixed sleep that a loaded machine outlasts.

/** Polls until `f` returns a value (or throws after `ms`). */
export async function eventually<T>(f: () => T | undefined | Promise<T | undefined>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`condition not met within ${ms} ms`);
}

/**
 * Reads `read()` until it gives `want` or `ms` pass; returns the last value
 * read, so the caller's expect shows what it was when it never settled.
 */
export async function settled<T>(read: () => T | Promise<T>, want: T, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await read();
  while (v !== want && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    v = await read();
  }
  return v;
}
