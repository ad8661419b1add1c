// The tokenizer of all-MiniLM-L6-v2 (BERT uncased), as the `tokenizers`
// package runs it: BertNormalizer (control characters dropped, whitespace to
// spaces, CJK characters set apart, accents stripped, lower case: per code
// point, from the table's character map), BertPreTokenizer (words split at
// whitespace, each punctuation character a word of its own), then WordPiece
// (greedy longest match, "##" for a word's continuation, a word longer than
// 100 code points or with a piece not in the vocabulary is one [UNK]).
// "[CLS]", "[SEP]", "[UNK]", "[PAD]" and "[MASK]" in the text are those
// tokens, as the tokenizer's added tokens are.
import { StaticTable } from "./table";

const MAX_WORD_CHARS = 100;
/** The tokenizer's added tokens, matched in the raw text (case-sensitive). */
const SPECIAL: Array<string> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
const WHITESPACE = 1;
const PUNCTUATION = 2;
const ISOLATED = 3;
/** ASCII fast path: code point after the normalizer (-1: dropped) and class. */
const ASCII_CLASS = 0x100;

export class WordPiece {
  /** Token ids of the last tokenize(), `count` of them. */
  ids: Int32Array = new Int32Array(256);
  count: i32 = 0;
  private wordChars: i32 = 0;
  private byteCount: i32 = 0;
  /** UTF-8 of the current word (its first MAX_WORD_CHARS code points), and where each code point starts in it. */
  private bytes: Uint8Array = new Uint8Array((MAX_WORD_CHARS + 1) * 4);
  private starts: Int32Array = new Int32Array(MAX_WORD_CHARS + 2);
  /** Per ASCII code point: the normalized code point (or -1) plus its class << 8. */
  private ascii: Int32Array = new Int32Array(128);

  constructor(public table: StaticTable) {
    for (let c: u32 = 0; c < 128; c++) {
      const m = table.mapIndex(c);
      let out = <i32>c;
      if (m >= 0) out = table.mappingCount(m) == 0 ? -1 : <i32>load<u32>(table.mappingAt(m));
      this.ascii[c] = out < 0 ? -1 : out | (table.classOf(<u32>out) * ASCII_CLASS);
    }
  }

