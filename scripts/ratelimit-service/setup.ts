// Builds envoyproxy/ratelimit (the Envoy rate limit service) from its Go
// module into .tools/ratelimit/<version>/, once, and finds Redis
// (Debian's redis-server, installed with apt-get when missing and root).
//
//   npx tsx scripts/ratelimit-service/setup.ts     prints both paths
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ensureGoProgram, which } from "../lib/go-install.ts";
import { ROOT } from "../lib/paths.ts";

/** The module version built (a pseudo-version: the project tags no releases). */
export const RATELIMIT_VERSION = "v1.4.1-0.20260122083618-3fb702589d36";
const MODULE = "github.com/envoyproxy/ratelimit";

export const TOOLS_DIR = join(ROOT, ".tools", "ratelimit", RATELIMIT_VERSION);
export const RATELIMIT_BIN = join(TOOLS_DIR, "service_cmd");

/** Path of the rate limit service binary, built with `go install` on first use. */
export function ensureRatelimitService(): string {
  if (process.env.RATELIMIT_BIN) return process.env.RATELIMIT_BIN;
  return ensureGoProgram({ name: "ratelimit", pkg: `${MODULE}/src/service_cmd`, version: RATELIMIT_VERSION, dir: TOOLS_DIR, bin: RATELIMIT_BIN });
}

/** Path of redis-server; installs Debian's package when missing and running as root. */
export function ensureRedis(): string {
  const found = process.env.REDIS_SERVER_BIN ?? which("redis-server");
  if (found) return found;
  if (process.getuid?.() !== 0) throw new Error("redis-server is missing: apt-get install redis-server");
  execFileSync("sh", ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null"], { stdio: "inherit" });
  const installed = which("redis-server");
  if (!installed) throw new Error("apt-get install redis-server did not provide redis-server");
  return installed;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(`ratelimit service: ${ensureRatelimitService()}`);
  console.log(`redis-server: ${ensureRedis()}`);
}
