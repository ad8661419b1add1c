// The two images built for every filter, from the same module bytes.
import { blob, descriptorOf, sha256Digest, type Blob } from "./blob.ts";
import * as MT from "./media-types.ts";
import { tarGzOneFile, tarOneFile } from "./tar.ts";

export type Format = "higress" | "wasm";
export const FORMATS: readonly Format[] = ["higress", "wasm"];

export interface FilterInputs {
  name: string;
  version: string;
  license: string;
  wasm: Buffer;
  /** Higress plugin metadata (assembly/<filter>/spec.yaml); the Higress image omits the layer when absent. */
  spec?: Buffer;
  readme?: Buffer;
}

export interface Image {
  format: Format;
  manifest: Blob;
  config: Blob;
  layers: Blob[];
}

/** Higress pulls `<ns>/<filter>`; Istio and Envoy Gateway pull `<ns>/<filter>-wasm`. */
export function repositoryFor(namespace: string, filter: string, format: Format): string {
  const name = format === "higress" ? filter : `${filter}-wasm`;
  return namespace ? `${namespace}/${name}` : name;
}

function manifestBlob(config: Blob, layers: Blob[], annotations: Record<string, string>): Blob {
  // Key order is fixed by construction, so the serialisation (and digest) is stable.
  const manifest = {
    schemaVersion: 2,
    mediaType: MT.OCI_MANIFEST,
    config: descriptorOf(config),
    layers: layers.map(descriptorOf),
    annotations,
  };
  return blob(MT.OCI_MANIFEST, Buffer.from(JSON.stringify(manifest)));
}

function imageAnnotations(f: FilterInputs): Record<string, string> {
  return {
    [MT.TITLE]: f.name,
    "org.opencontainers.image.version": f.version,
    "org.opencontainers.image.licenses": f.license,
  };
}

/** spec.yaml, README.md, then plugin.wasm in a tar+gzip layer (Higress wants the module last). */
export function higressImage(f: FilterInputs): Image {
  const layers: Blob[] = [];
  if (f.spec) layers.push(blob(MT.HIGRESS_SPEC, f.spec, { [MT.TITLE]: "spec.yaml" }));
  if (f.readme) layers.push(blob(MT.HIGRESS_README, f.readme, { [MT.TITLE]: "README.md" }));
  layers.push(blob(MT.OCI_TAR_GZIP_LAYER, tarGzOneFile("plugin.wasm", f.wasm), { [MT.TITLE]: "plugin.tar.gz" }));
  // diff_ids: the uncompressed content of each layer, as image tools expect.
  const diffIds = layers.map((l) => (l.mediaType === MT.OCI_TAR_GZIP_LAYER ? sha256Digest(tarOneFile("plugin.wasm", f.wasm)) : l.digest));
  const config = blob(
    MT.OCI_IMAGE_CONFIG,
    Buffer.from(JSON.stringify({ architecture: "wasm", os: "wasip1", config: {}, rootfs: { type: "layers", diff_ids: diffIds } })),
  );
  return { format: "higress", config, layers, manifest: manifestBlob(config, layers, imageAnnotations(f)) };
}

/**
 * The runtime config (envoy_proxy, ABI, root id) as the config and again as
 * the first layer, then the raw module: Istio's (and Envoy Gateway's) fetcher
 * takes this variant only with exactly these two layers.
 */
export function wasmImage(f: FilterInputs): Image {
  const runtimeConfig = Buffer.from(JSON.stringify({ type: "envoy_proxy", abiVersions: ["v0.2.1"], config: { root_ids: [f.name] } }));
  const config = blob(MT.WASM_CONFIG, runtimeConfig);
  const layers = [
    blob(MT.WASM_CONFIG, runtimeConfig, { [MT.TITLE]: "runtime-config.json" }),
    blob(MT.WASM_CONTENT_LAYER, f.wasm, { [MT.TITLE]: "plugin.wasm" }),
  ];
  return { format: "wasm", config, layers, manifest: manifestBlob(config, layers, imageAnnotations(f)) };
}

/** The layer that is the module itself (what Envoy fetches from a blob URL). */
export function moduleLayer(image: Image): Blob {
  const layer = image.layers.find((l) => l.mediaType === MT.WASM_CONTENT_LAYER);
  if (!layer) throw new Error(`the ${image.format} image has no ${MT.WASM_CONTENT_LAYER} layer`);
  return layer;
}

export function imagesFor(f: FilterInputs): Image[] {
  return [higressImage(f), wasmImage(f)];
}
