// Keyword matching against a plain substring count: many short terms over a
// tiny alphabet make deep failure chains, shared prefixes and overlaps, and
// a non-ASCII letter sends steps off the automaton's dense ASCII rows.
import { beforeAll, describe, expect, it } from "vitest";
import { Prng } from "../common/corpus/prng.ts";
import { auditEvent, auditVm, buildFilter, chatBody, post } from "./helpers.ts";

beforeAll(buildFilter, 120_000);

function word(next: () => number, alphabet: string, min: number, max: number): string {
  const length = min + Math.floor(next() * (max - min + 1));
  let s = "";
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(next() * alphabet.length)];
  return s;
}

/** Occurrences of every term in `text`, overlaps included, ASCII case ignored. */
function occurrences(terms: string[], text: string): number {
  const lower = text.replace(/[A-Z]/g, (c) => c.toLowerCase());
  let n = 0;
  for (const t of terms) for (let i = lower.indexOf(t); i >= 0; i = lower.indexOf(t, i + 1)) n++;
  return n;
}

/** Random texts through a VM that logs `terms`: each must count what a substring search counts; returns the total. */
async function countLikeSubstringSearch(terms: string[], next: () => number, alphabet: string, min: number, max: number, rounds: number): Promise<number> {
  const vm = auditVm({ rules: [{ id: "k", type: "keywords", keywords: terms, action: "log" }] });
  let total = 0;
  for (let round = 0; round < rounds; round++) {
    const text = word(next, alphabet, min, max);
    const res = await post(vm, chatBody(text));
    expect(res.status).toBe(200);
    const rule = ((auditEvent(res).rules ?? []) as { id: string; request: number }[]).find((r) => r.id === "k");
    const expected = occurrences(terms, text);
    expect(rule?.request ?? 0, text).toBe(expected);
    total += expected;
  }
  expect(vm.trapped).toBe(false);
  return total;
}

describe("keyword automaton", () => {
  it("counts every occurrence a substring search finds", async () => {
    const prng = new Prng(7);
    const next = () => prng.next();
    const terms = [...new Set(Array.from({ length: 300 }, () => word(next, "abcé", 1, 7)))].filter((t) => t.length > 1);
    expect(await countLikeSubstringSearch(terms, next, "abcABé d", 20, 120, 40)).toBeGreaterThan(100);
  });

  it("counts what a substring search finds when the terms fill every dense row (4,096 states of depth 1 to 3)", async () => {
    const prng = new Prng(11);
    const next = () => prng.next();
    // 26 + 676 + thousands of depth-3 prefixes: more shallow states than the walk has rows.
    const terms = [...new Set(Array.from({ length: 8000 }, () => word(next, "abcdefghijklmnopqrstuvwxyz", 3, 6)))];
    expect(await countLikeSubstringSearch(terms, next, "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ", 60, 200, 30)).toBeGreaterThan(100);
  });
});

describe("keyword automaton, the two interleaved walks of the clean check", () => {
  it("finds a term at every position of a text, across the middle and the overlap", async () => {
    const terms = ["zqxjkv", "wvq", "qqzzqqzzqq"];
    const vm = auditVm({ rules: [{ id: "k", type: "keywords", keywords: terms, action: "log" }] });
    const filler = "the quick brown fox jumps over the lazy dog while ".repeat(6);
    for (const term of terms) {
      for (let at = 0; at + term.length <= filler.length; at += 3) {
        const text = filler.slice(0, at) + term.toUpperCase() + filler.slice(at + term.length);
        const res = await post(vm, chatBody(text));
        const rule = ((auditEvent(res).rules ?? []) as { id: string; request: number }[]).find((r) => r.id === "k");
        expect(rule?.request ?? 0, `${term} at ${at}`).toBe(1);
      }
    }
    expect(vm.trapped).toBe(false);
  });
});
