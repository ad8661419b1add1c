// HMAC-SHA-256 (RFC 2104) and a comparison whose time does not depend on
// where two byte strings first differ.
import { sha256, SHA256_BLOCK } from "./sha256";

export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  let k = key.length > SHA256_BLOCK ? sha256(key) : key;
  const inner = new Uint8Array(SHA256_BLOCK + message.length);
  const outer = new Uint8Array(SHA256_BLOCK + 32);
  for (let i = 0; i < SHA256_BLOCK; i++) {
    const b: u8 = i < k.length ? k[i] : 0;
    inner[i] = b ^ 0x36;
    outer[i] = b ^ 0x5c;
  }
  inner.set(message, SHA256_BLOCK);
  outer.set(sha256(inner), SHA256_BLOCK);
  return sha256(outer);
}

export function constantTimeEqual(a: Uint8Array, b: Uint8Array): bool {
  if (a.length != b.length) return false;
  let diff: u32 = 0;
  for (let i = 0; i < a.length; i++) diff |= <u32>(a[i] ^ b[i]);
  return diff == 0;
}
