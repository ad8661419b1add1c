// The text shape gates the secret detector: a text whose shape says "no key
// prefix" is never searched for keys. Its one-pass loop must agree with the
// definition it stands for, checked here over random texts: some known prefix
// (the detector's own list, read from its source) whole at a word start, or
// "eyJ" / "BEG" anywhere.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { build } from "../../../scripts/build.ts";
import { ROOT } from "../../../scripts/lib/paths.ts";
import { wasmPath } from "../../../scripts/lib/paths.ts";
import { loadKit, type Kit } from "../../host/kit.ts";
import { Prng } from "../common/corpus/prng.ts";

let kit: Kit;

beforeAll(async () => {
  await build({ only: "kit-text", quiet: true });
  kit = loadKit(wasmPath("kit-text", { fixture: true }));
}, 120_000);

function keyPrefixes(): string[] {
  const source = readFileSync(join(ROOT, "assembly/content-audit/pii/secrets.ts"), "utf8");
  const list = /const PREFIXES: StaticArray<string> = \[([\s\S]*?)\];/.exec(source);
  if (!list) throw new Error("PREFIXES not found in secrets.ts");
  return [...list[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]);
}

/** What secretStart means: a prefix whole at a word start (no ASCII letter, digit, - or _ before it), or eyJ / BEG anywhere. */
function secretStart(text: string, prefixes: string[]): boolean {
  if (text.includes("eyJ") || text.includes("BEG")) return true;
  for (const p of prefixes) {
    for (let i = text.indexOf(p); i >= 0; i = text.indexOf(p, i + 1)) {
      if (i === 0 || !/[A-Za-z0-9_-]/.test(text[i - 1])) return true;
    }
  }
  return false;
}

describe("text shape: the secret gate", () => {
  it("flags a key prefix exactly when one is whole at a word start (or a JWT / PEM start), over 20,000 random texts", () => {
    const prefixes = keyPrefixes();
    expect(prefixes.length).toBeGreaterThan(40);
    const rng = new Prng(0x5ec2e7);
    // Pieces that make near misses likely: prefix heads and tails, the letters
    // that start and continue prefixes, word characters, separators, non-ASCII.
    const pieces = [
      ...prefixes,
      ...prefixes.map((p) => p.slice(0, 2)),
      ...prefixes.map((p) => p.slice(1)),
      ..."aeiouysdgnrhkxBESAGJTWSKCI019".split(""),
      " ", "  ", "\n", "-", "_", ".", "/", ":", "@", "(", "é", "中", "😀", "ｓｋ", "ey", "eyJ", "BE", "BEG", "the", "key", "give",
    ];
    let flagged = 0;
    for (let t = 0; t < 20_000; t++) {
      const n = 1 + rng.int(t % 2 ? 8 : 40);
      let text = "";
      for (let k = 0; k < n; k++) text += rng.pick(pieces);
      const expected = secretStart(text, prefixes);
      if (expected) flagged++;
      const shape = kit.callText("text_shape", `1\n${text}`);
      expect(shape.endsWith(` secret=${expected ? 1 : 0}`), JSON.stringify(text)).toBe(true);
    }
    // Both answers must be well represented, or the property says little.
    expect(flagged).toBeGreaterThan(4000);
    expect(flagged).toBeLessThan(16000);
  });
});

/** What normalization does to a streamed piece: invisible characters gone, full-width forms folded, case kept. */
function normalizedKeepingCase(text: string): string {
  let out = "";
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c === 0xad || c === 0x034f || c === 0x180e || (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2060 && c <= 0x2064) || c === 0xfeff) continue;
    out += String.fromCodePoint(c >= 0xff01 && c <= 0xff5e ? c - 0xfee0 : c === 0x3000 ? 0x20 : c);
  }
  return out;
}

describe("stream context window", () => {
  it("is the last 24 normalized units of everything sent on, piece after piece, over 400 random streams", () => {
    const rng = new Prng(0xc0fe);
    const pieces = ["", "a", "订单", "电话 ", "order #", "Ｒｅｆ", "\u200b", "x\u00ady", "é", " 1234", "tel:", "a long piece of text that is longer than the window by itself"];
    for (let s = 0; s < 400; s++) {
      const sent = Array.from({ length: 1 + rng.int(12) }, () => rng.pick(pieces) + (rng.int(3) === 0 ? rng.pick(pieces) : ""));
      const answers = kit.callText("text_context_after", sent.join("\u0001")).split("\u0001");
      let all = "";
      sent.forEach((piece, i) => {
        all += normalizedKeepingCase(piece);
        // Whole UTF-16 units, as the filter keeps them.
        expect(answers[i], JSON.stringify(sent.slice(0, i + 1))).toBe(all.slice(Math.max(0, all.length - 24)));
      });
    }
  });
});
