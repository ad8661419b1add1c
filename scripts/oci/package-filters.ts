// Finds the filters to package and their files: the module from build/, and
// spec.yaml + README.md from the filter's folder.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { build, discoverTargets } from "../build.ts";
import { ROOT } from "../lib/paths.ts";
import { FORMATS, imagesFor, type FilterInputs, type Image } from "./images.ts";
import { writeLayout } from "./layout.ts";

export interface PackageOptions {
  outDir: string;
  only?: string;
  /** Fail when any filter cannot be packaged, instead of skipping it. */
  requireAll?: boolean;
  /** Package what is in build/ without running the build first. */
  noBuild?: boolean;
  /** Also package test fixtures (build/test/<name>.wasm). */
  fixtures?: boolean;
  log?: (line: string) => void;
}

export interface Packaged {
  name: string;
  images: Image[];
  dirs: string[];
}

export function projectVersion(): { version: string; license: string } {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  return { version: String(pkg.version), license: String(pkg.license ?? "NOASSERTION") };
}

export function tagsFor(version: string): string[] {
  return version === "latest" ? ["latest"] : [version, "latest"];
}

/** Writes out/<name>/<format>/ layouts for one set of inputs. */
export function packageInputs(inputs: FilterInputs, outDir: string): Packaged {
  const images = imagesFor(inputs);
  const dirs = images.map((image) => {
    const dir = join(outDir, inputs.name, image.format);
    writeLayout(dir, image, tagsFor(inputs.version));
    return dir;
  });
  return { name: inputs.name, images, dirs };
}

function optionalFile(path: string, warn: (line: string) => void, why: string): Buffer | undefined {
  if (existsSync(path)) return readFileSync(path);
  warn(`warning: ${relative(ROOT, path)} is missing; ${why}`);
  return undefined;
}

async function built(name: string, wasm: string, opts: PackageOptions): Promise<string | undefined> {
  if (!opts.noBuild) {
    try {
      await build({ only: name, quiet: true });
    } catch (e) {
      return `build failed: ${(e as Error).message.split("\n").slice(0, 3).join(" | ")}`;
    }
  }
  return existsSync(wasm) ? undefined : `no ${relative(ROOT, wasm)} (run npm run build)`;
}

/**
 * Where a module's spec.yaml and README.md are: its own folder, or for a
 * variant without them (semantic-router-embed) the filter it is a build of
 * (the folder named by the part before its last "-").
 */
function docsFolder(folder: string): string {
  if (existsSync(join(folder, "spec.yaml"))) return folder;
  const base = folder.replace(/-[^-/]+$/, "");
  return base !== folder && existsSync(join(base, "spec.yaml")) ? base : folder;
}

export async function packageFilters(opts: PackageOptions): Promise<Packaged[]> {
  const log = opts.log ?? console.log;
  const { version, license } = projectVersion();
  const targets = discoverTargets().filter(
    (t) => (opts.fixtures || !t.fixture) && (!opts.only || t.name === opts.only),
  );
  if (opts.only && targets.length === 0) throw new Error(`no filter named ${opts.only} (looked for assembly/${opts.only}/index.ts)`);
  // A full run replaces the output, so a filter that no longer packages leaves nothing stale to publish.
  if (!opts.only) rmSync(opts.outDir, { recursive: true, force: true });
  const done: Packaged[] = [];
  const skipped: string[] = [];
  for (const t of targets) {
    const wasm = join(t.outDir, `${t.name}.wasm`);
    const problem = await built(t.name, wasm, opts);
    if (problem) {
      log(`skip ${t.name}: ${problem}`);
      skipped.push(t.name);
      continue;
    }
    const folder = docsFolder(join(t.entry, ".."));
    const inputs: FilterInputs = {
      name: t.name,
      version,
      license,
      wasm: readFileSync(wasm),
      spec: optionalFile(join(folder, "spec.yaml"), log, "the Higress image has no spec layer (the Higress console shows no config form)"),
      readme: optionalFile(join(folder, "README.md"), log, "the Higress image has no README layer"),
    };
    const p = packageInputs(inputs, opts.outDir);
    for (const [i, image] of p.images.entries()) {
      const size = image.layers.reduce((n, l) => n + l.size, 0);
      log(`${t.name.padEnd(16)} ${image.format.padEnd(8)} ${image.manifest.digest}  ${image.layers.length} layer(s), ${size} bytes  -> ${relative(ROOT, p.dirs[i])}`);
    }
    done.push(p);
  }
  if (skipped.length && opts.requireAll) throw new Error(`not packaged (--require-all): ${skipped.join(", ")}`);
  if (done.length === 0) throw new Error("nothing to package: no filter has a build output");
  log(`packaged ${done.length} filter(s) as ${FORMATS.join(" + ")} images, tags ${tagsFor(version).join(", ")}`);
  return done;
}
