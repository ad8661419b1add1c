// SHA-256 (FIPS 180-4), one-shot over a byte array.
const K: StaticArray<u32> = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

export const SHA256_BLOCK: i32 = 64;

export function sha256(data: Uint8Array): Uint8Array {
  const h = new StaticArray<u32>(8);
  h[0] = 0x6a09e667; h[1] = 0xbb67ae85; h[2] = 0x3c6ef372; h[3] = 0xa54ff53a;
  h[4] = 0x510e527f; h[5] = 0x9b05688c; h[6] = 0x1f83d9ab; h[7] = 0x5be0cd19;
  const w = new StaticArray<u32>(64);
  const n = data.length;
  const full = n >> 6;
  for (let b = 0; b < full; b++) compress(h, w, data, b << 6);

  // Final one or two blocks: the remaining bytes, 0x80, zeros, 64-bit bit length.
  const tail = new Uint8Array(128);
  const rest = n - (full << 6);
  for (let i = 0; i < rest; i++) tail[i] = data[(full << 6) + i];
  tail[rest] = 0x80;
  const tailLen = rest < 56 ? 64 : 128;
  const bits = (<u64>n) << 3;
  for (let i = 0; i < 8; i++) tail[tailLen - 1 - i] = <u8>(bits >> (<u64>(i * 8)));
  compress(h, w, tail, 0);
  if (tailLen == 128) compress(h, w, tail, 64);

  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = h[i];
    out[i * 4] = <u8>(v >> 24);
    out[i * 4 + 1] = <u8>(v >> 16);
    out[i * 4 + 2] = <u8>(v >> 8);
    out[i * 4 + 3] = <u8>v;
  }
  return out;
}

function compress(h: StaticArray<u32>, w: StaticArray<u32>, data: Uint8Array, at: i32): void {
  for (let i = 0; i < 16; i++) {
    const p = at + i * 4;
    unchecked((w[i] = (<u32>data[p] << 24) | (<u32>data[p + 1] << 16) | (<u32>data[p + 2] << 8) | <u32>data[p + 3]));
  }
  for (let i = 16; i < 64; i++) {
    const w15 = unchecked(w[i - 15]);
    const w2 = unchecked(w[i - 2]);
    const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3);
    const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10);
    unchecked((w[i] = unchecked(w[i - 16]) + s0 + unchecked(w[i - 7]) + s1));
  }
  let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (let i = 0; i < 64; i++) {
    const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
    const ch = (e & f) ^ (~e & g);
    const t1 = hh + S1 + ch + unchecked(K[i]) + unchecked(w[i]);
    const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = S0 + maj;
    hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

// @ts-ignore: decorator
@inline function rotr(x: u32, n: u32): u32 {
  return (x >> n) | (x << (32 - n));
}
