// One slot of a limit's table in proxy-wasm shared data: whose budget it
// holds and the tokens used in each of the limit's windows.
//
// Layout (little endian): u32 window count, u32 identity byte length, then
// per window i64 window id and i64 tokens used, then the identity (UTF-8).
// An empty value is a slot never used. Anything that does not decode is
// treated as free, so a corrupt or foreign value never traps the VM.

export class SlotRecord {
  identity: string = "";
  windowIds: Array<i64>;
  used: Array<i64>;

  constructor(windows: i32) {
    this.windowIds = new Array<i64>(windows);
    this.used = new Array<i64>(windows);
  }

  /** Moves each window whose id is not `current[i]` to that window, with nothing used. */
  roll(current: Array<i64>): void {
    for (let i = 0; i < current.length; i++) {
      if (this.windowIds[i] != current[i]) {
        this.windowIds[i] = current[i];
        this.used[i] = 0;
      }
    }
  }

  /** True while any window is current and has tokens counted: the slot must not be reclaimed. */
  isLive(current: Array<i64>): bool {
    for (let i = 0; i < current.length; i++) {
      if (this.windowIds[i] == current[i] && this.used[i] > 0) return true;
    }
    return false;
  }

  encode(): ArrayBuffer {
    const id = String.UTF8.encode(this.identity);
    const n = this.windowIds.length;
    const buf = new ArrayBuffer(8 + n * 16 + id.byteLength);
    const base = changetype<usize>(buf);
    store<u32>(base, n);
    store<u32>(base + 4, id.byteLength);
    for (let i = 0; i < n; i++) {
      store<i64>(base + 8 + <usize>i * 16, this.windowIds[i]);
      store<i64>(base + 16 + <usize>i * 16, this.used[i]);
    }
    memory.copy(base + 8 + <usize>n * 16, changetype<usize>(id), id.byteLength);
    return buf;
  }

  /** Decodes a slot of a limit with `windows` windows; null when empty or not of that shape. */
  static decode(buf: ArrayBuffer | null, windows: i32): SlotRecord | null {
    if (buf === null || buf.byteLength < 8) return null;
    const base = changetype<usize>(buf);
    const n = load<u32>(base);
    const idLen = load<u32>(base + 4);
    if (n != <u32>windows || <i64>buf.byteLength != 8 + <i64>n * 16 + <i64>idLen) return null;
    const r = new SlotRecord(windows);
    for (let i = 0; i < windows; i++) {
      r.windowIds[i] = load<i64>(base + 8 + <usize>i * 16);
      r.used[i] = load<i64>(base + 16 + <usize>i * 16);
    }
    r.identity = String.UTF8.decodeUnsafe(base + 8 + <usize>n * 16, <usize>idLen);
    return r;
  }
}
