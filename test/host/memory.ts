// Access to a module's linear memory, the way proxy-wasm-cpp-host does it:
// reads are bounds-checked (a bad pointer is InvalidMemoryAccess, not a host
// crash) and buffers handed to the module are allocated with its `malloc`.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

export function fromUtf8(b: Uint8Array): string {
  return decoder.decode(b);
}

export class GuestMemory {
  constructor(
    private readonly memory: () => WebAssembly.Memory,
    private readonly malloc: (size: number) => number,
  ) {}

  private get buffer(): ArrayBuffer {
    return this.memory().buffer;
  }

  /** Size of the guest's linear memory now. */
  get byteLength(): number {
    return this.buffer.byteLength;
  }

  inBounds(ptr: number, size: number): boolean {
    return ptr >= 0 && size >= 0 && ptr + size <= this.buffer.byteLength;
  }

  /** A copy of `size` bytes at `ptr`, or null when the range is outside memory. */
  read(ptr: number, size: number): Uint8Array | null {
    ptr >>>= 0;
    size >>>= 0;
    if (!this.inBounds(ptr, size)) return null;
    return new Uint8Array(this.buffer.slice(ptr, ptr + size));
  }

  readText(ptr: number, size: number): string | null {
    const b = this.read(ptr, size);
    return b === null ? null : fromUtf8(b);
  }

  write(ptr: number, data: Uint8Array): boolean {
    ptr >>>= 0;
    if (!this.inBounds(ptr, data.length)) return false;
    new Uint8Array(this.buffer, ptr, data.length).set(data);
    return true;
  }

  writeU32(ptr: number, value: number): boolean {
    ptr >>>= 0;
    if (!this.inBounds(ptr, 4)) return false;
    new DataView(this.buffer).setUint32(ptr, value >>> 0, true);
    return true;
  }

  writeU64(ptr: number, value: bigint): boolean {
    ptr >>>= 0;
    if (!this.inBounds(ptr, 8)) return false;
    new DataView(this.buffer).setBigUint64(ptr, BigInt.asUintN(64, value), true);
    return true;
  }

  readU64(ptr: number): bigint | null {
    ptr >>>= 0;
    if (!this.inBounds(ptr, 8)) return null;
    return new DataView(this.buffer).getBigUint64(ptr, true);
  }

  /** Copies `data` into memory from the module's malloc (for tests that call host functions directly). */
  alloc(data: Uint8Array | string): number {
    const bytes = typeof data === "string" ? utf8(data) : data;
    const ptr = this.malloc(Math.max(bytes.length, 1)) >>> 0;
    this.write(ptr, bytes);
    return ptr;
  }

  /** Reads a (pointer, size) pair of out-parameters the host filled in. */
  readOut(ptrPtr: number, sizePtr: number): Uint8Array | null {
    const ptr = this.readU32(ptrPtr);
    const size = this.readU32(sizePtr);
    if (ptr === null || size === null) return null;
    return size === 0 ? new Uint8Array(0) : this.read(ptr, size);
  }

  readU32(ptr: number): number | null {
    ptr >>>= 0;
    if (!this.inBounds(ptr, 4)) return null;
    return new DataView(this.buffer).getUint32(ptr, true);
  }

  /**
   * Hands `data` to the module: allocates it with the module's malloc and
   * writes the pointer and size into the two out-parameters (wasm32 words).
   * An empty value is reported as pointer 0, size 0 without allocating.
   */
  copyOut(data: Uint8Array, ptrPtr: number, sizePtr: number): boolean {
    let ptr = 0;
    if (data.length > 0) {
      ptr = this.malloc(data.length) >>> 0;
      if (ptr === 0 || !this.write(ptr, data)) return false;
    }
    return this.writeU32(ptrPtr, ptr) && this.writeU32(sizePtr, data.length);
  }
}
