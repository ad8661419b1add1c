// The images the container paths run, for hosts with and without a registry.
//   Envoy (test harness, compose demo):
//     ENVOY_IMAGE, when set, is used as given;
//     else the official envoyproxy/envoy:v<ENVOY_VERSION> when it is present
//     locally (hosts with Docker Hub access);
//     else LOCAL_IMAGE, built from envoy/Containerfile with the Envoy binary
//     ensureEnvoy() provides, its shared libraries and loader.
//   Node.js, the base of the compose demo's upstreams image:
//     NODE_IMAGE, when set; else the official node:20-slim when present
//     locally; else LOCAL_NODE_IMAGE, built from envoy/node.Containerfile
//     with this machine's node binary.
// A local build is skipped while the image's recipe label still matches
// (scripts/lib/rootfs-image.ts).
//   npx tsx scripts/container-image.ts [--force]   builds both, prints names and sizes
import { join } from "node:path";
import { ENVOY_DIR } from "./lib/paths.ts";
import { ensureRootfsImage, inspectImage } from "./lib/rootfs-image.ts";
import { ENVOY_VERSION, ensureEnvoy } from "./setup-envoy.ts";
import { applyEngineEnv, engineCli } from "./setup-podman.ts";

export const OFFICIAL_IMAGE = `envoyproxy/envoy:v${ENVOY_VERSION}`;
export const LOCAL_IMAGE = `localhost/aigw-envoy:${ENVOY_VERSION}`;
export const OFFICIAL_NODE_IMAGE = "node:20-slim";
export const LOCAL_NODE_IMAGE = `localhost/aigw-node:${process.versions.node}`;

type Log = (s: string) => void;
const stderrLog: Log = (s) => console.error(s);

export function imageExists(image: string, cli = engineCli()): boolean {
  return inspectImage(cli, image) !== null;
}

export function imageSize(image: string, cli = engineCli()): number | undefined {
  return inspectImage(cli, image)?.size;
}

/** Builds LOCAL_IMAGE unless it exists with the same recipe. */
export async function ensureLocalEnvoyImage(opts: { force?: boolean; log?: Log } = {}): Promise<{ image: string; built: boolean }> {
  const log = opts.log ?? stderrLog;
  applyEngineEnv();
  const bin = await ensureEnvoy(log);
  const spec = { image: LOCAL_IMAGE, containerfile: join(ENVOY_DIR, "Containerfile"), files: [{ src: bin, dest: "/usr/local/bin/envoy" }] };
  return ensureRootfsImage(spec, engineCli(), { force: opts.force, log });
}

/** Builds LOCAL_NODE_IMAGE (the node binary running this script) unless it exists with the same recipe. */
export async function ensureLocalNodeImage(opts: { force?: boolean; log?: Log } = {}): Promise<{ image: string; built: boolean }> {
  applyEngineEnv();
  const spec = { image: LOCAL_NODE_IMAGE, containerfile: join(ENVOY_DIR, "node.Containerfile"), files: [{ src: process.execPath, dest: "/usr/local/bin/node" }] };
  return ensureRootfsImage(spec, engineCli(), { force: opts.force, log: opts.log ?? stderrLog });
}

/** The image to run Envoy from (see the top of this file for the order). */
export async function resolveEnvoyImage(log: Log = stderrLog): Promise<string> {
  if (process.env.ENVOY_IMAGE) return process.env.ENVOY_IMAGE;
  applyEngineEnv();
  if (imageExists(OFFICIAL_IMAGE)) return OFFICIAL_IMAGE;
  return (await ensureLocalEnvoyImage({ log })).image;
}

/** The base image of the compose demo's upstreams (see the top of this file for the order). */
export async function resolveNodeImage(log: Log = stderrLog): Promise<string> {
  if (process.env.NODE_IMAGE) return process.env.NODE_IMAGE;
  applyEngineEnv();
  if (imageExists(OFFICIAL_NODE_IMAGE)) return OFFICIAL_NODE_IMAGE;
  return (await ensureLocalNodeImage({ log })).image;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const force = process.argv.includes("--force");
  Promise.all([ensureLocalEnvoyImage({ force }), ensureLocalNodeImage({ force })])
    .then((built) => {
      for (const { image } of built) {
        const size = imageSize(image);
        console.log(`${image}${size ? ` (${(size / 1e6).toFixed(1)} MB)` : ""}`);
      }
    })
    .catch((e: Error) => {
      console.error(`container-image failed: ${e.message}`);
      process.exit(1);
    });
}
