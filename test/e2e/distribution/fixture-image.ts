// The probe fixture packaged as a filter would be: the module from
// build/test/probe.wasm plus a spec.yaml and README written here.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { ROOT, TMP } from "../../../scripts/lib/paths.ts";
import { readFileSync } from "node:fs";
import type { FilterInputs } from "../../../scripts/oci/images.ts";
import { packageInputs, projectVersion, type Packaged } from "../../../scripts/oci/package-filters.ts";
import { builtFixture } from "../../host/fixtures.ts";

export const PROBE_SPEC = `apiVersion: 1.0.0
info:
  category: custom
  name: probe
  title: ABI probe
  description: Test module that echoes its configuration.
  version: 0.1.0
spec:
  phase: UNSPECIFIED_PHASE
  priority: 100
  configSchema:
    openAPIV3Schema:
      type: object
`;

export const PROBE_README = "# probe\n\nA test module: `x-probe-op: config` answers with its configuration.\n";

export async function probeInputs(): Promise<FilterInputs> {
  const { version, license } = projectVersion();
  return {
    name: "probe",
    version,
    license,
    wasm: readFileSync(await builtFixture("probe")),
    spec: Buffer.from(PROBE_SPEC),
    readme: Buffer.from(PROBE_README),
  };
}

export function tempDir(prefix: string): string {
  mkdirSync(TMP, { recursive: true });
  return mkdtempSync(join(TMP, prefix));
}

/** Packages the probe into a fresh temp dir (layouts at <dir>/probe/{higress,wasm}). */
export async function packagedProbe(): Promise<Packaged & { outDir: string }> {
  const outDir = tempDir("oci-");
  return { ...packageInputs(await probeInputs(), outDir), outDir };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one of the scripts/*.ts commands as CI would, in a child process. */
export function runScript(script: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const tsx = join(ROOT, "node_modules", ".bin", "tsx");
  const cleanEnv = { ...process.env };
  for (const k of ["REGISTRY", "REGISTRY_USERNAME", "REGISTRY_PASSWORD", "REGISTRY_TOKEN"]) delete cleanEnv[k];
  return new Promise((resolve) => {
    execFile(tsx, [join(ROOT, "scripts", script), ...args], { cwd: ROOT, env: { ...cleanEnv, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** skopeo against a plain-HTTP loopback registry. */
export function skopeo(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("skopeo", args, { timeout: 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`skopeo ${args.join(" ")} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}
