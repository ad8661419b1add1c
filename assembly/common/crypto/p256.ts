// ECDSA verification on NIST P-256 with SHA-256 (FIPS 186-4), the ES256 of
// JOSE. Points in Jacobian coordinates with Montgomery-form field elements;
// u1*G + u2*Q by Shamir's trick.
import { bitAt, compare, copyLimbs, isZero, Limbs, limbsFromBytes, subInto } from "./bignum";
import { Modulus } from "./modulus";

function hex(s: string): Uint8Array {
  const out = new Uint8Array(s.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = <u8>I32.parseInt(s.substr(i * 2, 2), 16);
  return out;
}

/** The curve's moduli and constants, made on first use. */
class Curve {
  p: Modulus = Modulus.fromBytes(hex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"), 8)!;
  n: Modulus = Modulus.fromBytes(hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"), 8)!;
  /** b in Montgomery form mod p. */
  b: Limbs = this.mont("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b");
  g: Point = new Point(
    this.mont("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"),
    this.mont("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"),
    copyLimbs(this.p.one),
  );

  private mont(h: string): Limbs {
    return this.p.toMont(limbsFromBytes(hex(h), 8)!);
  }
}

let curve: Curve | null = null;

function P256(): Curve {
  let c = curve;
  if (c === null) {
    c = new Curve();
    curve = c;
  }
  return c;
}

function field(): Modulus {
  return P256().p;
}

class Point {
  constructor(public x: Limbs, public y: Limbs, public z: Limbs) {}
  static infinity(): Point {
    return new Point(new StaticArray<u32>(8), new StaticArray<u32>(8), new StaticArray<u32>(8));
  }
  get isInfinity(): bool {
    return isZero(this.z);
  }
}

function fe(): Limbs {
  return new StaticArray<u32>(8);
}

// dbl-2001-b (a = -3)
function double(p: Point): Point {
  if (p.isInfinity || isZero(p.y)) return Point.infinity();
  const f = field();
  const delta = fe(), gamma = fe(), beta = fe(), alpha = fe(), t1 = fe(), t2 = fe();
  f.mul(delta, p.z, p.z);
  f.mul(gamma, p.y, p.y);
  f.mul(beta, p.x, gamma);
  f.sub(t1, p.x, delta);
  f.add(t2, p.x, delta);
  f.mul(alpha, t1, t2);
  f.add(t1, alpha, alpha);
  f.add(alpha, t1, alpha);
  const x3 = fe(), y3 = fe(), z3 = fe();
  f.mul(x3, alpha, alpha);
  const beta4 = fe();
  f.add(beta4, beta, beta);
  f.add(beta4, beta4, beta4);
  f.sub(x3, x3, beta4);
  f.sub(x3, x3, beta4);
  f.add(z3, p.y, p.z);
  f.mul(z3, z3, z3);
  f.sub(z3, z3, gamma);
  f.sub(z3, z3, delta);
  f.sub(t1, beta4, x3);
  f.mul(y3, alpha, t1);
  f.mul(t2, gamma, gamma);
  f.add(t2, t2, t2);
  f.add(t2, t2, t2);
  f.add(t2, t2, t2);
  f.sub(y3, y3, t2);
  return new Point(x3, y3, z3);
}

// add-2007-bl
function add(p: Point, q: Point): Point {
  if (p.isInfinity) return q;
  if (q.isInfinity) return p;
  const f = field();
  const z1z1 = fe(), z2z2 = fe(), u1 = fe(), u2 = fe(), s1 = fe(), s2 = fe();
  f.mul(z1z1, p.z, p.z);
  f.mul(z2z2, q.z, q.z);
  f.mul(u1, p.x, z2z2);
  f.mul(u2, q.x, z1z1);
  f.mul(s1, p.y, q.z);
  f.mul(s1, s1, z2z2);
  f.mul(s2, q.y, p.z);
  f.mul(s2, s2, z1z1);
  const h = fe(), r = fe();
  f.sub(h, u2, u1);
  f.sub(r, s2, s1);
  if (isZero(h)) return isZero(r) ? double(p) : Point.infinity();
  f.add(r, r, r);
  const i = fe(), j = fe(), v = fe();
  f.add(i, h, h);
  f.mul(i, i, i);
  f.mul(j, h, i);
  f.mul(v, u1, i);
  const x3 = fe(), y3 = fe(), z3 = fe(), t = fe();
  f.mul(x3, r, r);
  f.sub(x3, x3, j);
  f.sub(x3, x3, v);
  f.sub(x3, x3, v);
  f.sub(t, v, x3);
  f.mul(y3, r, t);
  f.mul(t, s1, j);
  f.add(t, t, t);
  f.sub(y3, y3, t);
  f.add(z3, p.z, q.z);
  f.mul(z3, z3, z3);
  f.sub(z3, z3, z1z1);
  f.sub(z3, z3, z2z2);
  f.mul(z3, z3, h);
  return new Point(x3, y3, z3);
}

export class P256PublicKey {
  private constructor(private q: Point) {}

  /** From the affine coordinates (JWK x and y, 32 bytes each); null unless the point is on the curve. */
  static create(x: Uint8Array, y: Uint8Array): P256PublicKey | null {
    if (x.length != 32 || y.length != 32) return null;
    const f = field();
    const xs = f.reduced(x), ys = f.reduced(y);
    if (xs === null || ys === null) return null;
    const xm = f.toMont(xs), ym = f.toMont(ys);
    // y^2 == x^3 - 3x + b
    const lhs = fe(), rhs = fe(), t = fe();
    f.mul(lhs, ym, ym);
    f.mul(rhs, xm, xm);
    f.mul(rhs, rhs, xm);
    f.add(t, xm, xm);
    f.add(t, t, xm);
    f.sub(rhs, rhs, t);
    f.add(rhs, rhs, P256().b);
    if (compare(lhs, rhs) != 0) return null;
    return new P256PublicKey(new Point(xm, ym, copyLimbs(f.one)));
  }

  /** True when `signature` (r || s, 64 bytes, as JWS ES256) signs a message whose SHA-256 is `hash`. */
  verifySha256(hash: Uint8Array, signature: Uint8Array): bool {
    if (hash.length != 32 || signature.length != 64) return false;
    const n = P256().n;
    const r = n.reduced(signature.subarray(0, 32));
    const s = n.reduced(signature.subarray(32, 64));
    if (r === null || s === null || isZero(r) || isZero(s)) return false;
    const e = limbsFromBytes(hash, 8)!;
    if (compare(e, n.m) >= 0) subInto(e, e, n.m);
    const w = n.invMont(n.toMont(s));
    const u1 = fe(), u2 = fe();
    n.mul(u1, e, w); // normal * Montgomery = normal
    n.mul(u2, r, w);

    const g = P256().g;
    const gq = add(g, this.q);
    let acc = Point.infinity();
    for (let i = 255; i >= 0; i--) {
      acc = double(acc);
      const b1 = bitAt(u1, i), b2 = bitAt(u2, i);
      if (b1 != 0 && b2 != 0) acc = add(acc, gq);
      else if (b1 != 0) acc = add(acc, g);
      else if (b2 != 0) acc = add(acc, this.q);
    }
    if (acc.isInfinity) return false;
    const f = field();
    const zinv = f.invMont(acc.z);
    const zinv2 = fe();
    f.mul(zinv2, zinv, zinv);
    const xm = fe();
    f.mul(xm, acc.x, zinv2);
    const x = f.fromMont(xm);
    if (compare(x, n.m) >= 0) subInto(x, x, n.m);
    return compare(x, r) == 0;
  }
}

