// RSASSA-PKCS1-v1_5 signature verification with SHA-256 (RFC 8017 8.2.2),
// the RS256 of JOSE. Public keys only.
import { Limbs, limbsToBytes } from "./bignum";
import { Modulus } from "./modulus";
import { constantTimeEqual } from "./hmac";

/** DER prefix of DigestInfo for SHA-256 (RFC 8017 9.2, note 1). */
const SHA256_DIGEST_INFO: StaticArray<u8> = [
  0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
];

/** Smallest and largest modulus accepted, in bits. */
export const RSA_MIN_BITS: i32 = 2048;
export const RSA_MAX_BITS: i32 = 8192;

export class RsaPublicKey {
  private constructor(readonly modulus: Modulus, readonly exponent: Uint8Array, readonly size: i32) {}

  /**
   * From the big-endian modulus and public exponent (JWK n and e). Null when
   * the modulus is even or outside RSA_MIN_BITS..RSA_MAX_BITS, or the
   * exponent is even, 1, or longer than 4 bytes.
   */
  static create(n: Uint8Array, e: Uint8Array): RsaPublicKey | null {
    const modulus = Modulus.fromBytes(n, RSA_MAX_BITS / 32);
    if (modulus === null) return null;
    const size = modulus.byteLength();
    if (size * 8 < RSA_MIN_BITS) return null;
    let first = 0;
    while (first < e.length && e[first] == 0) first++;
    const len = e.length - first;
    if (len == 0 || len > 4) return null;
    const last = e[e.length - 1];
    if ((last & 1) == 0 || (len == 1 && last == 1)) return null;
    return new RsaPublicKey(modulus, e.slice(first), size);
  }

  /** True when `signature` is a valid RS256 signature of a message whose SHA-256 is `hash`. */
  verifySha256(hash: Uint8Array, signature: Uint8Array): bool {
    if (hash.length != 32 || signature.length != this.size) return false;
    const s = this.modulus.reduced(signature);
    if (s === null) return false;
    const m: Limbs = this.modulus.fromMont(this.modulus.powMont(this.modulus.toMont(s), this.exponent));
    const em = limbsToBytes(m, this.size);
    return constantTimeEqual(em, expectedEncoding(hash, this.size));
  }
}

/** EM = 0x00 0x01 FF..FF 0x00 DigestInfo hash, `size` bytes. */
function expectedEncoding(hash: Uint8Array, size: i32): Uint8Array {
  const em = new Uint8Array(size);
  const tLen = SHA256_DIGEST_INFO.length + 32;
  em[1] = 1;
  const psEnd = size - tLen - 1;
  for (let i = 2; i < psEnd; i++) em[i] = 0xff;
  for (let i = 0; i < SHA256_DIGEST_INFO.length; i++) em[psEnd + 1 + i] = SHA256_DIGEST_INFO[i];
  em.set(hash, size - 32);
  return em;
}
