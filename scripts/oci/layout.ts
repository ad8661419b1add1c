// OCI image layout on disk (oci-layout, index.json, blobs/sha256/<hex>):
// what `npm run package` writes and `npm run publish` reads. skopeo and oras
// read it too (`oci:<dir>:<tag>`).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { verifyBlob, type Blob, type Descriptor } from "./blob.ts";
import type { Image } from "./images.ts";
import { OCI_INDEX, OCI_MANIFEST, REF_NAME } from "./media-types.ts";

function blobPath(dir: string, digest: string): string {
  const [alg, hex] = digest.split(":");
  if (alg !== "sha256" || !/^[0-9a-f]{64}$/.test(hex ?? "")) throw new Error(`unsupported digest ${digest} in ${dir}`);
  return join(dir, "blobs", "sha256", hex);
}

/** Replaces dir with a layout holding one image under each tag. */
export function writeLayout(dir: string, image: Image, tags: string[]): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
  for (const b of [image.config, ...image.layers, image.manifest]) writeFileSync(blobPath(dir, b.digest), b.data);
  const manifests = tags.map((tag) => ({
    mediaType: OCI_MANIFEST,
    digest: image.manifest.digest,
    size: image.manifest.size,
    annotations: { [REF_NAME]: tag },
  }));
  writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
}

export interface LoadedImage {
  manifest: Blob;
  /** Config first, then layers, in manifest order; each digest once. */
  blobs: Blob[];
  tags: string[];
}

function readJson(path: string): any {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`cannot read ${path}: ${(e as Error).message}`);
  }
}

function readBlob(dir: string, d: Descriptor, what: string): Blob {
  const path = blobPath(dir, d.digest);
  if (!existsSync(path)) throw new Error(`${what} ${d.digest} is missing from ${dir}`);
  const data = readFileSync(path);
  verifyBlob(d, data, `${what} ${path}`);
  return { ...d, data };
}

/** Reads a layout written by writeLayout and checks every blob against its digest. */
export function readLayout(dir: string): LoadedImage {
  if (!existsSync(join(dir, "oci-layout"))) throw new Error(`${dir} is not an OCI image layout (no oci-layout file)`);
  const index = readJson(join(dir, "index.json"));
  const entries: Descriptor[] = index.manifests ?? [];
  const digests = new Set(entries.map((m) => m.digest));
  if (digests.size !== 1) throw new Error(`${dir}/index.json must point at exactly one manifest, found ${digests.size}`);
  const manifest = readBlob(dir, entries[0], "manifest");
  const parsed = JSON.parse(manifest.data.toString("utf8"));
  const seen = new Set<string>();
  const blobs = [parsed.config as Descriptor, ...(parsed.layers as Descriptor[])]
    .map((d, i) => readBlob(dir, d, i === 0 ? "config" : `layer ${i}`))
    .filter((b) => !seen.has(b.digest) && seen.add(b.digest));
  const tags = entries.map((m) => m.annotations?.[REF_NAME]).filter((t): t is string => !!t);
  return { manifest: { ...manifest, mediaType: parsed.mediaType ?? OCI_MANIFEST }, blobs, tags };
}
