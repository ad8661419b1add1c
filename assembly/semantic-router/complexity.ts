// How hard a request looks, from cheap surface signals: length, code, math,
// multi-step asks, several questions. A score in [0, 1]; at or above the
// configured threshold a request is "complex" (send it to a reasoning
// model), below "simple".
//
// Cue words are looked up among the request's features (features.ts), so the
// check costs a few hash probes, not a scan of the text per cue: English cue
// words as word features, Chinese cues as character bigrams.
import { TermCounter } from "./counter";
import { unitAt } from "./cells";
import { gramFeature, wordFeature } from "./features";

export enum Complexity {
  Any = 0,
  Simple = 1,
  Complex = 2,
}

export function complexityName(c: Complexity): string {
  return c == Complexity.Complex ? "complex" : c == Complexity.Simple ? "simple" : "any";
}

const CODE_WORDS = ["def", "function", "class", "return", "import", "const", "select", "regex", "sql", "compile", "debug", "refactor", "algorithm", "exception", "stacktrace"];
const CODE_GRAMS = ["代码", "函数", "编程", "算法", "调试"];
const MATH_WORDS = ["prove", "proof", "theorem", "integral", "derivative", "equation", "matrix", "probability", "optimize", "solve", "lemma", "calculate"];
const MATH_GRAMS = ["证明", "定理", "积分", "导数", "方程", "矩阵", "概率", "求解"];
const STEP_WORDS = ["explain", "why", "compare", "analyze", "analyse", "design", "tradeoff", "tradeoffs", "pros", "cons", "detail", "detailed", "evaluate", "derive", "step", "plan", "strategy", "architecture"];
const STEP_GRAMS = ["分析", "比较", "设计", "详细", "推导", "为什", "步骤", "方案"];

class CueSet {
  hashes: Array<u32> = new Array<u32>();

  constructor(words: Array<string>, grams: Array<string>) {
    for (let i = 0; i < words.length; i++) this.hashes.push(wordFeature(words[i]));
    for (let i = 0; i < grams.length; i++) this.hashes.push(gramFeature(grams[i]));
  }

  /** How many of the cues the text has, counting up to `limit`. */
  count(features: TermCounter, limit: i32): i32 {
    let n = 0;
    for (let i = 0; i < this.hashes.length && n < limit; i++) if (features.has(unchecked(this.hashes[i]))) n++;
    return n;
  }
}

const CODE = new CueSet(CODE_WORDS, CODE_GRAMS);
const MATH = new CueSet(MATH_WORDS, MATH_GRAMS);
const STEPS = new CueSet(STEP_WORDS, STEP_GRAMS);

const LENGTH_SATURATION: f64 = 1200; // characters worth the whole length weight
const W_LENGTH: f64 = 0.35;
const W_CODE: f64 = 0.35;
const W_MATH: f64 = 0.35;
const W_STEP: f64 = 0.15; // per step cue, at most three
const W_SYMBOLS: f64 = 0.3;
const W_QUESTIONS: f64 = 0.1;

// Per ASCII code point: 1 for the code and formula symbols { } ` ; = ^, 2 for "?".
const ASCII_MARKS = asciiMarks();

function asciiMarks(): StaticArray<u8> {
  const t = new StaticArray<u8>(128);
  const symbols = "{}`;=^";
  for (let i = 0; i < symbols.length; i++) t[symbols.charCodeAt(i)] = 1;
  t[0x3f] = 2;
  return t;
}

/** Symbols of code and formulas in the raw text (normalization drops them), and question marks. */
class Marks {
  symbols: i32 = 0;
  questions: i32 = 0;
}

/** Reused by every request (one text is scored at a time). */
const MARKS = new Marks();

function scanMarks(raw: string): Marks {
  const n = raw.length;
  const table = changetype<usize>(ASCII_MARKS);
  let symbols = 0;
  let questions = 0;
  for (let i = 0; i < n; i++) {
    const c = unitAt(raw, i);
    if (c < 0x80) {
      const m = <i32>load<u8>(table + c);
      symbols += m & 1;
      questions += m >> 1;
    } else if (c == 0x2211 || c == 0x221a || c == 0x222b) {
      symbols++;
    } else if (c == 0xff1f) {
      questions++;
    }
  }
  MARKS.symbols = symbols;
  MARKS.questions = questions;
  return MARKS;
}

/** `features` holds the features of `raw` (capped to the scanned length). */
export function complexityScore(raw: string, features: TermCounter): f64 {
  let s: f64 = W_LENGTH * min<f64>(1, <f64>raw.length / LENGTH_SATURATION);
  if (CODE.count(features, 1) > 0) s += W_CODE;
  if (MATH.count(features, 1) > 0) s += W_MATH;
  s += W_STEP * <f64>STEPS.count(features, 3);
  const marks = scanMarks(raw);
  if (marks.symbols >= 3) s += W_SYMBOLS;
  if (marks.questions >= 2) s += W_QUESTIONS;
  return s > 1 ? 1 : s;
}
