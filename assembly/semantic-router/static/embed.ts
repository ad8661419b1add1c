// A sentence's static embedding: the mean of its tokens' table rows (each
// row int8 times its scale; the distillation already weighted rows by token
// frequency), [UNK] left out, scaled to unit length. The embed build enables
// Wasm SIMD (V8, and so Envoy, Istio and Higress, run it); the table's
// dimensions are a multiple of 32.
import { StaticTable } from "./table";
import { WordPiece } from "./wordpiece";

export class StaticEmbedder {
  readonly dims: i32;
  readonly tokenizer: WordPiece;
  /** Reused sum of rows. */
  private sum: Float32Array;

  constructor(public table: StaticTable) {
    this.dims = table.dims;
    this.tokenizer = new WordPiece(table);
    this.sum = new Float32Array(table.dims);
  }

  /** Writes the unit-length embedding of `text` (its first `maxBytes` UTF-8 bytes) into `out`; false when it has no known token. */
  embed(text: string, maxBytes: i32, out: Float32Array): bool {
    const tok = this.tokenizer;
    tok.tokenize(text, maxBytes);
    const t = this.table;
    const D = this.dims;
    const sum = this.sum.dataStart;
    // The rows of the known tokens, 32 dimensions at a time: eight SIMD
    // accumulators stay in registers while the tokens stream past.
    let used = 0;
    for (let i = 0; i < tok.count; i++) if (unchecked(tok.ids[i]) != t.unk) unchecked((tok.ids[used++] = tok.ids[i]));
    const ids = tok.ids.dataStart;
    for (let d = 0; d < D; d += 32) {
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
      for (let i = 0; i < used; i++) {
        const id = <usize>load<i32>(ids + (<usize>i << 2));
        const s = f32x4.splat(load<f32>(t.scales + (id << 2)));
        const row = t.vectors + id * <usize>D + <usize>d;
        const x = v128.load(row);
        const y = v128.load(row, 16);
        const x0 = i16x8.extend_low_i8x16_s(x);
        const x1 = i16x8.extend_high_i8x16_s(x);
        const y0 = i16x8.extend_low_i8x16_s(y);
        const y1 = i16x8.extend_high_i8x16_s(y);
        a0 = f32x4.add(a0, f32x4.mul(s, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(x0))));
        a1 = f32x4.add(a1, f32x4.mul(s, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(x0))));
        a2 = f32x4.add(a2, f32x4.mul(s, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(x1))));
        a3 = f32x4.add(a3, f32x4.mul(s, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(x1))));
        a4 = f32x4.add(a4, f32x4.mul(s, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(y0))));
        a5 = f32x4.add(a5, f32x4.mul(s, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(y0))));
        a6 = f32x4.add(a6, f32x4.mul(s, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(y1))));
        a7 = f32x4.add(a7, f32x4.mul(s, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(y1))));
      }
      const at = sum + (<usize>d << 2);
      v128.store(at, a0);
      v128.store(at, a1, 16);
      v128.store(at, a2, 32);
      v128.store(at, a3, 48);
      v128.store(at, a4, 64);
      v128.store(at, a5, 80);
      v128.store(at, a6, 96);
      v128.store(at, a7, 112);
    }
    if (used == 0) return false;
    let norm2: f64 = 0;
    for (let d = 0; d < D; d++) {
      const x = <f64>load<f32>(sum + (<usize>d << 2));
      norm2 += x * x;
    }
    if (norm2 == 0) return false;
    const inv = <f32>(1 / Math.sqrt(norm2));
    for (let d = 0; d < D; d++) unchecked((out[d] = load<f32>(sum + (<usize>d << 2)) * inv));
    return true;
  }
}
