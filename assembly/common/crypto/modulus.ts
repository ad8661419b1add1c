// Arithmetic modulo an odd m in Montgomery form, for public-key verification
// (RSA modexp, P-256 field and scalar arithmetic).
//
// Values are passed as 32-bit limbs (bignum.ts); the Montgomery product runs
// on 28-bit limbs with 64-bit column accumulators: each step adds two 56-bit
// products to an accumulator with no carry to propagate, so the inner loop
// has no dependency chain through a carry (about 3x faster in V8 than 32-bit
// CIOS). Accumulators are normalized every 32 rounds, which keeps them below
// 2^63. R = 2^(28 k28), with k28 chosen so that 2m < R.
import { addInto, compare, copyLimbs, Limbs, limbsFromBytes, limbsToBytes, subInto } from "./bignum";

const BITS: u32 = 28;
const MASK: u64 = (1 << BITS) - 1;
const NORMALIZE_EVERY: i32 = 32;

function doubleMod(x: Limbs, m: Limbs): void {
  const carry = addInto(x, x, x);
  if (carry != 0 || compare(x, m) >= 0) subInto(x, x, m);
}

export class Modulus {
  /** 32-bit limbs of m. */
  readonly k: i32;
  readonly m: Limbs;
  /** R mod m: 1 in Montgomery form. */
  readonly one: Limbs;
  /** R^2 mod m. */
  private readonly r2: Limbs;
  /** 28-bit limbs of m, and how many. */
  private readonly k28: i32;
  private readonly m28: StaticArray<u32>;
  /** -m^-1 mod 2^28. */
  private readonly m0inv: u64;
  private readonly acc: StaticArray<u64>;
  private readonly xa: StaticArray<u32>;
  private readonly xb: StaticArray<u32>;

  private constructor(m: Limbs) {
    const k = m.length;
    this.k = k;
    this.m = m;
    const k28 = (32 * k) / 28 + 1;
    this.k28 = k28;
    this.m28 = new StaticArray<u32>(k28);
    this.acc = new StaticArray<u64>(k28);
    this.xa = new StaticArray<u32>(k28);
    this.xb = new StaticArray<u32>(k28);
    let inv: u32 = 1;
    for (let i = 0; i < 5; i++) inv *= 2 - m[0] * inv; // Newton: correct to 32 bits
    this.m0inv = <u64>(-inv) & MASK;
    // R mod m by doubling 1 (28 k28 times), then R^2 mod m by doubling R as often again.
    const x = new StaticArray<u32>(k);
    x[0] = 1;
    for (let i = 0; i < 28 * k28; i++) doubleMod(x, m);
    this.one = copyLimbs(x);
    for (let i = 0; i < 28 * k28; i++) doubleMod(x, m);
    this.r2 = x;
    to28(m, this.m28);
  }

  /** From big-endian bytes; null when even, < 3, or wider than maxLimbs 32-bit limbs. */
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

  /** Byte length of the modulus (e.g. 256 for RSA-2048). */
  byteLength(): i32 {
    const bits = 32 * this.k - <i32>clz(this.m[this.k - 1]);
    return (bits + 7) >> 3;
  }

  /** The value of big-endian bytes if it is < m, else null. */
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

