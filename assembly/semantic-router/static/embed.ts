// A sentence's static embedding: the mean of its tokens' table rows (each
// row int8 times its scale; the distillation already weighted rows by token
// frequency), [UNK] left out, scaled to unit length. Only the first
// MAX_TOKENS tokens count (the model itself reads at most 254 besides [CLS]
// and [SEP]; half of that keeps a long prompt's decision within budget, and
// a request says what it is about early). Plain Wasm (no SIMD): every host
// runs it.
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
    // so that each row is read once; then eight dimensions at a time summed
    // over all of them in locals.
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
    for (let d: usize = 0; d < D; d += 8) {
      let a0: f32 = 0, a1: f32 = 0, a2: f32 = 0, a3: f32 = 0, a4: f32 = 0, a5: f32 = 0, a6: f32 = 0, a7: f32 = 0;
      for (let i = 0; i < used; i++) {
        const r = <usize>load<u32>(rows + (<usize>i << 2)) + d;
        const s = load<f32>(scales + (<usize>i << 2));
        a0 += s * <f32>load<i8>(r);
        a1 += s * <f32>load<i8>(r, 1);
        a2 += s * <f32>load<i8>(r, 2);
        a3 += s * <f32>load<i8>(r, 3);
        a4 += s * <f32>load<i8>(r, 4);
        a5 += s * <f32>load<i8>(r, 5);
        a6 += s * <f32>load<i8>(r, 6);
        a7 += s * <f32>load<i8>(r, 7);
      }
      const at = sum + (d << 2);
      store<f32>(at, a0);
      store<f32>(at, a1, 4);
      store<f32>(at, a2, 8);
      store<f32>(at, a3, 12);
      store<f32>(at, a4, 16);
      store<f32>(at, a5, 20);
      store<f32>(at, a6, 24);
      store<f32>(at, a7, 28);
    }
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
