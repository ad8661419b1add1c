// Malformed input never traps the VM. A generated corpus (every truncation of
// realistic LLM/MCP bodies, seeded random mutations, 100k-deep nesting, a
// 10 MB string, ill-formed UTF-8, lone surrogate escapes) goes through one
// kit instance: each input must give a value exactly when a strict parser
// must accept it (JSON.parse on well-formed UTF-8), the same value, or an
// error with a known code; and the module must still parse normally after.
import { beforeAll, describe, expect, it } from "vitest";
import { KitTrap, type Kit } from "../../host/kit.ts";
import { loadJsonKit, parse, parseWith, type Parsed } from "./corpus/json-kit.ts";
import { INVALID_UTF8, judge, mutate, truncations } from "./corpus/malformed.ts";
import { Prng } from "./corpus/prng.ts";
import { openaiChatRequest, sampleBodies } from "./corpus/samples.ts";

const CODES = new Set(["syntax", "truncated", "depth", "too_large", "utf8", "number", "escape"]);

let kit: Kit;

beforeAll(async () => {
  kit = await loadJsonKit();
}, 120_000);

/** Parses `input` and checks the outcome against the judge; returns the outcome. */
function check(input: Uint8Array, label: string): Parsed {
  let r: Parsed;
  try {
    r = parse(kit, input);
  } catch (e) {
    if (e instanceof KitTrap) throw new Error(`${label}: the module trapped: ${e.message}`);
    throw e;
  }
  const want = judge(input);
  if (want.accept) {
    if (!r.ok) throw new Error(`${label}: rejected (${r.code} at ${r.offset}: ${r.message}) but JSON.parse accepts ${JSON.stringify(Buffer.from(input).toString().slice(0, 120))}`);
    expect(JSON.parse(r.json), label).toEqual(want.value);
  } else {
    if (r.ok) throw new Error(`${label}: accepted but must be rejected: ${JSON.stringify(Buffer.from(input).toString("latin1").slice(0, 120))}`);
    expect(CODES.has(r.code), `${label}: code ${r.code}`).toBe(true);
    expect(r.offset, label).toBeGreaterThanOrEqual(0);
    expect(r.offset, label).toBeLessThanOrEqual(input.length);
  }
  return r;
}

describe("malformed corpus", () => {
  it("every truncation of every sample body", () => {
    let n = 0;
    for (const { name, body } of sampleBodies()) {
      for (const prefix of truncations(body)) {
        const r = check(prefix, `${name} cut at ${prefix.length}`);
        // A prefix of one JSON value is never a whole one, except a bare number cut short.
        if (r.ok) throw new Error(`${name} cut at ${prefix.length} parsed`);
        n++;
      }
    }
    expect(n).toBeGreaterThan(10_000);
  });

  it("truncations inside multi-byte characters say truncated, not invalid", () => {
    const body = Buffer.from('{"t":"é😀中"}');
    for (const cut of [7, 9, 10, 11, 13, 14]) expect(parse(kit, body.subarray(0, cut)), `cut ${cut}`).toMatchObject({ ok: false, code: "truncated" });
  });

  it("20000 seeded random mutations of the samples", () => {
    const rng = new Prng(0x5eed);
    const seeds = sampleBodies();
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const seed = seeds[i % seeds.length];
      const input = mutate(seed.body, rng);
      if (check(input, `mutation ${i} of ${seed.name}`).ok) accepted++;
    }
    // Some mutations land in strings or whitespace and stay valid; most must not.
    expect(accepted).toBeGreaterThan(200);
    expect(accepted).toBeLessThan(16_000);
  });

  it("2000 random short byte strings over JSON's alphabet", () => {
    const rng = new Prng(42);
    const alphabet = Buffer.from('{}[]:," \\0123456789-.eEtrufalsn\nx\u00e9');
    for (let i = 0; i < 2000; i++) {
      const input = Buffer.from(Array.from({ length: 1 + rng.int(12) }, () => alphabet[rng.int(alphabet.length)]));
      check(input, `random ${i}`);
    }
  });

  it.each([
    ["[", "]"],
    ['{"a":', "}"],
    ['{"a":[', "]}"],
    ['[{"k":', "}]"],
  ])("100k-deep %s...%s is a depth error, at any depth limit", (open, close) => {
    const depth = 100_000;
    const doc = open.repeat(depth) + "1" + close.repeat(depth);
    const r = parse(kit, doc);
    expect(r).toMatchObject({ ok: false, code: "depth" });
    expect(parseWith(kit, doc, 1 << 30, 1 << 30)).toMatchObject({ ok: false, code: "depth" });
    // Unclosed as well: the depth error comes before the truncation.
    expect(parse(kit, open.repeat(depth))).toMatchObject({ ok: false, code: "depth" });
  });

  it("100k bare '{' is a syntax error at the second (a member name must follow)", () => {
    expect(check(Buffer.from("{".repeat(100_000)), "braces")).toMatchObject({ ok: false, code: "syntax", offset: 1 });
  });

  it("a 10 MB string parses under a 16 MB limit and is too_large under the default 8 MB", () => {
    const body = Buffer.concat([Buffer.from('{"s":"'), Buffer.alloc(10 << 20, "a"), Buffer.from('"}')]);
    const r = parseWith(kit, body, 64, 16 << 20);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.json.length).toBe(body.length);
    expect(parse(kit, body)).toMatchObject({ ok: false, code: "too_large", offset: 8 << 20 });
    const open = body.subarray(0, body.length - 2);
    expect(parseWith(kit, open, 64, 16 << 20)).toMatchObject({ ok: false, code: "truncated", offset: open.length });
  });

  it.each(INVALID_UTF8.map((c) => [c.name, c.bytes]))("ill-formed UTF-8 in a string (%s) is a utf8 error at its first byte", (_name, bytes) => {
    const input = Buffer.concat([Buffer.from('{"text":"ok '), Buffer.from(bytes), Buffer.from(' end"}')]);
    const r = check(input, _name);
    expect(r).toMatchObject({ ok: false, code: "utf8", offset: 12 });
    // Outside a string, the same bytes are simply not JSON.
    expect(check(Buffer.concat([Buffer.from("["), Buffer.from(bytes), Buffer.from("]")]), `${_name} bare`)).toMatchObject({ ok: false });
  });

  it("well-formed UTF-8 of every length is accepted, including the range ends", () => {
    for (const s of ["\u0080", "\u07ff", "\u0800", "\ud7ff", "\ue000", "\uffff", "\u{10000}", "\u{10ffff}", "\u00e9\u4e2d\u{1f600}"]) {
      const r = check(Buffer.from(JSON.stringify({ s })), JSON.stringify(s));
      expect(r.ok).toBe(true);
    }
  });

  it.each(['"\\ud800"', '"\\udfff"', '"\\ud800\\u0041"', '"\\ud800\\ud800"', '"\\udc00\\ud800"', '"a\\uDBFF"', '["\\ud83d",1]'])(
    "lone surrogate escape %s is kept, as JSON.parse keeps it",
    (doc) => {
      const r = check(Buffer.from(doc), doc);
      expect(r.ok).toBe(true);
    },
  );

  it("the module still works after the corpus", () => {
    const body = Buffer.from(JSON.stringify(openaiChatRequest));
    const r = parse(kit, body);
    expect(r.ok).toBe(true);
    if (r.ok) expect(JSON.parse(r.json)).toEqual(openaiChatRequest);
    expect(kit.logs.filter((l) => l.includes("abort"))).toEqual([]);
  });
});
