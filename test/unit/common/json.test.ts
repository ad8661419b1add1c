// The JSON parser and writer (assembly/common/json) through the kit-json
// fixture: tricky valid documents must come back equal to what JSON.parse
// reads, every value must carry its exact byte span, errors must carry a
// stable code and offset, limits must hold, and the writer must escape like
// JSON.stringify.
import { beforeAll, describe, expect, it } from "vitest";
import type { Kit } from "../../host/kit.ts";
import { loadJsonKit, parse, parseWith } from "./corpus/json-kit.ts";
import { sampleBodies } from "./corpus/samples.ts";

let kit: Kit;

beforeAll(async () => {
  kit = await loadJsonKit();
}, 120_000);

const VALID: string[] = [
  "0",
  "-0",
  "-0.0",
  "1e309",
  "-1e309",
  "1E+2",
  "1e-400",
  "123456789012345678901234567890",
  "-9223372036854775809",
  "0.1",
  "3.141592653589793238462643383279",
  "2.5e-3",
  "true",
  "false",
  "null",
  '""',
  "[]",
  "{}",
  "[[]]",
  '[{}, [], "", 0, false, null]',
  ' \t\r\n {"a" \n:\t1 ,\r"b":[ 1 , 2 ] } \n',
  '"\\" \\\\ \\/ \\b \\f \\n \\r \\t"',
  '"\\u0000\\u001f\\u007f\\u0080\\u07ff\\u0800\\uffff"',
  '"\\uD83D\\uDE00 \\ud83d\\ude00"',
  '"\\ud800"',
  '"\\udc00\\ud800"',
  '"x\\uDBFFy"',
  '"é ß 中文 😀 \u2028 \u2029 \u{10FFFF}"',
  '"\u007f"',
  '{"a":1,"a":2}',
  '{"":{"":[]}}',
  '{"\\u0061":"b","k\\"ey":"v\\\\"}',
  '[1,[2,[3,[4,[5]]]]]',
  '{"nested":{"deep":{"deeper":{"deepest":"ok"}}},"list":[{"x":1},{"y":[true,false,null]}]}',
  JSON.stringify("a".repeat(10_000)),
  JSON.stringify({ big: Array.from({ length: 500 }, (_, i) => ({ i, s: `v${i}` })) }),
];

describe("valid documents", () => {
  it.each(VALID.map((doc) => [doc.length > 60 ? `${doc.slice(0, 57)}...` : doc, doc]))("parses %s like JSON.parse", (_label, doc) => {
    const r = parse(kit, doc);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    expect(JSON.parse(r.json)).toEqual(JSON.parse(doc));
  });

  it("re-emits strings byte-for-byte like JSON.stringify", () => {
    for (const doc of VALID) {
      const value = JSON.parse(doc);
      if (typeof value !== "string") continue;
      const r = parse(kit, doc);
      expect(r.ok && r.json).toBe(JSON.stringify(value));
    }
  });

  it("keeps repeated member names in order; lookups see the last, as JSON.parse does", () => {
    const r = parse(kit, '{"a":1,"b":2,"a":3}');
    expect(r.ok && r.json).toBe('{"a":1,"b":2,"a":3}');
  });

  it("keeps numbers exactly as written", () => {
    const r = parse(kit, "[1E+2,-0.0,123456789012345678901234567890,1e309]");
    expect(r.ok && r.json).toBe("[1E+2,-0.0,123456789012345678901234567890,1e309]");
  });
});

