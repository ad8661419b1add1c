// Pushes the layouts written by `npm run package` to a registry.
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import type { Credentials } from "./auth.ts";
import { FORMATS, repositoryFor, type Format } from "./images.ts";
import { readLayout } from "./layout.ts";
import { RegistryClient, type RegistryRef } from "./registry.ts";

export interface PublishOptions {
  from: string;
  registry: RegistryRef;
  creds: Credentials;
  only?: string;
  format?: Format;
  /** Every image's tags must include this version (package.json's): catches a stale build/oci. */
  version: string;
  dryRun?: boolean;
  log?: (line: string) => void;
}

export interface Published {
  reference: string;
  digest: string;
}

interface Found {
  filter: string;
  format: Format;
  dir: string;
}

function findLayouts(from: string, only?: string, format?: Format): Found[] {
  if (!existsSync(from)) throw new Error(`nothing to publish: ${from} does not exist (run npm run package first)`);
  const found: Found[] = [];
  for (const filter of readdirSync(from).sort()) {
    if (only && filter !== only) continue;
    for (const f of FORMATS) {
      const dir = join(from, filter, f);
      if ((!format || f === format) && existsSync(join(dir, "oci-layout"))) found.push({ filter, format: f, dir });
    }
  }
  if (found.length === 0) {
    throw new Error(`nothing to publish in ${from}${only ? ` for ${only}` : ""} (run npm run package first)`);
  }
  return found;
}

function kib(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

export async function publishLayouts(opts: PublishOptions): Promise<Published[]> {
  const log = opts.log ?? console.log;
  const client = new RegistryClient(opts.registry, opts.creds);
  // Read and verify everything before the first request: a bad layout pushes nothing.
  const work = findLayouts(opts.from, opts.only, opts.format).map((f) => {
    const image = readLayout(f.dir);
    if (!image.tags.includes(opts.version)) {
      throw new Error(`${relative(process.cwd(), f.dir)} is tagged ${image.tags.join(", ") || "(no tags)"}, not ${opts.version}: run npm run package again`);
    }
    return { ...f, image, repo: repositoryFor(opts.registry.namespace, f.filter, f.format) };
  });
  const published: Published[] = [];
  for (const w of work) {
    const target = `${opts.registry.base.replace(/^https?:\/\//, "")}/${w.repo}`;
    log(`${opts.dryRun ? "would push" : "push"} ${w.filter} (${w.format}) -> ${target}:${w.image.tags.join(",")}`);
    for (const b of w.image.blobs) {
      const line = `  blob     ${b.digest}  ${kib(b.size).padStart(9)}  ${b.mediaType}`;
      if (opts.dryRun) {
        log(line);
      } else if (await client.hasBlob(w.repo, b.digest)) {
        log(`${line}  already there`);
      } else {
        await client.pushBlob(w.repo, b);
        log(`${line}  uploaded`);
      }
    }
    for (const tag of w.image.tags) {
      if (!opts.dryRun) await client.pushManifest(w.repo, tag, w.image.manifest);
      log(`  manifest ${w.image.manifest.digest}  ${opts.dryRun ? "would tag" : "tagged"} ${tag}`);
      published.push({ reference: `${target}:${tag}`, digest: w.image.manifest.digest });
    }
  }
  return published;
}
