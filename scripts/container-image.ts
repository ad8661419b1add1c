// The Envoy image the container runtime of the test harness runs.
//   ENVOY_IMAGE, when set, is used as given;
//   else the official envoyproxy/envoy:v<ENVOY_VERSION> when it is present
//   locally (hosts with Docker Hub access);
//   else a local image (LOCAL_IMAGE) built from envoy/Containerfile with the
//   Envoy binary ensureEnvoy() provides, its shared libraries and loader.
// The local build is skipped when the image's labels already carry the same
// binary digest and recipe. `npx tsx scripts/container-image.ts [--force]`
// builds it and prints the name and size.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, createReadStream, linkSync, mkdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { ENVOY_DIR, TMP } from "./lib/paths.ts";
import { ENVOY_VERSION, ensureEnvoy } from "./setup-envoy.ts";
import { applyEngineEnv, engineCli } from "./setup-podman.ts";

export const OFFICIAL_IMAGE = `envoyproxy/envoy:v${ENVOY_VERSION}`;
export const LOCAL_IMAGE = `localhost/aigw-envoy:${ENVOY_VERSION}`;
const CONTAINERFILE = join(ENVOY_DIR, "Containerfile");
const DIGEST_LABEL = "aigw.envoy.sha256";
const RECIPE_LABEL = "aigw.envoy.recipe";

type Log = (s: string) => void;
const stderrLog: Log = (s) => console.error(s);

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(path)
      .on("data", (b) => h.update(b))
      .on("error", reject)
      .on("end", () => resolve(h.digest("hex")));
  });
}

/** Files the binary needs at run time besides itself: `ldd` libraries and the loader. */
export function sharedLibraries(bin: string): string[] {
  const r = spawnSync("ldd", [bin], { encoding: "utf8" });
  if (r.status !== 0) {
    if (/not a dynamic executable/.test(r.stdout + r.stderr)) return [];
    throw new Error(`ldd ${bin} failed: ${r.stderr || r.stdout}`);
  }
  if (/=>\s*not found/.test(r.stdout)) throw new Error(`ldd ${bin} reports missing libraries:\n${r.stdout}`);
  const libs: string[] = [];
  for (const line of r.stdout.split("\n")) {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (m) libs.push(m[1]);
  }
  return libs;
}

interface ImageInfo {
  labels: Record<string, string>;
  size: number;
}

function inspectImage(cli: string, image: string): ImageInfo | null {
  const r = spawnSync(cli, ["image", "inspect", image], { encoding: "utf8" });
  if (r.status !== 0) return null;
  try {
    const [info] = JSON.parse(r.stdout);
    return { labels: info?.Config?.Labels ?? info?.Labels ?? {}, size: Number(info?.Size ?? 0) };
  } catch {
    return null;
  }
}

export function imageExists(image: string, cli = engineCli()): boolean {
  return inspectImage(cli, image) !== null;
}

export function imageSize(image: string, cli = engineCli()): number | undefined {
  return inspectImage(cli, image)?.size;
}

/** Puts the file (symlinks resolved) at dest: a hard link when possible, else a copy. */
function placeFile(src: string, dest: string): void {
  mkdirSync(dirname(dest), { recursive: true });
  const real = realpathSync(src);
  try {
    linkSync(real, dest);
  } catch {
    copyFileSync(real, dest);
  }
}

async function recipeDigest(libs: string[]): Promise<string> {
  const h = createHash("sha256").update(readFileSync(CONTAINERFILE));
  for (const lib of libs) h.update(`${lib}=${await sha256File(lib)}\n`);
  return h.digest("hex").slice(0, 16);
}

/** Builds LOCAL_IMAGE unless it exists with the same binary digest and recipe. */
export async function ensureLocalEnvoyImage(opts: { force?: boolean; log?: Log } = {}): Promise<{ image: string; built: boolean }> {
  const log = opts.log ?? stderrLog;
  applyEngineEnv();
  const cli = engineCli();
  const bin = await ensureEnvoy(log);
  const libs = sharedLibraries(bin);
  const digest = await sha256File(bin);
  const recipe = await recipeDigest(libs);
  const existing = inspectImage(cli, LOCAL_IMAGE);
  if (!opts.force && existing?.labels[DIGEST_LABEL] === digest && existing.labels[RECIPE_LABEL] === recipe) {
    return { image: LOCAL_IMAGE, built: false };
  }

  const context = join(TMP, `envoy-image-${process.pid}`);
  rmSync(context, { recursive: true, force: true });
  try {
    const rootfs = join(context, "rootfs");
    placeFile(bin, join(rootfs, "usr/local/bin/envoy"));
    for (const lib of libs) placeFile(lib, join(rootfs, lib));
    mkdirSync(join(rootfs, "tmp"), { recursive: true, mode: 0o1777 });
    log(`building ${LOCAL_IMAGE} with ${cli} (Envoy ${ENVOY_VERSION}, ${libs.length} shared libraries) ...`);
    const started = Date.now();
    const r = spawnSync(
      cli,
      ["build", "--quiet", "-f", CONTAINERFILE, "-t", LOCAL_IMAGE, "--label", `${DIGEST_LABEL}=${digest}`, "--label", `${RECIPE_LABEL}=${recipe}`, context],
      { encoding: "utf8", maxBuffer: 16 << 20 },
    );
    if (r.status !== 0) throw new Error(`${cli} build of ${LOCAL_IMAGE} failed (exit ${r.status}):\n${r.stderr || r.stdout || r.error?.message}`);
    log(`built ${LOCAL_IMAGE} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  return { image: LOCAL_IMAGE, built: true };
}

/** The image to run Envoy from (see the top of this file for the order). */
export async function resolveEnvoyImage(log: Log = stderrLog): Promise<string> {
  if (process.env.ENVOY_IMAGE) return process.env.ENVOY_IMAGE;
  applyEngineEnv();
  if (imageExists(OFFICIAL_IMAGE)) return OFFICIAL_IMAGE;
  return (await ensureLocalEnvoyImage({ log })).image;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureLocalEnvoyImage({ force: process.argv.includes("--force") })
    .then(({ image }) => {
      const size = imageSize(image);
      console.log(`${image}${size ? ` (${(size / 1e6).toFixed(1)} MB)` : ""}`);
    })
    .catch((e: Error) => {
      console.error(`container-image failed: ${e.message}`);
      process.exit(1);
    });
}
