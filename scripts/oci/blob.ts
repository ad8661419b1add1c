// Content-addressed blobs and the OCI descriptors that point at them.
import { createHash } from "node:crypto";

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface Blob extends Descriptor {
  data: Buffer;
}

export function sha256Digest(data: Uint8Array): string {
  return "sha256:" + createHash("sha256").update(data).digest("hex");
}

export function blob(mediaType: string, data: Uint8Array, annotations?: Record<string, string>): Blob {
  const buf = Buffer.from(data);
  return { mediaType, digest: sha256Digest(buf), size: buf.length, data: buf, ...(annotations ? { annotations } : {}) };
}

export function descriptorOf(b: Descriptor): Descriptor {
  const d: Descriptor = { mediaType: b.mediaType, digest: b.digest, size: b.size };
  if (b.annotations) d.annotations = b.annotations;
  return d;
}

/** Throws when data does not hash to the digest (and size) a descriptor promises. */
export function verifyBlob(d: Descriptor, data: Uint8Array, where: string): void {
  const actual = sha256Digest(data);
  if (actual !== d.digest) {
    throw new Error(`digest mismatch in ${where}: descriptor says ${d.digest}, content hashes to ${actual}`);
  }
  if (data.length !== d.size) {
    throw new Error(`size mismatch in ${where}: descriptor says ${d.size} bytes, content has ${data.length}`);
  }
}