describe("byte spans", () => {
  /** Follows a path of keys and indices through a JSON.parse value. */
  const at = (v: unknown, path: (string | number)[]) => path.reduce<unknown>((cur, k) => (cur as Record<string | number, unknown>)[k], v);

  it.each(sampleBodies().map((s) => [s.name, s.body]))("%s: every value's span is that value", (_name, body) => {
    const out = kit.callText("json_spans", body);
    expect(out.startsWith("OK\n"), out.slice(0, 200)).toBe(true);
    const whole = JSON.parse(body.toString());
    const lines = out.slice(3).split("\n");
    const countValues = (v: unknown): number =>
      1 + (v !== null && typeof v === "object" ? Object.values(v as object).reduce((n: number, c) => n + countValues(c), 0) : 0);
    expect(lines.length).toBe(countValues(whole));
    for (const line of lines) {
      const [pathText, kind, start, end, length] = line.split("\t");
      const path = JSON.parse(pathText) as (string | number)[];
      const expected = at(whole, path);
      const span = body.subarray(Number(start), Number(end)).toString();
      expect(JSON.parse(span), `${pathText} ${span}`).toEqual(expected);
      const kinds = ["null", "boolean", "number", "string", "array", "object"];
      const actualKind = expected === null ? "null" : Array.isArray(expected) ? "array" : typeof expected;
      expect(kinds[Number(kind)]).toBe(actualKind);
      const size = Array.isArray(expected) ? expected.length : actualKind === "object" ? Object.keys(expected as object).length : 0;
      expect(Number(length)).toBe(size);
    }
  });

  it.each(sampleBodies().map((s) => [s.name, s.body]))("%s: a walk with reused cursors sees every value a walk with new ones does", (_name, body) => {
    const out = kit.callText("json_cursor_spans", body);
    expect(out.startsWith("OK\n"), out.slice(0, 200)).toBe(true);
    expect(out).toBe(kit.callText("json_spans", body));
  });

  it("spans exclude surrounding whitespace", () => {
    const out = kit.callText("json_spans", ' { "a" :  [ 1 ,"x" ] } ');
    expect(out).toBe(['OK', '[]\t5\t1\t22\t1', '["a"]\t4\t10\t20\t2', '["a",0]\t2\t12\t13\t0', '["a",1]\t3\t15\t18\t0'].join("\n"));
  });
});

describe("errors", () => {
  const CASES: [string, string, number][] = [
    ["", "truncated", 0],
    ["   ", "truncated", 3],
    ["[1,2", "truncated", 4],
    ['{"a":', "truncated", 5],
    ['{"a"', "truncated", 4],
    ['"abc', "truncated", 4],
    ['"abc\\', "truncated", 5],
    ['"\\u12', "truncated", 5],
    ["tru", "truncated", 3],
    ["-", "truncated", 1],
    ["1.", "truncated", 2],
    ["1e+", "truncated", 3],
    ["[1,]", "syntax", 3],
    ['{"a":1,}', "syntax", 7],
    ["{a:1}", "syntax", 1],
    ['{"a" 1}', "syntax", 5],
    ["[1 2]", "syntax", 3],
    ['{"a":1]', "syntax", 6],
    ["[1}", "syntax", 2],
    ["nul", "truncated", 3],
    ["nulx", "syntax", 3],
    ["True", "syntax", 0],
    ["'a'", "syntax", 0],
    ["1 2", "syntax", 2],
    ["{}}", "syntax", 2],
    ['"a\nb"', "syntax", 2],
    ['"a\tb"', "syntax", 2],
    ["\ufeff{}", "syntax", 0],
    ["+1", "syntax", 0],
    [".5", "syntax", 0],
    ["NaN", "syntax", 0],
    ["Infinity", "syntax", 0],
    ["01", "number", 1],
    ["-01", "number", 2],
    ["1.e5", "number", 2],
    ["1.5e", "truncated", 4],
    ["1ex", "number", 2],
    ["-a", "number", 1],
    ["[-]", "number", 2],
    ['"\\x"', "escape", 2],
    ['"\\U0041"', "escape", 2],
    ['"\\u12g4"', "escape", 1],
    ['"\\\'"', "escape", 2],
  ];
  it.each(CASES)("%j is %s at byte %d", (doc, code, offset) => {
    const r = parse(kit, doc);
    expect(r).toMatchObject({ ok: false, code, offset });
    expect(() => JSON.parse(doc)).toThrow();
  });

  it("messages say what was expected and what came", () => {
    expect(parse(kit, "[1 2]")).toMatchObject({ message: "expected ',' or ']', got '2'" });
    expect(parse(kit, '{"a":1;')).toMatchObject({ message: "expected ',' or '}', got ';'" });
    expect(parse(kit, '"\u0001"')).toMatchObject({ message: "unescaped control character in a string, got byte 0x01" });
    expect(parse(kit, "[1] x")).toMatchObject({ code: "syntax", offset: 4, message: "unexpected data after the document, got 'x'" });
  });
});

