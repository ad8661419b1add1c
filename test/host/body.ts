// A body buffer with the edits Envoy's wasm Buffer::copyFrom allows:
// start 0 drains `length` bytes then prepends (so (0, size) replaces and
// (0, 0) prepends); start at or past the end appends; any other start is
// BadArgument.
import { WasmResult } from "./abi.ts";

export class BodyBuffer {
  constructor(public bytes: Uint8Array = new Uint8Array(0)) {}

  get length(): number {
    return this.bytes.length;
  }

  append(data: Uint8Array): void {
    if (data.length === 0) return;
    const out = new Uint8Array(this.bytes.length + data.length);
    out.set(this.bytes, 0);
    out.set(data, this.bytes.length);
    this.bytes = out;
  }

  /** Moves everything out of `other` into this buffer. */
  take(other: BodyBuffer): void {
    this.append(other.bytes);
    other.bytes = new Uint8Array(0);
  }

  clear(): void {
    this.bytes = new Uint8Array(0);
  }

  copyFrom(start: number, length: number, data: Uint8Array): WasmResult {
    if (start === 0) {
      const drained = this.bytes.subarray(Math.min(length, this.bytes.length));
      const out = new Uint8Array(data.length + drained.length);
      out.set(data, 0);
      out.set(drained, data.length);
      this.bytes = out;
      return WasmResult.Ok;
    }
    if (start >= this.bytes.length) {
      this.append(data);
      return WasmResult.Ok;
    }
    return WasmResult.BadArgument;
  }

  text(): string {
    return Buffer.from(this.bytes).toString("utf8");
  }
}

export function toBytes(body: string | Uint8Array | undefined): Uint8Array {
  if (body === undefined) return new Uint8Array(0);
  return typeof body === "string" ? new Uint8Array(Buffer.from(body, "utf8")) : body;
}
