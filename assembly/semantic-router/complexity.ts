// How hard a request looks, from cheap surface signals: length, code, math,
// multi-step asks. Returns a score in [0, 1]; a request at or above the
// configured threshold is "complex" (a reasoning model), below it "simple".
// Works on normalized text (features.ts) plus the raw text for symbols that
// normalization removes (code fences, operators).

export enum Complexity {
  Any = 0,
  Simple = 1,
  Complex = 2,
}

export function complexityName(c: Complexity): string {
  return c == Complexity.Complex ? "complex" : c == Complexity.Simple ? "simple" : "any";
}

// Each cue found adds its weight once. Words are matched with spaces around
// them in normalized text; CJK cues as substrings.
const CODE_CUES: Array<string> = [" def ", " function ", " class ", " return ", " import ", " const ", " select ", " regex ", " sql ", " stack trace ", " compile ", " debug ", " refactor ", " algorithm ", "代码", "函数", "编程", "算法"];
const MATH_CUES: Array<string> = [" prove ", " proof ", " theorem ", " integral ", " derivative ", " equation ", " matrix ", " probability ", " optimize ", " solve ", " lemma ", "证明", "定理", "积分", "导数", "方程", "矩阵", "概率", "求解"];
const STEP_CUES: Array<string> = [" step by step ", " explain why ", " compare ", " analyze ", " analyse ", " design ", " trade off ", " tradeoffs ", " pros and cons ", " in detail ", " first ", " then ", " evaluate ", " derive ", "一步一步", "分析", "比较", "设计", "详细", "推导", "为什么"];
const SYMBOL_CUES: Array<string> = ["```", "=>", "();", "{", "}", "==", "∫", "√", "∑", "^2", "<=", ">="];

const LENGTH_SATURATION: f64 = 1200; // UTF-16 units of normalized text worth the whole length weight
const W_LENGTH: f64 = 0.35;
const W_CODE: f64 = 0.35;
const W_MATH: f64 = 0.35;
const W_STEPS: f64 = 0.15; // per cue, at most two
const W_SYMBOLS: f64 = 0.3;
const W_QUESTIONS: f64 = 0.1; // several questions in one ask

function countCues(text: string, cues: Array<string>, limit: i32): i32 {
  let n = 0;
  for (let i = 0; i < cues.length && n < limit; i++) if (text.includes(unchecked(cues[i]))) n++;
  return n;
}

/** `normalized` is normalizedString(raw); both may be capped to the scanned length. */
export function complexityScore(raw: string, normalized: string): f64 {
  let s: f64 = W_LENGTH * min<f64>(1, <f64>normalized.length / LENGTH_SATURATION);
  if (countCues(normalized, CODE_CUES, 1) > 0) s += W_CODE;
  if (countCues(normalized, MATH_CUES, 1) > 0) s += W_MATH;
  s += W_STEPS * <f64>countCues(normalized, STEP_CUES, 2);
  if (countCues(raw, SYMBOL_CUES, 1) > 0) s += W_SYMBOLS;
  let questions = 0;
  for (let i = 0; i < raw.length && questions < 3; i++) {
    const c = raw.charCodeAt(i);
    if (c == 0x3f || c == 0xff1f) questions++;
  }
  if (questions >= 2) s += W_QUESTIONS;
  return s > 1 ? 1 : s;
}
