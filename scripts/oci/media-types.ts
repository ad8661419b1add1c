// Media types of the two image formats we publish.
//
// Higress plugin image (what `higress wasm build` / oras push): one layer per
// file; spec.yaml and README.md as their own media types, the module as a
// tar+gzip layer holding plugin.wasm, last.
// Wasm OCI image, the "oci" variant of the Wasm image spec (Istio WasmPlugin,
// Envoy Gateway, also Higress): a runtime config blob, and two layers, that
// config again and the raw module.
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_IMAGE_CONFIG = "application/vnd.oci.image.config.v1+json";
export const OCI_TAR_GZIP_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

export const HIGRESS_SPEC = "application/vnd.module.wasm.spec.v1+yaml";
export const HIGRESS_README = "application/vnd.module.wasm.doc.v1+markdown";

export const WASM_CONFIG = "application/vnd.module.wasm.config.v1+json";
export const WASM_CONTENT_LAYER = "application/vnd.module.wasm.content.layer.v1+wasm";

export const TITLE = "org.opencontainers.image.title";
export const REF_NAME = "org.opencontainers.image.ref.name";
