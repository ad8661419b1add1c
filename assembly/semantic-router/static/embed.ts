// A sentence's static embedding: the mean of its tokens' table rows (each
// row int8 times its scale; the distillation already weighted rows by token
// frequency), [UNK] left out, scaled to unit length. Only the first
// MAX_TOKENS tokens count (the model itself reads at most 254 besides [CLS]
// and [SEP]; half of that keeps a long prompt's decision within budget, and
// a request says what it is about early). The embed module is built with
// Wasm SIMD (the V8 of Envoy, Istio and Higress runs it; so does wasmtime);
// the lexical module has none of this code.
import { StaticTable } from "./table";
import { WordPiece } from "./wordpiece";

/** Tokens embedded (about 500 characters of English). */
export const MAX_TOKENS: i32 = 128;
const SLOT_BITS = 8;
/** More than twice MAX_TOKENS: probes stay short. */
const SLOTS = 1 << SLOT_BITS;

export class StaticEmbedder {
  readonly dims: i32;
  readonly tokenizer: WordPiece;
  /** Reused sum of rows. */
  private sum: Float32Array;
  /** Reused, per distinct known token: its id, the address of its row, its weight. */
  private distinct: Int32Array = new Int32Array(MAX_TOKENS);
  private rows: Uint32Array = new Uint32Array(MAX_TOKENS);
  private scales: Float32Array = new Float32Array(MAX_TOKENS);
  /** Token id -> index in `distinct` (-1 empty), open addressing. */
  private slots: Int32Array = new Int32Array(SLOTS);

  constructor(public table: StaticTable) {
    this.dims = table.dims;
    this.tokenizer = new WordPiece(table);
    this.sum = new Float32Array(table.dims);
  }

  /** Writes the unit-length embedding of `text` (its first `maxBytes` UTF-8 bytes, first MAX_TOKENS tokens) into `out`; false when it has no known token. */
  embed(text: string, maxBytes: i32, out: Float32Array): bool {
    const tok = this.tokenizer;
    tok.tokenize(text, maxBytes, MAX_TOKENS);
    const t = this.table;
    const D = <usize>this.dims;
    const sum = this.sum.dataStart;
    // The distinct known tokens first, each with its row and its weight (the
    // row's scale times how often it occurs: text repeats "the", "to", ...),
    // so that each row is read once; then sixteen dimensions at a time
    // summed over all of them in registers.
    const ids = tok.ids.dataStart;
    const slots = this.slots.dataStart;
    memory.fill(slots, 0xff, SLOTS << 2);
    let used = 0;
    for (let i = 0; i < tok.count; i++) {
      const id = load<i32>(ids + (<usize>i << 2));
      if (id == t.unk) continue;
      const scale = load<f32>(t.scales + (<usize>id << 2));
      let h = (<u32>id * 0x9e3779b1) >>> (32 - SLOT_BITS);
      while (true) {
        const at = slots + (<usize>h << 2);
        const k = load<i32>(at);
        if (k < 0) {
          store<i32>(at, used);
          unchecked((this.distinct[used] = id));
          unchecked((this.rows[used] = <u32>(t.vectors + <usize>id * D)));
          unchecked((this.scales[used] = scale));
          used++;
          break;
        }
        if (unchecked(this.distinct[k]) == id) {
          unchecked((this.scales[k] += scale));
          break;
        }
        h = (h + 1) & (SLOTS - 1);
      }
    }
    const rows = this.rows.dataStart;
    const scales = this.scales.dataStart;
    sumRows(rows, scales, used, D, sum);
    if (used == 0) return false;
    let norm2: f64 = 0;
    for (let d: usize = 0; d < D; d++) {
      const x = <f64>load<f32>(sum + (d << 2));
      norm2 += x * x;
    }
    if (norm2 == 0) return false;
    const inv = <f32>(1 / Math.sqrt(norm2));
    for (let d: usize = 0; d < D; d++) unchecked((out[<i32>d] = load<f32>(sum + (d << 2)) * inv));
    return true;
  }
}

/** sum[d] = the rows' int8 entry d, each times its scale, added in row order; sixteen dimensions at a time (D a multiple of 16). */
function sumRows(rows: usize, scales: usize, used: i32, D: usize, sum: usize): void {
  for (let d: usize = 0; d < D; d += 16) {
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let a3 = f32x4.splat(0);
    for (let i = 0; i < used; i++) {
      const bytes = v128.load(<usize>load<u32>(rows + (<usize>i << 2)) + d);
      const s = f32x4.splat(load<f32>(scales + (<usize>i << 2)));
      const low = i16x8.extend_low_i8x16_s(bytes);
      const high = i16x8.extend_high_i8x16_s(bytes);
      a0 = f32x4.add(a0, f32x4.mul(s, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(low))));
      a1 = f32x4.add(a1, f32x4.mul(s, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(low))));
      a2 = f32x4.add(a2, f32x4.mul(s, f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(high))));
      a3 = f32x4.add(a3, f32x4.mul(s, f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(high))));
    }
    const at = sum + (d << 2);
    v128.store(at, a0);
    v128.store(at, a1, 16);
    v128.store(at, a2, 32);
    v128.store(at, a3, 48);
  }
}
