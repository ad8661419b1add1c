// Fixed-width unsigned big integers as little-endian u32 limbs: conversion
// from and to big-endian bytes, comparison, addition and subtraction.
// Modular arithmetic is in modulus.ts. Nothing here is constant-time, as
// verification handles only public values.

export type Limbs = StaticArray<u32>;

/** Big-endian bytes to `k` limbs; null when the value needs more than k limbs. */
export function limbsFromBytes(bytes: Uint8Array, k: i32): Limbs | null {
  const out = new StaticArray<u32>(k);
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const byte = <u32>bytes[n - 1 - i];
    if (byte == 0) continue;
    const limb = i >> 2;
    if (limb >= k) return null;
    out[limb] |= byte << (<u32>(i & 3) << 3);
  }
  return out;
}

/** `a` as exactly `len` big-endian bytes (high limbs beyond len are dropped). */
export function limbsToBytes(a: Limbs, len: i32): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) {
    const limb = i >> 2;
    if (limb >= a.length) break;
    out[len - 1 - i] = <u8>(a[limb] >> (<u32>(i & 3) << 3));
  }
  return out;
}

export function isZero(a: Limbs): bool {
  for (let i = 0; i < a.length; i++) if (a[i] != 0) return false;
  return true;
}

/** -1, 0 or 1; both of the same width. */
export function compare(a: Limbs, b: Limbs): i32 {
  for (let i = a.length - 1; i >= 0; i--) {
    const x = unchecked(a[i]), y = unchecked(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

export function equal(a: Limbs, b: Limbs): bool {
  return compare(a, b) == 0;
}

/** out = a - b, returns the borrow (0 or 1). out may alias a or b. */
export function subInto(out: Limbs, a: Limbs, b: Limbs): u32 {
  let borrow: i64 = 0;
  for (let i = 0; i < a.length; i++) {
    const d = <i64>unchecked(a[i]) - <i64>unchecked(b[i]) - borrow;
    unchecked((out[i] = <u32>d));
    borrow = d < 0 ? 1 : 0;
  }
  return <u32>borrow;
}

/** out = a + b, returns the carry. out may alias a or b. */
export function addInto(out: Limbs, a: Limbs, b: Limbs): u32 {
  let carry: u64 = 0;
  for (let i = 0; i < a.length; i++) {
    const s = <u64>unchecked(a[i]) + <u64>unchecked(b[i]) + carry;
    unchecked((out[i] = <u32>s));
    carry = s >> 32;
  }
  return <u32>carry;
}

export function copyLimbs(a: Limbs): Limbs {
  const out = new StaticArray<u32>(a.length);
  for (let i = 0; i < a.length; i++) unchecked((out[i] = a[i]));
  return out;
}

/** Bit i of a (little-endian bit order). */
export function bitAt(a: Limbs, i: i32): u32 {
  return (unchecked(a[i >> 5]) >> <u32>(i & 31)) & 1;
}
