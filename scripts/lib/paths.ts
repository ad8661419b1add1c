import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root, whatever the working directory. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BUILD = join(ROOT, "build");
export const ENVOY_DIR = join(ROOT, "envoy");
export const TMP = join(ROOT, ".tmp");

export function wasmPath(name: string, opts: { debug?: boolean; fixture?: boolean } = {}): string {
  const dir = opts.fixture ? join(BUILD, "test") : BUILD;
  return join(dir, `${name}${opts.debug ? ".debug" : ""}.wasm`);
}
