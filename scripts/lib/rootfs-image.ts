// Builds a container image on an empty base from files of this machine: the
// given binaries, the shared libraries `ldd` lists for them and the dynamic
// loader, for hosts that can pull no image (scripts/container-image.ts).
// The image carries a label with the digest of its recipe (Containerfile and
// every file's content); a build is skipped while that label still matches.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, createReadStream, linkSync, mkdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { TMP } from "./paths.ts";

const RECIPE_LABEL = "aigw.rootfs.sha256";
let contexts = 0;

type Log = (s: string) => void;

export interface RootfsImage {
  /** Tag of the image, e.g. localhost/aigw-envoy:1.40.0. */
  image: string;
  /** Containerfile whose context is a directory holding rootfs/. */
  containerfile: string;
  /** Host files placed at `dest` inside the image; their shared libraries follow them. */
  files: { src: string; dest: string }[];
}

export function sha256File(path: string): Promise<string> {
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

export function inspectImage(cli: string, image: string): ImageInfo | null {
  const r = spawnSync(cli, ["image", "inspect", image], { encoding: "utf8" });
  if (r.status !== 0) return null;
  try {
    const [info] = JSON.parse(r.stdout);
    return { labels: info?.Config?.Labels ?? info?.Labels ?? {}, size: Number(info?.Size ?? 0) };
  } catch {
    return null;
  }
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

/** Every file of the image, host path -> path inside the image. */
function contents(spec: RootfsImage): Map<string, string> {
  const all = new Map<string, string>();
  for (const f of spec.files) {
    all.set(f.dest, f.src);
    for (const lib of sharedLibraries(f.src)) all.set(lib, lib);
  }
  return all;
}

async function recipeDigest(spec: RootfsImage, files: Map<string, string>): Promise<string> {
  const h = createHash("sha256").update(readFileSync(spec.containerfile));
  for (const [dest, src] of [...files].sort(([a], [b]) => a.localeCompare(b))) h.update(`${dest}=${await sha256File(src)}\n`);
  return h.digest("hex");
}

/** Builds spec.image with `cli` unless it exists with the same recipe digest. */
export async function ensureRootfsImage(
  spec: RootfsImage,
  cli: string,
  opts: { force?: boolean; log: Log },
): Promise<{ image: string; built: boolean }> {
  const files = contents(spec);
  const digest = await recipeDigest(spec, files);
  if (!opts.force && inspectImage(cli, spec.image)?.labels[RECIPE_LABEL] === digest) return { image: spec.image, built: false };

  const context = join(TMP, `rootfs-image-${process.pid}-${++contexts}`);
  rmSync(context, { recursive: true, force: true });
  try {
    const rootfs = join(context, "rootfs");
    for (const [dest, src] of files) placeFile(src, join(rootfs, dest));
    mkdirSync(join(rootfs, "tmp"), { recursive: true, mode: 0o1777 });
    opts.log(`building ${spec.image} with ${cli} (${files.size} files from this machine) ...`);
    const started = Date.now();
    const r = spawnSync(cli, ["build", "--quiet", "-f", spec.containerfile, "-t", spec.image, "--label", `${RECIPE_LABEL}=${digest}`, context], {
      encoding: "utf8",
      maxBuffer: 16 << 20,
    });
    if (r.status !== 0) throw new Error(`${cli} build of ${spec.image} failed (exit ${r.status}):\n${r.stderr || r.stdout || r.error?.message}`);
    opts.log(`built ${spec.image} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  return { image: spec.image, built: true };
}
