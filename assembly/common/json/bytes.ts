// A growable byte buffer: the output side of the writer and of rewrites.
export class ByteSink {
  private buf: ArrayBuffer;
  length: i32 = 0;

  constructor(capacity: i32 = 256) {
    this.buf = new ArrayBuffer(max(capacity, 16));
  }

  /** Makes room for `n` more bytes. */
  reserve(n: i32): void {
    const need = this.length + n;
    const cap = this.buf.byteLength;
    if (need <= cap) return;
    let next = cap << 1;
    if (next < need) next = need;
    const grown = new ArrayBuffer(next);
    memory.copy(changetype<usize>(grown), changetype<usize>(this.buf), <usize>this.length);
    this.buf = grown;
  }

  byte(b: u32): void {
    this.reserve(1);
    store<u8>(changetype<usize>(this.buf) + <usize>this.length, <u8>b);
    this.length++;
  }

  /** Appends `n` bytes from linear memory at `ptr`. */
  copyFrom(ptr: usize, n: i32): void {
    if (n <= 0) return;
    this.reserve(n);
    memory.copy(changetype<usize>(this.buf) + <usize>this.length, ptr, <usize>n);
    this.length += n;
  }

  bytes(b: ArrayBuffer): void {
    this.copyFrom(changetype<usize>(b), b.byteLength);
  }

  /** Appends bytes [start, end) of `b`; the caller keeps the range inside `b`. */
  range(b: ArrayBuffer, start: i32, end: i32): void {
    this.copyFrom(changetype<usize>(b) + <usize>start, end - start);
  }

  /** Appends a string that is known to be ASCII (literals, numbers). */
  ascii(s: string): void {
    const n = s.length;
    this.reserve(n);
    const dst = changetype<usize>(this.buf) + <usize>this.length;
    for (let i = 0; i < n; i++) store<u8>(dst + <usize>i, <u8>s.charCodeAt(i));
    this.length += n;
  }

  /** Pointer to the next free byte; valid until the next reserve. */
  get cursor(): usize {
    return changetype<usize>(this.buf) + <usize>this.length;
  }

  toBuffer(): ArrayBuffer {
    return this.buf.slice(0, this.length);
  }

  toText(): string {
    return String.UTF8.decodeUnsafe(changetype<usize>(this.buf), <usize>this.length);
  }
}
