// The prompt estimator (assembly/common/token-estimate.ts) against an
// independent implementation of the rules in its file comment, on texts of
// every character class and on random mixes of them: the filter reserves
// exactly the estimate of the message plus the per-message and reply
// overheads (3 + 3).
import { beforeAll, describe, expect, it } from "vitest";
import { Host } from "../../host/index.ts";
import { buildFilter, chatRequest, llmUpstream, startFilter, stateOf, type State } from "./helpers.ts";

beforeAll(buildFilter, 120_000);

type Kind = "letters" | "digits" | "other" | "space" | "symbol";

function kindOf(cp: number): Kind {
  if (cp < 0x80) {
    const c = String.fromCodePoint(cp);
    if (/[A-Za-z]/.test(c)) return "letters";
    if (/[0-9]/.test(c)) return "digits";
    if (cp === 0x20 || (cp >= 0x09 && cp <= 0x0d)) return "space";
    return "symbol";
  }
  if (cp === 0xa0 || cp === 0x3000) return "space";
  if (cp >= 0xc0 && cp < 0x2000 && cp !== 0xd7 && cp !== 0xf7) return "other";
  return "symbol";
}

function symbolQuarters(cp: number): number {
  const cjk = (cp >= 0x3040 && cp <= 0x30ff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7af) || (cp >= 0xf900 && cp <= 0xfaff);
  if (cjk || (cp >= 0x20000 && cp <= 0x3ffff)) return 5;
  return cp >= 0x10000 ? 8 : 4;
}

function runTokens(kind: Kind, n: number): number {
  if (n === 0) return 0;
  if (kind === "letters") return n <= 6 ? 1 : 1 + Math.ceil((n - 6) / 4);
  if (kind === "digits") return Math.ceil(n / 3);
  return Math.ceil(n / 2);
}

/** Tokens of `text` by the documented rules. */
function expected(text: string): number {
  let quarters = 0;
  let run: Kind | null = null;
  let length = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const kind = kindOf(cp);
    if (kind === run && (kind === "letters" || kind === "digits" || kind === "other")) {
      length++;
      continue;
    }
    if (run) quarters += 4 * runTokens(run, length);
    run = kind;
    length = kind === "space" || kind === "symbol" ? 0 : 1;
    if (kind === "symbol") quarters += symbolQuarters(cp);
  }
  if (run) quarters += 4 * runTokens(run, length);
  return Math.ceil(quarters / 4);
}

async function estimateOf(vm: ReturnType<typeof startFilter>, text: string): Promise<number> {
  // max_tokens 0: no completion allowance, the reservation is the prompt estimate alone.
  const res = await vm.exchange(chatRequest(text, {}, { max_tokens: 0 }), { upstream: llmUpstream() });
  return (stateOf(res) as State).reserved - 6;
}

const SAMPLES = [
  "The quick brown fox jumps over the lazy dog.",
  "internationalization and counterrevolutionaries",
  "a ab abc abcdef abcdefg abcdefghij abcdefghijk",
  "1 12 123 1234 1234567 3.14159 2026-11-29",
  "abc123def456 x9y8z7",
  "大型语言模型按令牌计费，对吧？",
  "ひらがなとカタカナ、한국어 문장",
  "Привет, мир! Ελληνικά κείμενα. Ça coûte 5 € — déjà vu.",
  "tabs\tand\nnewlines\r\nand  double  spaces",
  'quotes " and backslashes \\ and slashes /',
  "emoji 😀👍🏽 and 𠀀𠀁 (CJK extension B)",
  "non\u00a0breaking and ideographic\u3000spaces, ×÷",
  "fullwidth！？and symbols ©®™ →←",
  "",
];

describe("prompt estimator", () => {
  it("counts texts of every class by its documented rules", async () => {
    const vm = startFilter(new Host(), { limits: [{ name: "l", by: "all", windows: { minute: 1_000_000_000 } }] });
    for (const text of SAMPLES) expect([text, await estimateOf(vm, text)]).toEqual([text, expected(text)]);
  });

  it("counts random mixes of the classes by the same rules", async () => {
    const vm = startFilter(new Host(), { limits: [{ name: "l", by: "all", windows: { minute: 1_000_000_000 } }] });
    const alphabet = [..."aZkQ0179 \t\n.,;\"\\/é中文ひ한я😀\u00a0\u3000×"];
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let i = 0; i < 150; i++) {
      let text = "";
      const len = rand(60);
      for (let j = 0; j < len; j++) {
        // Runs: repeat a character a few times, so words and numbers of every length occur.
        const ch = alphabet[rand(alphabet.length)];
        text += ch.repeat(1 + rand(9));
      }
      expect([text, await estimateOf(vm, text)]).toEqual([text, expected(text)]);
    }
  });
});
