// Generated text for checking the static embedding tokenizer against the
// model's own: words of many scripts, mixed case, accents written both
// precomposed and as combining marks, CJK, Hangul, emoji (surrogate pairs),
// ASCII and Unicode punctuation, control and format characters, odd
// whitespace, full-width forms, very long words, code and URLs, and code
// points drawn at random from the whole Unicode range. Same seed, same text.
import { Prng } from "../common/corpus/prng.ts";

const WORDS = [
  "the", "router", "Transfer", "MONEY", "savings", "account's", "don't", "e-mail", "co-operate", "naïve", "café", "Résumé",
  "Ångström", "straße", "İstanbul", "ΣΟΦΙΑ", "σοφία", "Москва", "привет", "日本語", "東京都", "我的银行卡余额是多少", "帮我转账",
  "한국어", "안녕하세요", "こんにちは", "カタカナ", "مرحبا", "שלום", "नमस्ते", "สวัสดี", "Việt", "Nguyễn", "ﬁnance", "①②",
  "½", "x²", "Ｆｕｌｌｗｉｄｔｈ", "１２３", "😀", "👍🏽", "🇫🇷", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𠀋", "unbelievably", "antidisestablishmentarianism",
  "flight", "LAX→JFK", "$1,299.99", "3.14159", "2026-12-06", "user@example.com", "https://example.com/a?b=c&d=e",
  "function(x){return x*2;}", "i++", "C#", "#hashtag", "@mention", "¿Qué?", "¡Hola!", "«quoted»", "“smart”", "‘single’",
  "—dash—", "…", "•", "§4.2", "©", "™", "°C", "µs", "Ω", "ℕ", "ǅ", "ﬀ", "Å", "ḱ", "ṩ",
  "[CLS]", "[SEP]", "[UNK]", "[MASK]", "[PAD]", "[cls]", "[SEP", "x[MASK]y",
];
const GLUE = [" ", " ", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u2028", "\u2009", ", ", ". ", "! ", "? ", "; ", ": ", "/", "-", "_", "'", '"', "(", ")", "[", "]", "{", "}", ""];
const ODD = ["\u0000", "\u0007", "\u001b", "\u007f", "\u0085", "\u00ad", "\u200b", "\u200d", "\u2060", "\ufeff", "\ufffd", "\ue000", "\u0301", "\u0308", "\u0327", "\u20dd", "\u0378", "\u{e0001}", "\u{f0000}", "\u{10ffff}"];

function randomCodePoint(rng: Prng): string {
  const ranges: [number, number][] = [[0x20, 0x7e], [0xa0, 0x24f], [0x370, 0x52f], [0x590, 0x6ff], [0x900, 0xdff], [0x1100, 0x11ff], [0x1e00, 0x1fff], [0x2000, 0x2bff], [0x3000, 0x30ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfb00, 0xfdff], [0xfe30, 0xffef], [0x10000, 0x1faff], [0x20000, 0x2fa1f], [0xe0000, 0xe01ef]];
  const [lo, hi] = rng.pick(ranges);
  return String.fromCodePoint(lo + rng.int(hi - lo + 1));
}

function casing(word: string, rng: Prng): string {
  const r = rng.int(4);
  return r === 0 ? word.toUpperCase() : r === 1 ? word.toLowerCase() : r === 2 && word ? word[0].toUpperCase() + word.slice(1) : word;
}

/** `count` texts of 1 to 40 pieces (words, glue, odd characters, random code points, now and then a word over 100 characters). */
export function staticCorpus(count: number, seed: number): string[] {
  const rng = new Prng(seed);
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    let t = "";
    const pieces = 1 + rng.int(40);
    for (let p = 0; p < pieces; p++) {
      const r = rng.int(100);
      if (r < 55) t += casing(rng.pick(WORDS), rng);
      else if (r < 75) t += rng.pick(GLUE);
      else if (r < 82) t += rng.pick(ODD);
      else if (r < 97) t += randomCodePoint(rng) + (rng.int(2) ? randomCodePoint(rng) : "");
      else t += rng.pick(["a", "ab", "é", "x"]).repeat(60 + rng.int(60));
      if (rng.int(3) === 0) t += " ";
    }
    texts.push(rng.int(10) === 0 ? t.normalize("NFD") : t);
  }
  return texts;
}
