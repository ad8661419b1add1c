// A header map read whole with one host call. Each header read is a trip
// into the host that costs more than the lookup itself (1-4 µs at one
// connection), so a filter that needs several headers of the same map reads
// them all at once; values are decoded only when asked for.
import { getHeaderPairsRaw, MapType } from "./host";

export class HeaderBlock {
  private constructor(private pairs: ArrayBuffer | null) {}

  static read(map: MapType): HeaderBlock {
    return new HeaderBlock(getHeaderPairsRaw(map));
  }

  /** False when the host had no such map (outside its callbacks). */
  get available(): bool {
    return this.pairs !== null;
  }

  /**
   * The first value of `name` (ASCII, compared without case, as the host's
   * own lookup does), or null. Malformed pairs read as the headers before
   * the damage.
   */
  get(name: string): string | null {
    const buf = this.pairs;
    if (buf === null) return null;
    const total = <usize>buf.byteLength;
    if (total < 4) return null;
    const base = changetype<usize>(buf);
    const count = <usize>load<u32>(base);
    if (count > (total - 4) / 8) return null;
    const end = base + total;
    const want = <usize>name.length;
    let data = base + 4 + count * 8;
    for (let i: usize = 0; i < count; i++) {
      const klen = <usize>load<u32>(base + 4 + i * 8);
      const vlen = <usize>load<u32>(base + 8 + i * 8);
      if (data + klen + 1 + vlen + 1 > end) return null;
      if (klen == want && sameName(data, name)) return String.UTF8.decodeUnsafe(data + klen + 1, vlen);
      data += klen + 1 + vlen + 1;
    }
    return null;
  }
}

function sameName(bytes: usize, name: string): bool {
  const units = changetype<usize>(name);
  for (let i = 0, n = name.length; i < n; i++) {
    const a = <u32>load<u8>(bytes + <usize>i);
    const b = <u32>load<u16>(units + (<usize>i << 1));
    if (a == b) continue;
    // Equal apart from ASCII case: differ only in 0x20, and a letter.
    if ((a ^ b) != 0x20 || ((a | 0x20) - 0x61) > 25) return false;
  }
  return true;
}
