// ECDSA verification on NIST P-256 with SHA-256 (FIPS 186-4), the ES256 of
// JOSE. Points in Jacobian coordinates with Montgomery-form field elements
// kept in the modulus's wide form (28-bit limbs) from start to end, point
// formulas on reused temporaries (a verification makes about 450 point
// operations: converting or allocating in each was most of its time);
// u1*G + u2*Q by Shamir's trick.
import { bitAt, compare, isZero, Limbs, limbsFromBytes, subInto } from "./bignum";
import { Modulus } from "./modulus";

function hex(s: string): Uint8Array {
  const out = new Uint8Array(s.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = <u8>I32.parseInt(s.substr(i * 2, 2), 16);
  return out;
}

type Wide = StaticArray<u32>;

/** The curve's moduli and constants, made on first use. */
class Curve {
  p: Modulus = Modulus.fromBytes(hex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"), 8)!;
  n: Modulus = Modulus.fromBytes(hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"), 8)!;
  /** b in Montgomery form mod p (wide). */
  b: Wide = this.mont("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b");
  g: Point = new Point(
    this.mont("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"),
    this.mont("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"),
    this.p.toWide(this.p.one),
  );
  /** Temporaries of the point formulas, reused by every operation (one verification at a time per VM). */
  t: Array<Wide> = new Array<Wide>();

  constructor() {
    for (let i = 0; i < 12; i++) this.t.push(this.p.wide());
  }

  private mont(h: string): Wide {
    return this.p.toWide(this.p.toMont(limbsFromBytes(hex(h), 8)!));
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

/** A point in Jacobian coordinates, field elements in wide Montgomery form; z = 0 is the point at infinity. */
class Point {
  constructor(public x: Wide, public y: Wide, public z: Wide) {}

  static infinity(): Point {
    const f = P256().p;
    return new Point(f.wide(), f.wide(), f.wide());
  }

  get isInfinity(): bool {
    return isZeroWide(this.z);
  }

  set(x: Wide, y: Wide, z: Wide): void {
    copyWide(this.x, x);
    copyWide(this.y, y);
    copyWide(this.z, z);
  }

  setInfinity(): void {
    this.z.fill(0);
  }
}

function isZeroWide(a: Wide): bool {
  for (let i = 0; i < a.length; i++) if (unchecked(a[i]) != 0) return false;
  return true;
}

function equalWide(a: Wide, b: Wide): bool {
  for (let i = 0; i < a.length; i++) if (unchecked(a[i]) != unchecked(b[i])) return false;
  return true;
}

function copyWide(to: Wide, from: Wide): void {
  for (let i = 0; i < to.length; i++) unchecked((to[i] = from[i]));
}

// dbl-2001-b (a = -3); out may be p.
function double(out: Point, p: Point): void {
  if (p.isInfinity || isZeroWide(p.y)) {
    out.setInfinity();
    return;
  }
  const c = P256();
  const f = c.p;
  const t = c.t;
  const delta = t[0], gamma = t[1], beta = t[2], alpha = t[3], t1 = t[4], t2 = t[5];
  const x3 = t[6], y3 = t[7], z3 = t[8], beta4 = t[9];
  f.mulWide(delta, p.z, p.z);
  f.mulWide(gamma, p.y, p.y);
  f.mulWide(beta, p.x, gamma);
  f.subWide(t1, p.x, delta);
  f.addWide(t2, p.x, delta);
  f.mulWide(alpha, t1, t2);
  f.addWide(t1, alpha, alpha);
  f.addWide(alpha, t1, alpha);
  f.mulWide(x3, alpha, alpha);
  f.addWide(beta4, beta, beta);
  f.addWide(beta4, beta4, beta4);
  f.subWide(x3, x3, beta4);
  f.subWide(x3, x3, beta4);
  f.addWide(z3, p.y, p.z);
  f.mulWide(z3, z3, z3);
  f.subWide(z3, z3, gamma);
  f.subWide(z3, z3, delta);
  f.subWide(t1, beta4, x3);
  f.mulWide(y3, alpha, t1);
  f.mulWide(t2, gamma, gamma);
  f.addWide(t2, t2, t2);
  f.addWide(t2, t2, t2);
  f.addWide(t2, t2, t2);
  f.subWide(y3, y3, t2);
  out.set(x3, y3, z3);
}

// add-2007-bl; out may be p or q.
function add(out: Point, p: Point, q: Point): void {
  if (p.isInfinity) {
    out.set(q.x, q.y, q.z);
    return;
  }
  if (q.isInfinity) {
    out.set(p.x, p.y, p.z);
    return;
  }
  const c = P256();
  const f = c.p;
  const t = c.t;
  const z1z1 = t[0], z2z2 = t[1], u1 = t[2], u2 = t[3], s1 = t[4], s2 = t[5];
  f.mulWide(z1z1, p.z, p.z);
  f.mulWide(z2z2, q.z, q.z);
  f.mulWide(u1, p.x, z2z2);
  f.mulWide(u2, q.x, z1z1);
  f.mulWide(s1, p.y, q.z);
  f.mulWide(s1, s1, z2z2);
  f.mulWide(s2, q.y, p.z);
  f.mulWide(s2, s2, z1z1);
  const h = t[6], r = t[7];
  f.subWide(h, u2, u1);
  f.subWide(r, s2, s1);
  if (isZeroWide(h)) {
    if (isZeroWide(r)) double(out, p);
    else out.setInfinity();
    return;
  }
  f.addWide(r, r, r);
  const i = t[8], j = t[9], v = t[10], x3 = t[11];
  f.addWide(i, h, h);
  f.mulWide(i, i, i);
  f.mulWide(j, h, i);
  f.mulWide(v, u1, i);
  f.mulWide(x3, r, r);
  f.subWide(x3, x3, j);
  f.subWide(x3, x3, v);
  f.subWide(x3, x3, v);
  // y3 = r (v - x3) - 2 s1 j, into v; z3 = ((z1 + z2)^2 - z1z1 - z2z2) h, into u2.
  f.subWide(v, v, x3);
  f.mulWide(v, r, v);
  f.mulWide(s1, s1, j);
  f.addWide(s1, s1, s1);
  f.subWide(v, v, s1);
  f.addWide(u2, p.z, q.z);
  f.mulWide(u2, u2, u2);
  f.subWide(u2, u2, z1z1);
  f.subWide(u2, u2, z2z2);
  f.mulWide(u2, u2, h);
  out.set(x3, v, u2);
}

export class P256PublicKey {
  private constructor(private q: Point) {}

  /** From the affine coordinates (JWK x and y, 32 bytes each); null unless the point is on the curve. */
  static create(x: Uint8Array, y: Uint8Array): P256PublicKey | null {
    if (x.length != 32 || y.length != 32) return null;
    const c = P256();
    const f = c.p;
    const xs = f.reduced(x), ys = f.reduced(y);
    if (xs === null || ys === null) return null;
    const xm = f.toWide(f.toMont(xs)), ym = f.toWide(f.toMont(ys));
    // y^2 == x^3 - 3x + b
    const lhs = f.wide(), rhs = f.wide(), t = f.wide();
    f.mulWide(lhs, ym, ym);
    f.mulWide(rhs, xm, xm);
    f.mulWide(rhs, rhs, xm);
    f.addWide(t, xm, xm);
    f.addWide(t, t, xm);
    f.subWide(rhs, rhs, t);
    f.addWide(rhs, rhs, c.b);
    if (!equalWide(lhs, rhs)) return null;
    return new P256PublicKey(new Point(xm, ym, f.toWide(f.one)));
  }

  /** True when `signature` (r || s, 64 bytes, as JWS ES256) signs a message whose SHA-256 is `hash`. */
  verifySha256(hash: Uint8Array, signature: Uint8Array): bool {
    if (hash.length != 32 || signature.length != 64) return false;
    const c = P256();
    const n = c.n;
    const r = n.reduced(signature.subarray(0, 32));
    const s = n.reduced(signature.subarray(32, 64));
    if (r === null || s === null || isZero(r) || isZero(s)) return false;
    const e = limbsFromBytes(hash, 8)!;
    if (compare(e, n.m) >= 0) subInto(e, e, n.m);
    const w = n.invMont(n.toMont(s));
    const u1 = fe(), u2 = fe();
    n.mul(u1, e, w); // normal * Montgomery = normal
    n.mul(u2, r, w);

    const g = c.g;
    const gq = Point.infinity();
    add(gq, g, this.q);
    const acc = Point.infinity();
    for (let i = 255; i >= 0; i--) {
      double(acc, acc);
      const b1 = bitAt(u1, i), b2 = bitAt(u2, i);
      if (b1 != 0 && b2 != 0) add(acc, acc, gq);
      else if (b1 != 0) add(acc, acc, g);
      else if (b2 != 0) add(acc, acc, this.q);
    }
    if (acc.isInfinity) return false;
    const f = c.p;
    const zinv = f.toWide(f.invMont(f.fromWide(acc.z)));
    const zinv2 = f.wide();
    f.mulWide(zinv2, zinv, zinv);
    const xm = f.wide();
    f.mulWide(xm, acc.x, zinv2);
    const x = f.fromMont(f.fromWide(xm));
    if (compare(x, n.m) >= 0) subInto(x, x, n.m);
    return compare(x, r) == 0;
  }
}

function fe(): Limbs {
  return new StaticArray<u32>(8);
}
