// Fixed-width unsigned big integers as little-endian u32 limbs, and modular
// arithmetic in Montgomery form for an odd modulus. Enough for public-key
// verification (RSA modexp, P-256 field and scalar arithmetic); nothing here
// is constant-time, as verification handles only public values.

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

function doubleMod(x: Limbs, m: Limbs): void {
  const carry = addInto(x, x, x);
  if (carry != 0 || compare(x, m) >= 0) subInto(x, x, m);
}

/** Arithmetic modulo an odd m > 1 of k limbs; values are Limbs of width k, reduced. */
export class Modulus {
  readonly k: i32;
  readonly m: Limbs;
  /** -m^-1 mod 2^32. */
  private readonly m0inv: u32;
  /** R^2 mod m, R = 2^(32k). */
  private readonly r2: Limbs;
  /** R mod m: 1 in Montgomery form. */
  readonly one: Limbs;
  private readonly t: StaticArray<u32>;

  private constructor(m: Limbs) {
    const k = m.length;
    this.k = k;
    this.m = m;
    let inv: u32 = 1;
    for (let i = 0; i < 5; i++) inv *= 2 - m[0] * inv; // Newton: correct to 32 bits
    this.m0inv = -inv;
    this.t = new StaticArray<u32>(k + 2);
    // R mod m by doubling 1, then R^2 mod m by doubling R another 32k times.
    const x = new StaticArray<u32>(k);
    x[0] = 1;
    for (let i = 0; i < 32 * k; i++) doubleMod(x, m);
    this.one = copyLimbs(x);
    for (let i = 0; i < 32 * k; i++) doubleMod(x, m);
    this.r2 = x;
  }

  /** From big-endian bytes; null when even, < 3, or wider than maxLimbs. */
  static fromBytes(bytes: Uint8Array, maxLimbs: i32): Modulus | null {
    let first = 0;
    while (first < bytes.length && bytes[first] == 0) first++;
    const len = bytes.length - first;
    if (len == 0) return null;
    const k = (len + 3) >> 2;
    if (k > maxLimbs) return null;
    const m = limbsFromBytes(bytes, k);
    if (m === null) return null;
    if ((m[0] & 1) == 0) return null;
    if (k == 1 && m[0] < 3) return null;
    return new Modulus(m);
  }

  /** Bytes length of the modulus (e.g. 256 for RSA-2048). */
  byteLength(): i32 {
    let bits = 32 * this.k;
    const top = this.m[this.k - 1];
    bits -= <i32>clz(top);
    return (bits + 7) >> 3;
  }

  /** Value from big-endian bytes if it is < m (null otherwise). */
  reduced(bytes: Uint8Array): Limbs | null {
    const v = limbsFromBytes(bytes, this.k);
    if (v === null || compare(v, this.m) >= 0) return null;
    return v;
  }

  add(out: Limbs, a: Limbs, b: Limbs): void {
    const carry = addInto(out, a, b);
    if (carry != 0 || compare(out, this.m) >= 0) subInto(out, out, this.m);
  }

  sub(out: Limbs, a: Limbs, b: Limbs): void {
    if (subInto(out, a, b) != 0) addInto(out, out, this.m);
  }

  /** out = a * b / R mod m (Montgomery product, CIOS). out may alias a or b. */
  mul(out: Limbs, a: Limbs, b: Limbs): void {
    const k = this.k;
    const m = this.m;
    const t = this.t;
    for (let i = 0; i < k + 2; i++) unchecked((t[i] = 0));
    for (let i = 0; i < k; i++) {
      const bi = <u64>unchecked(b[i]);
      let c: u64 = 0;
      for (let j = 0; j < k; j++) {
        const s = <u64>unchecked(t[j]) + <u64>unchecked(a[j]) * bi + c;
        unchecked((t[j] = <u32>s));
        c = s >> 32;
      }
      let s = <u64>unchecked(t[k]) + c;
      unchecked((t[k] = <u32>s));
      unchecked((t[k + 1] = <u32>(s >> 32)));
      const q = <u64>(unchecked(t[0]) * this.m0inv);
      s = <u64>unchecked(t[0]) + q * <u64>unchecked(m[0]);
      c = s >> 32;
      for (let j = 1; j < k; j++) {
        s = <u64>unchecked(t[j]) + q * <u64>unchecked(m[j]) + c;
        unchecked((t[j - 1] = <u32>s));
        c = s >> 32;
      }
      s = <u64>unchecked(t[k]) + c;
      unchecked((t[k - 1] = <u32>s));
      unchecked((t[k] = unchecked(t[k + 1]) + <u32>(s >> 32)));
    }
    // t < 2m: subtract m once when t >= m.
    let ge = t[k] != 0;
    if (!ge) {
      ge = true;
      for (let i = k - 1; i >= 0; i--) {
        const x = unchecked(t[i]), y = unchecked(m[i]);
        if (x != y) { ge = x > y; break; }
      }
    }
    let borrow: i64 = 0;
    for (let i = 0; i < k; i++) {
      if (ge) {
        const d = <i64>unchecked(t[i]) - <i64>unchecked(m[i]) - borrow;
        unchecked((out[i] = <u32>d));
        borrow = d < 0 ? 1 : 0;
      } else {
        unchecked((out[i] = t[i]));
      }
    }
  }

  toMont(a: Limbs): Limbs {
    const out = new StaticArray<u32>(this.k);
    this.mul(out, a, this.r2);
    return out;
  }

  fromMont(a: Limbs): Limbs {
    const one = new StaticArray<u32>(this.k);
    one[0] = 1;
    const out = new StaticArray<u32>(this.k);
    this.mul(out, a, one);
    return out;
  }

  /** base^exp with base in Montgomery form; the result is in Montgomery form. exp: big-endian bytes. */
  powMont(base: Limbs, exp: Uint8Array): Limbs {
    const acc = copyLimbs(this.one);
    for (let i = 0; i < exp.length; i++) {
      const byte = <u32>exp[i];
      for (let bit = 7; bit >= 0; bit--) {
        this.mul(acc, acc, acc);
        if (((byte >> <u32>bit) & 1) != 0) this.mul(acc, acc, base);
      }
    }
    return acc;
  }

  /** a^-1 for prime m (Fermat: a^(m-2)), Montgomery form in and out. */
  invMont(a: Limbs): Limbs {
    const two = new StaticArray<u32>(this.k);
    two[0] = 2;
    const e = new StaticArray<u32>(this.k);
    subInto(e, this.m, two);
    return this.powMont(a, limbsToBytes(e, this.k * 4));
  }
}
