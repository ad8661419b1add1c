// The probe fixture packaged as a filter would be: the module from
// build/test/probe.wasm plus a spec.yaml and README written here.
import { readFileSync } from "node:fs";
import type { FilterInputs } from "../../../scripts/oci/images.ts";
import { packageInputs, projectVersion, type Packaged } from "../../../scripts/oci/package-filters.ts";
import { builtFixture } from "../../host/fixtures.ts";
import { tempDir } from "./tools.ts";

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

/** Packages the probe into a fresh temp dir (layouts at <dir>/probe/{higress,wasm}). */
export async function packagedProbe(): Promise<Packaged & { outDir: string }> {
  const outDir = tempDir("oci-");
  return { ...packageInputs(await probeInputs(), outDir), outDir };
}