  /** Tokenizes the code points of `text` up to `maxBytes` UTF-8 bytes into `ids`/`count`, the first `maxTokens` tokens. */
  tokenize(text: string, maxBytes: i32, maxTokens: i32 = i32.MAX_VALUE): void {
    this.count = 0;
    this.wordChars = 0;
    this.byteCount = 0;
    const t = this.table;
    const ptr = changetype<usize>(text);
    const n = text.length;
    let budget = maxBytes;
    for (let i = 0; i < n && this.count < maxTokens; i++) {
      let c = <u32>load<u16>(ptr + (<usize>i << 1));
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
        const lo = <u32>load<u16>(ptr + (<usize>(i + 1) << 1));
        if (lo >= 0xdc00 && lo < 0xe000) {
          c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
          i++;
        }
      }
      budget -= c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
      if (budget < 0) break;
      if (c == 0x5b) {
        // "[CLS]", "[SEP]" ... written in the text are those tokens (matched before normalization, as the tokenizer's added tokens are).
        const special = this.special(text, i);
        if (special >= 0) {
          this.endWord();
          this.add(special);
          const skip = text.indexOf("]", i) - i;
          budget -= skip;
          i += skip;
          continue;
        }
      }
      if (c < 128) {
        const a = unchecked(this.ascii[c]);
        if (a < 0) continue;
        const n = this.wordChars;
        if (a < 0x80 && n < MAX_WORD_CHARS) {
          // A letter or digit that stays ASCII: one more byte of the word (push(), inline).
          const len = this.byteCount;
          unchecked((this.starts[n] = len));
          store<u8>(this.bytes.dataStart + <usize>len, <u8>a);
          this.byteCount = len + 1;
          this.wordChars = n + 1;
        } else {
          this.emit(<u32>(a & 0xff), a >> 8);
        }
        continue;
      }
      const m = t.mapIndex(c);
      if (m >= 0) {
        const at = t.mappingAt(m);
        const k = t.mappingCount(m);
        for (let j = 0; j < k; j++) {
          const o = load<u32>(at + (<usize>j << 2));
          this.emit(o, t.classOf(o));
        }
        continue;
      }
      const cls = t.classOf(c);
      if (cls == ISOLATED) {
        this.endWord();
        this.emit(c, 0);
        this.endWord();
      } else {
        this.emit(c, cls);
      }
    }
    this.endWord();
    if (this.count > maxTokens) this.count = maxTokens;
  }

  /** The id of the special token written at `at` in `text` ("[" first), or -1. */
  private special(text: string, at: i32): i32 {
    for (let k = 0; k < SPECIAL.length; k++) {
      const name = unchecked(SPECIAL[k]);
      if (text.length - at >= name.length && text.substr(at, name.length) == name) {
        const bytes = String.UTF8.encode(name);
        return this.table.find(changetype<usize>(bytes), bytes.byteLength, false);
      }
    }
    return -1;
  }

  /** One normalized code point of class `cls` (an isolated character is a plain one by now). */
  private emit(c: u32, cls: i32): void {
    if (cls == WHITESPACE) {
      this.endWord();
      return;
    }
    if (cls == PUNCTUATION) {
      this.endWord();
      this.push(c);
      this.endWord();
      return;
    }
    this.push(c);
  }

  /** Appends code point `c` to the current word, as UTF-8 (a word past MAX_WORD_CHARS is only counted: it becomes [UNK]). */
  private push(c: u32): void {
    const n = this.wordChars++;
    if (n >= MAX_WORD_CHARS) return;
    const b = this.bytes.dataStart;
    let len = <usize>this.byteCount;
    unchecked((this.starts[n] = <i32>len));
    if (c < 0x80) store<u8>(b + len++, <u8>c);
    else if (c < 0x800) {
      store<u8>(b + len++, <u8>(0xc0 | (c >> 6)));
      store<u8>(b + len++, <u8>(0x80 | (c & 0x3f)));
    } else if (c < 0x10000) {
      store<u8>(b + len++, <u8>(0xe0 | (c >> 12)));
      store<u8>(b + len++, <u8>(0x80 | ((c >> 6) & 0x3f)));
      store<u8>(b + len++, <u8>(0x80 | (c & 0x3f)));
    } else {
      store<u8>(b + len++, <u8>(0xf0 | (c >> 18)));
      store<u8>(b + len++, <u8>(0x80 | ((c >> 12) & 0x3f)));
      store<u8>(b + len++, <u8>(0x80 | ((c >> 6) & 0x3f)));
      store<u8>(b + len++, <u8>(0x80 | (c & 0x3f)));
    }
    this.byteCount = <i32>len;
  }

  private endWord(): void {
    const n = this.wordChars;
    if (n == 0) return;
    this.wordChars = 0;
    const len = this.byteCount;
    this.byteCount = 0;
    if (n > MAX_WORD_CHARS) {
      this.add(this.table.unk);
      return;
    }
    unchecked((this.starts[n] = len));
    // Greedy longest match, piece by piece; one miss makes the word [UNK].
    const first = this.count;
    const longest = this.table.longestToken;
    const base = this.bytes.dataStart;
    let start = 0;
    while (start < n) {
      let end = min(n, start + longest);
      let id = -1;
      while (end > start) {
        const from = unchecked(this.starts[start]);
        id = this.table.find(base + from, unchecked(this.starts[end]) - from, start > 0);
        if (id >= 0) break;
        end--;
      }
      if (id < 0) {
        this.count = first;
        this.add(this.table.unk);
        return;
      }
      this.add(id);
      start = end;
    }
  }

  private add(id: i32): void {
    if (this.count == this.ids.length) {
      const grown = new Int32Array(this.count * 2);
      grown.set(this.ids);
      this.ids = grown;
    }
    unchecked((this.ids[this.count++] = id));
  }
}
