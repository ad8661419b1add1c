// Load-time shim for @modelcontextprotocol/conformance on Node 20.
//
// The suite ships one ESM bundle that imports `globSync` from "fs" at its top.
// Node 20 has no fs.globSync (it came in Node 22), so the import fails and no
// command runs, although only the bundle's `tier-check` command calls it (the
// server scenarios never do). This module, given to node with `--import`,
// registers a resolve hook that hands the bundle an "fs" carrying every real
// export plus a globSync that throws; every other importer gets the real "fs".
// On a Node that has fs.globSync it does nothing.
import * as fs from "node:fs";
import { register } from "node:module";
import { isMainThread } from "node:worker_threads";

const FS_WITH_GLOBSYNC =
  "data:text/javascript," +
  encodeURIComponent(
    'export * from "node:fs"; export { default } from "node:fs";' +
      'export function globSync() { throw new Error("fs.globSync needs Node 22 (conformance tier-check)"); }',
  );

export async function resolve(specifier, context, nextResolve) {
  const fromSuite = context.parentURL?.includes("/node_modules/@modelcontextprotocol/conformance/");
  if (fromSuite && (specifier === "fs" || specifier === "node:fs")) return { url: FS_WITH_GLOBSYNC, shortCircuit: true };
  return nextResolve(specifier, context);
}

// Hooks run in their own thread, which loads this module again: register only from the main thread.
if (isMainThread && typeof fs.globSync !== "function") register(import.meta.url);
