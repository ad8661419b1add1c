export { sha256 } from "./sha256";
export { hmacSha256, constantTimeEqual } from "./hmac";
export { base64UrlDecode, base64UrlEncode } from "./base64url";
export { Limbs, limbsFromBytes, limbsToBytes } from "./bignum";
export { Modulus } from "./modulus";
export { RsaPublicKey, RSA_MIN_BITS, RSA_MAX_BITS } from "./rsa";
export { P256PublicKey } from "./p256";