  /** out = a * b / R mod m. out may alias a or b. */
  mul(out: Limbs, a: Limbs, b: Limbs): void {
    to28(a, this.xa);
    to28(b, this.xb);
    this.mul28(this.xa, this.xa, this.xb);
    from28(this.xa, out);
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

  /** base^exp, base and result in Montgomery form; exp as big-endian bytes. */
  powMont(base: Limbs, exp: Uint8Array): Limbs {
    const b = new StaticArray<u32>(this.k28);
    const acc = new StaticArray<u32>(this.k28);
    to28(base, b);
    to28(this.one, acc);
    let started = false; // squaring 1 is a no-op: skip the exponent's leading zero bits
    for (let i = 0; i < exp.length; i++) {
      const byte = <u32>exp[i];
      for (let bit = 7; bit >= 0; bit--) {
        if (started) this.mul28(acc, acc, acc);
        if (((byte >> <u32>bit) & 1) != 0) {
          this.mul28(acc, acc, b);
          started = true;
        }
      }
    }
    const out = new StaticArray<u32>(this.k);
    from28(acc, out);
    return out;
  }

  /** a^-1 for prime m (Fermat: a^(m-2)), Montgomery form in and out. */
  invMont(a: Limbs): Limbs {
    const two = new StaticArray<u32>(this.k);
    two[0] = 2;
    const e = new StaticArray<u32>(this.k);
    subInto(e, this.m, two);
    return this.powMont(a, limbsToBytes(e, this.k * 4));
  }

  // ---- wide form: values < m as 28-bit limbs (k28 of them), for callers that
  // chain many products (P-256 point arithmetic) without converting each time.

  /** A zero value in wide form. */
  wide(): StaticArray<u32> {
    return new StaticArray<u32>(this.k28);
  }

  /** `a` (32-bit limbs, < m) in wide form. */
  toWide(a: Limbs): StaticArray<u32> {
    const out = this.wide();
    to28(a, out);
    return out;
  }

  /** `x` (wide form) as 32-bit limbs. */
  fromWide(x: StaticArray<u32>): Limbs {
    const out = new StaticArray<u32>(this.k);
    from28(x, out);
    return out;
  }

  /** out = a * b / R mod m, all in wide form; out may alias a or b. */
  mulWide(out: StaticArray<u32>, a: StaticArray<u32>, b: StaticArray<u32>): void {
    this.mul28(out, a, b);
  }

  /** out = a + b mod m, wide form; out may alias a or b. */
  addWide(out: StaticArray<u32>, a: StaticArray<u32>, b: StaticArray<u32>): void {
    const k = this.k28;
    let c: u32 = 0;
    for (let j = 0; j < k; j++) {
      const v = unchecked(a[j]) + unchecked(b[j]) + c;
      unchecked((out[j] = v & <u32>MASK));
      c = v >> BITS;
    }
    // a + b < 2m < R: no carry out of the top limb; subtract m once when >= m.
    if (this.geM(out)) this.subM(out);
  }

  /** out = a - b mod m, wide form; out may alias a or b. */
  subWide(out: StaticArray<u32>, a: StaticArray<u32>, b: StaticArray<u32>): void {
    const k = this.k28;
    let borrow: i32 = 0;
    for (let j = 0; j < k; j++) {
      const d = <i32>unchecked(a[j]) - <i32>unchecked(b[j]) - borrow;
      borrow = d < 0 ? 1 : 0;
      unchecked((out[j] = <u32>d & <u32>MASK));
    }
    if (borrow == 0) return;
    let c: u32 = 0;
    const m = this.m28;
    for (let j = 0; j < k; j++) {
      const v = unchecked(out[j]) + unchecked(m[j]) + c;
      unchecked((out[j] = v & <u32>MASK));
      c = v >> BITS;
    }
  }

  private geM(x: StaticArray<u32>): bool {
    const m = this.m28;
    for (let j = this.k28 - 1; j >= 0; j--) {
      const a = unchecked(x[j]), b = unchecked(m[j]);
      if (a != b) return a > b;
    }
    return true;
  }

  private subM(x: StaticArray<u32>): void {
    const m = this.m28;
    let borrow: i32 = 0;
    for (let j = 0; j < this.k28; j++) {
      const d = <i32>unchecked(x[j]) - <i32>unchecked(m[j]) - borrow;
      borrow = d < 0 ? 1 : 0;
      unchecked((x[j] = <u32>d & <u32>MASK));
    }
  }

  /** Montgomery product on 28-bit limbs (both inputs < m); out may alias a or b. */
  private mul28(out: StaticArray<u32>, a: StaticArray<u32>, b: StaticArray<u32>): void {
    // Raw addresses: plain loads in the hot loop (indexed access costs a
    // call and a bounds check). The arrays stay alive through the arguments.
    const k = this.k28;
    const m = changetype<usize>(this.m28);
    const t = changetype<usize>(this.acc);
    const ap = changetype<usize>(a);
    const bp = changetype<usize>(b);
    const m0inv = this.m0inv;
    memory.fill(t, 0, <usize>k << 3);
    for (let i = 0; i < k; i++) {
      const bi = <u64>load<u32>(bp + (<usize>i << 2));
      let t0 = load<u64>(t) + <u64>load<u32>(ap) * bi;
      const q = ((t0 & MASK) * m0inv) & MASK;
      t0 += q * <u64>load<u32>(m);
      // t0 is now divisible by 2^28: divide the whole sum by shifting one limb down.
      for (let j = 1; j < k; j++) {
        const o = <usize>j;
        store<u64>(t + ((o - 1) << 3), load<u64>(t + (o << 3)) + <u64>load<u32>(ap + (o << 2)) * bi + q * <u64>load<u32>(m + (o << 2)));
      }
      store<u64>(t + ((<usize>k - 1) << 3), 0);
      store<u64>(t, load<u64>(t) + (t0 >> BITS));
      if (i % NORMALIZE_EVERY == NORMALIZE_EVERY - 1) normalize(t, k);
    }
    normalize(t, k);
    // t < 2m < R: subtract m once when t >= m.
    let ge = true;
    for (let j = k - 1; j >= 0; j--) {
      const x = load<u64>(t + (<usize>j << 3)), y = <u64>load<u32>(m + (<usize>j << 2));
      if (x != y) {
        ge = x > y;
        break;
      }
    }
    const op = changetype<usize>(out);
    if (ge) {
      let borrow: i64 = 0;
      for (let j = 0; j < k; j++) {
        const d = <i64>load<u64>(t + (<usize>j << 3)) - <i64>load<u32>(m + (<usize>j << 2)) - borrow;
        borrow = d < 0 ? 1 : 0;
        store<u32>(op + (<usize>j << 2), <u32>(<u64>d & MASK));
      }
    } else {
      for (let j = 0; j < k; j++) store<u32>(op + (<usize>j << 2), <u32>load<u64>(t + (<usize>j << 3)));
    }
  }
}

/** Propagates carries so every accumulator but the last holds 28 bits (t: address of k u64). */
function normalize(t: usize, k: i32): void {
  let c: u64 = 0;
  for (let j = 0; j < k - 1; j++) {
    const at = t + (<usize>j << 3);
    const v = load<u64>(at) + c;
    store<u64>(at, v & MASK);
    c = v >> BITS;
  }
  const top = t + (<usize>(k - 1) << 3);
  store<u64>(top, load<u64>(top) + c);
}

/** 32-bit limbs to 28-bit limbs (out is longer; high limbs become 0). */
function to28(a: Limbs, out: StaticArray<u32>): void {
  let acc: u64 = 0;
  let bits: u32 = 0;
  let o = 0;
  for (let i = 0; i < a.length; i++) {
    acc |= <u64>unchecked(a[i]) << bits;
    bits += 32;
    while (bits >= BITS && o < out.length) {
      unchecked((out[o++] = <u32>(acc & MASK)));
      acc >>= BITS;
      bits -= BITS;
    }
  }
  while (o < out.length) {
    unchecked((out[o++] = <u32>(acc & MASK)));
    acc >>= BITS;
  }
}

/** 28-bit limbs (value < 2^(32 out.length)) to 32-bit limbs. */
function from28(x: StaticArray<u32>, out: Limbs): void {
  let acc: u64 = 0;
  let bits: u32 = 0;
  let o = 0;
  for (let i = 0; i < x.length && o < out.length; i++) {
    acc |= <u64>unchecked(x[i]) << bits;
    bits += BITS;
    if (bits >= 32) {
      unchecked((out[o++] = <u32>acc));
      acc >>= 32;
      bits -= 32;
    }
  }
  if (o < out.length) unchecked((out[o++] = <u32>acc));
  while (o < out.length) unchecked((out[o++] = 0));
}