describe("limits", () => {
  const nest = (n: number, open: string, close: string) => open.repeat(n) + close.repeat(n);

  it("accepts 64 levels by default and rejects 65 with a depth error at the 65th opener", () => {
    expect(parse(kit, nest(64, "[", "]")).ok).toBe(true);
    expect(parse(kit, nest(65, "[", "]"))).toMatchObject({ ok: false, code: "depth", offset: 64 });
    expect(parse(kit, '{"a":'.repeat(65) + "1" + "}".repeat(65))).toMatchObject({ ok: false, code: "depth", offset: 64 * 5 });
  });

  it("takes a configured depth, clamped to 1024", () => {
    expect(parseWith(kit, nest(3, "[", "]"), 3, 1 << 20).ok).toBe(true);
    expect(parseWith(kit, nest(4, "[", "]"), 3, 1 << 20)).toMatchObject({ code: "depth", offset: 3 });
    expect(parseWith(kit, nest(1024, "[", "]"), 100_000, 1 << 20).ok).toBe(true);
    expect(parseWith(kit, nest(1025, "[", "]"), 100_000, 1 << 20)).toMatchObject({ code: "depth", offset: 1024 });
    expect(parseWith(kit, "[1]", 0, 1 << 20).ok).toBe(true);
  });

  it("rejects inputs over the size limit before reading them", () => {
    expect(parseWith(kit, '"0123456789"', 64, 12).ok).toBe(true);
    expect(parseWith(kit, '"01234567890"', 64, 12)).toMatchObject({ ok: false, code: "too_large", offset: 12 });
    expect(parseWith(kit, "[", 64, 0)).toMatchObject({ ok: false, code: "too_large", offset: 0 });
  });
});

describe("numbers", () => {
  const bits = (x: number) => new BigUint64Array(new Float64Array([x]).buffer)[0].toString();
  it.each([
    ["0", "0", true],
    ["-0", "-0", true],
    ["42", "42", true],
    ["-7", "-7", true],
    ["9223372036854775807", "9223372036854775807", true],
    ["-9223372036854775808", "-9223372036854775808", true],
    ["9223372036854775808", "none", true],
    ["-9223372036854775809", "none", true],
    ["1.5", "none", false],
    ["1e3", "none", false],
    ["1e309", "none", false],
    ["-1e309", "none", false],
    ["0.1", "none", false],
    ["123456789012345678901234567890", "none", true],
    ["2.5e-3", "none", false],
  ])("%s: toF64 matches Number(), toI64 is %s", (text, int, isInteger) => {
    const [f, kind, i] = kit.callText("json_number", text).split(" ");
    expect(f).toBe(bits(Number(text)));
    expect(kind).toBe(isInteger ? "int" : "float");
    expect(i).toBe(int === "-0" ? "0" : int);
  });
});

describe("writer", () => {
  const STRINGS = [
    "",
    "plain",
    'quote " backslash \\ slash /',
    Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join(""),
    "\u007f\u0080\u00ff\u0100\u07ff\u0800\uffff",
    "line\u2028para\u2029",
    "emoji 😀 and 𝄞 and \u{10FFFF}",
    "中文 and Ελληνικά and עברית",
  ];
  it.each(STRINGS.map((s) => [JSON.stringify(s).slice(0, 40), s]))("quotes %s exactly like JSON.stringify", (_label, s) => {
    expect(kit.callText("json_quote", s)).toBe(JSON.stringify(s));
  });

  it("writes every kind with commas in the right places, NaN as null, lone surrogates escaped", () => {
    const out = kit.callText("json_writer_sample", "");
    expect(out).toBe(
      '{"s":"a\\"b\\\\c\\n\\u0001\u2028é😀","i":-9007199254740993,"ints":[0,-1,9,10,-9223372036854775808,9223372036854775807],"f":1.5,"whole":3,"nan":null,"t":true,"n":null,"maybe":null,' +
        '"raw":{"x":[1,2]},"empty":[],"nested":[{},[1]],"lone":"\\ud800x\\udfff"}',
    );
    const v = JSON.parse(out);
    expect(v.lone).toBe("\ud800x\udfff");
    expect(v.s).toBe('a"b\\c\n\u0001\u2028é😀');
  });
});
