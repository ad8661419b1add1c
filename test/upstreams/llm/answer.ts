// Deterministic completions. The answer is a pure function of the model, the
// last user text and the length limits: it opens by quoting the start of the
// question, then continues with pseudo-random sentences seeded by a hash of
// (model, question). English questions get English filler, questions with CJK
// characters get Chinese filler. The answer is built token by token with the
// mock tokenizer, so its token count is exact by construction.
import { hashHex } from "./ids.ts";
import { isCjk, tokenize } from "./tokenizer.ts";

export interface AnswerSpec {
  model: string;
  question: string;
  /** Exact length before the max-tokens cap (x-mock-completion-tokens). */
  tokens?: number;
  /** Exact reply text (x-mock-reply) instead of the generated one. */
  reply?: string;
  /** The request's max tokens, if it set one. */
  maxTokens?: number;
}

export interface Answer {
  /** One entry per token; joined they are the answer text. */
  pieces: string[];
  text: string;
  /** "length" when the max-tokens cap cut the answer short. */
  finish: "stop" | "length";
}

const WORDS = [
  "the", "gateway", "routes", "each", "request", "to", "a", "model", "that", "fits", "its", "domain",
  "tokens", "are", "counted", "per", "consumer", "and", "every", "stream", "stays", "open", "until",
  "answer", "ends", "filters", "inspect", "prompts", "before", "upstream", "sees", "them", "so", "policy",
  "applies", "in", "one", "place", "with", "clear", "logs", "for", "audit", "teams",
];

const CJK_WORDS = ["网关", "模型", "请求", "令牌", "路由", "流式", "回答", "审计", "策略", "上游", "每个", "用户", "内容", "安全"];

const QUOTE_TOKENS = 12;
const PUNCT_END = /[.,。"：]$/;

class Rng {
  private s: number;
  constructor(seedHex: string) {
    this.s = parseInt(seedHex.slice(0, 8), 16) >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  below(n: number): number {
    return this.next() % n;
  }
}

/** Default answer length when neither x-mock-completion-tokens nor a reply is given. */
export function defaultLength(model: string, question: string): number {
  const rng = new Rng(hashHex("length", model, question));
  return model.includes("reasoning") ? 48 + rng.below(24) : 16 + rng.below(16);
}

function quotePieces(question: string): string[] {
  const q = tokenize(question.replace(/\s+/g, " ").trim()).slice(0, QUOTE_TOKENS);
  if (!q.length) return [];
  const cjk = q.some((p) => isCjk(p.trim()));
  const open = cjk ? tokenize("关于「") : tokenize("You asked: \"");
  const close = cjk ? tokenize("」：") : tokenize("\".");
  return [...open, ...q.map((p, i) => (i === 0 ? p.trimStart() : p)), ...close];
}

function fillerPiece(rng: Rng, cjk: boolean, sinceStop: number, first: boolean, allowMark: boolean): string[] {
  if (cjk) {
    if (allowMark && sinceStop > 6 && rng.below(4) === 0) return ["。"];
    return [...CJK_WORDS[rng.below(CJK_WORDS.length)]];
  }
  if (allowMark && sinceStop > 5 && rng.below(5) === 0) return ["."];
  if (allowMark && sinceStop > 3 && rng.below(9) === 0) return [","];
  const w = WORDS[rng.below(WORDS.length)];
  const word = sinceStop === 0 ? w[0].toUpperCase() + w.slice(1) : w;
  return [first ? word : " " + word];
}

function generate(spec: AnswerSpec, length: number): string[] {
  const cjk = [...spec.question].some(isCjk);
  const rng = new Rng(hashHex("answer", spec.model, spec.question));
  const pieces = quotePieces(spec.question).slice(0, length);
  let sinceStop = 0;
  while (pieces.length < length) {
    const last = pieces[pieces.length - 1];
    const afterMark = last === undefined || PUNCT_END.test(last);
    if (length - pieces.length === 1 && !afterMark) {
      pieces.push(cjk ? "。" : ".");
      break;
    }
    // No two marks in a row, and the last two tokens are a word and a full stop.
    const next = fillerPiece(rng, cjk, sinceStop, pieces.length === 0, !afterMark && length - pieces.length > 2);
    // Leave the last slot for the full stop.
    pieces.push(...next.slice(0, Math.max(1, length - pieces.length - 1)));
    sinceStop = /^[.。]$/.test(pieces[pieces.length - 1]) ? 0 : sinceStop + 1;
  }
  return pieces;
}

export function answer(spec: AnswerSpec): Answer {
  let pieces: string[];
  if (spec.reply !== undefined) {
    pieces = tokenize(spec.reply);
  } else {
    pieces = generate(spec, spec.tokens ?? defaultLength(spec.model, spec.question));
  }
  let finish: Answer["finish"] = "stop";
  if (spec.maxTokens !== undefined && pieces.length > spec.maxTokens) {
    pieces = pieces.slice(0, spec.maxTokens);
    finish = "length";
  }
  return { pieces, text: pieces.join(""), finish };
}
