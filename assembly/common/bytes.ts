// A growable byte buffer, the one byte builder of the shared code: JSON
// writer and rewrites build bodies in it, and the SSE parser and writer reuse
// one per stream across chunks (clear() keeps the backing store), so they only
// reallocate when it must grow.

export class ByteBuf {
  private store: ArrayBuffer;
  private used: i32 = 0;

  constructor(initialCapacity: i32 = 64) {
    this.store = new ArrayBuffer(initialCapacity > 0 ? initialCapacity : 16);
  }

  get length(): i32 {
    return this.used;
  }

  /** Address of the first byte; valid until the next append. */
  get dataStart(): usize {
    return changetype<usize>(this.store);
  }

  clear(): void {
    this.used = 0;
  }

  /** Makes room for `extra` more bytes. */
  reserve(extra: i32): void {
    const need = this.used + extra;
    let cap = this.store.byteLength;
    if (need <= cap) return;
    while (cap < need) cap = cap < 1 << 29 ? cap << 1 : need;
    const grown = new ArrayBuffer(cap);
    memory.copy(changetype<usize>(grown), changetype<usize>(this.store), <usize>this.used);
    this.store = grown;
  }

  /**
   * Room for `extra` more bytes, returned as the address to write them at;
   * then commit() how many were written. For writers that fill bytes in a
   * loop without a capacity check per byte.
   */
  claim(extra: i32): usize {
    this.reserve(extra);
    return changetype<usize>(this.store) + <usize>this.used;
  }

  /** Counts `n` bytes written at the address claim() returned. */
  commit(n: i32): void {
    this.used += n;
  }

  /** Appends `v` in decimal, without a string in between. */
  pushInt(v: i64): void {
    let magnitude: u64 = v < 0 ? <u64>0 - <u64>v : <u64>v;
    let digits = 1;
    for (let m = magnitude; m >= 10; m /= 10) digits++;
    const sign = v < 0 ? 1 : 0;
    const out = this.claim(digits + sign);
    if (sign) store<u8>(out, 0x2d);
    for (let i = digits + sign - 1; i >= sign; i--) {
      store<u8>(out + <usize>i, <u8>(0x30 + magnitude % 10));
      magnitude /= 10;
    }
    this.commit(digits + sign);
  }

  /** Appends the low byte of `b`. */
  pushByte(b: u32): void {
    this.reserve(1);
    store<u8>(changetype<usize>(this.store) + <usize>this.used, <u8>b);
    this.used += 1;
  }

  pushRaw(ptr: usize, len: i32): void {
    if (len <= 0) return;
    this.reserve(len);
    memory.copy(changetype<usize>(this.store) + <usize>this.used, ptr, <usize>len);
    this.used += len;
  }

  pushBuffer(buf: ArrayBuffer): void {
    this.pushRaw(changetype<usize>(buf), buf.byteLength);
  }

  /** Appends bytes [start, end) of `buf`; the caller keeps the range inside `buf`. */
  pushRange(buf: ArrayBuffer, start: i32, end: i32): void {
    this.pushRaw(changetype<usize>(buf) + <usize>start, end - start);
  }

  /** Appends a string known to be ASCII (literals, numbers), skipping the UTF-8 check. */
  pushAscii(s: string): void {
    const n = s.length;
    this.reserve(n);
    const base = changetype<usize>(this.store) + <usize>this.used;
    for (let i = 0; i < n; i++) store<u8>(base + <usize>i, <u8>s.charCodeAt(i));
    this.used += n;
  }

  /** Appends the UTF-8 encoding of `s` without an intermediate buffer for ASCII text. */
  pushString(s: string): void {
    const n = s.length;
    let ascii = true;
    for (let i = 0; i < n; i++) {
      if (<u32>s.charCodeAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (!ascii) {
      this.pushBuffer(String.UTF8.encode(s));
      return;
    }
    this.reserve(n);
    const base = changetype<usize>(this.store) + <usize>this.used;
    for (let i = 0; i < n; i++) store<u8>(base + <usize>i, <u8>s.charCodeAt(i));
    this.used += n;
  }

  /** A copy of bytes [start, end). */
  slice(start: i32, end: i32): ArrayBuffer {
    if (start < 0) start = 0;
    if (end > this.used) end = this.used;
    if (end <= start) return new ArrayBuffer(0);
    const out = new ArrayBuffer(end - start);
    memory.copy(changetype<usize>(out), changetype<usize>(this.store) + <usize>start, <usize>(end - start));
    return out;
  }

  /** A copy of the whole content. */
  toArrayBuffer(): ArrayBuffer {
    return this.slice(0, this.used);
  }

  /** The content decoded as UTF-8. */
  toText(): string {
    return String.UTF8.decodeUnsafe(changetype<usize>(this.store), <usize>this.used);
  }

  /** Drops the first `n` bytes, moving the rest to the front. */
  shift(n: i32): void {
    if (n <= 0) return;
    if (n >= this.used) {
      this.used = 0;
      return;
    }
    const base = changetype<usize>(this.store);
    memory.copy(base, base + <usize>n, <usize>(this.used - n));
    this.used -= n;
  }

  /** Gives memory back when a burst made the store much larger than usual. */
  shrinkTo(capacity: i32): void {
    if (this.store.byteLength <= capacity || this.used > capacity) return;
    const smaller = new ArrayBuffer(capacity);
    memory.copy(changetype<usize>(smaller), changetype<usize>(this.store), <usize>this.used);
    this.store = smaller;
  }
}

/** True when bytes at `ptr` (length `len`) equal the ASCII string `s`. */
export function bytesEqualAscii(ptr: usize, len: i32, s: string): bool {
  if (len != s.length) return false;
  for (let i = 0; i < len; i++) {
    if (<u32>load<u8>(ptr + <usize>i) != <u32>s.charCodeAt(i)) return false;
  }
  return true;
}
