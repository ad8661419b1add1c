export { sha256 } from "./sha256";
export { hmacSha256, constantTimeEqual } from "./hmac";
export { base64UrlDecode, base64UrlEncode } from "./base64url";
export { Modulus, Limbs, limbsFromBytes, limbsToBytes } from "./bignum";
export { RsaPublicKey, RSA_MIN_BITS, RSA_MAX_BITS } from "./rsa";
export { P256PublicKey } from "./p256";
