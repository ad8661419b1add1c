// Byte-level rewrites (assembly/common/json/rewrite.ts): setting a top-level
// field must give JSON that JSON.parse reads as the original with only that
// field changed, with every other byte kept (so the length is exact), and a
// span splice must replace exactly the span.
import { beforeAll, describe, expect, it } from "vitest";
import type { Kit } from "../../host/kit.ts";
import { loadJsonKit } from "./corpus/json-kit.ts";
import * as S from "./corpus/samples.ts";

let kit: Kit;

beforeAll(async () => {
  kit = await loadJsonKit();
}, 120_000);

function setField(body: string | Buffer, key: string, raw: string): string | null {
  const out = kit.callText("set_field", Buffer.concat([Buffer.from(`${key}\n${raw}\n`), Buffer.from(body)]));
  if (out.startsWith("OK ")) return out.slice(3);
  if (out === "ERR refused") return null;
  throw new Error(out);
}

function splice(body: string, start: number, end: number, replacement: string): string | null {
  const out = kit.callText("splice_span", `${start} ${end}\n${replacement}\n${body}`);
  if (out.startsWith("OK ")) return out.slice(3);
  if (out === "ERR refused") return null;
  throw new Error(out);
}

const LLM_BODIES: [string, Record<string, unknown>][] = [
  ["OpenAI Chat", S.openaiChatRequest],
  ["Anthropic", S.anthropicRequest],
  ["Responses", S.responsesRequest],
];

describe("setTopLevelField", () => {
  for (const [name, value] of LLM_BODIES) {
    for (const pretty of [false, true]) {
      const body = JSON.stringify(value, null, pretty ? 2 : undefined);
      it(`${name}${pretty ? " (pretty)" : ""}: rewrites model and nothing else`, () => {
        const out = setField(body, "model", '"gpt-4o-mini-2024-07-18"');
        expect(out).not.toBeNull();
        expect(JSON.parse(out!)).toEqual({ ...value, model: "gpt-4o-mini-2024-07-18" });
        const oldLen = Buffer.byteLength(JSON.stringify(value.model));
        expect(Buffer.byteLength(out!)).toBe(Buffer.byteLength(body) - oldLen + Buffer.byteLength('"gpt-4o-mini-2024-07-18"'));
        // Every byte outside the value is the original byte.
        const at = body.indexOf(JSON.stringify(value.model));
        expect(out!.slice(0, at)).toBe(body.slice(0, at));
        expect(out!.slice(at + '"gpt-4o-mini-2024-07-18"'.length)).toBe(body.slice(at + JSON.stringify(value.model).length));
      });
    }
  }

  it("adds stream_options as the first member when absent", () => {
    const body = JSON.stringify({ model: "m", stream: true, messages: [] });
    const out = setField(body, "stream_options", '{"include_usage":true}');
    expect(out).toBe('{"stream_options":{"include_usage":true},' + body.slice(1));
    expect(JSON.parse(out!)).toEqual({ stream_options: { include_usage: true }, model: "m", stream: true, messages: [] });
  });

  it("replaces an existing object value whatever it held", () => {
    const body = '{"model":"m","stream_options":{"include_usage":false,"x":[1,{"y":2}]},"stream":true}';
    expect(setField(body, "stream_options", '{"include_usage":true}')).toBe('{"model":"m","stream_options":{"include_usage":true},"stream":true}');
  });

  it("inserts into an empty object without a comma", () => {
    expect(setField("{}", "model", '"m"')).toBe('{"model":"m"}');
    expect(setField(" { \n } ", "model", '"m"')).toBe(' {"model":"m" \n } ');
  });

  it("replaces every occurrence of a repeated name, so any upstream parser sees the new value", () => {
    const out = setField('{"model":"a","x":1,"model":"b"}', "model", '"c"');
    expect(out).toBe('{"model":"c","x":1,"model":"c"}');
  });

  it("matches names written with escapes and escapes new names", () => {
    expect(setField('{"mod\\u0065l":"a"}', "model", '"c"')).toBe('{"mod\\u0065l":"c"}');
    expect(setField("{}", 'we"ird\t\\', "1")).toBe('{"we\\"ird\\t\\\\":1}');
  });

  it("compares names as decoded text: longer names, non-ASCII names, bytes that only look alike", () => {
    expect(setField('{"modelx":1,"model":2}', "model", "3")).toBe('{"modelx":1,"model":3}');
    expect(setField('{"mode":1}', "model", "3")).toBe('{"model":3,"mode":1}');
    expect(setField('{"modèle":1}', "modèle", "2")).toBe('{"modèle":2}');
    expect(setField('{"模型":1,"x":0}', "模型", "2")).toBe('{"模型":2,"x":0}');
    // "é" is the bytes C3 A9; the two-unit name "\u00c3\u00a9" is another name.
    expect(setField('{"é":1}', "\u00c3\u00a9", "2")).toBe('{"\u00c3\u00a9":2,"é":1}');
  });

  it("keeps nested fields of the same name untouched", () => {
    const body = '{"metadata":{"model":"inner"},"model":"outer"}';
    expect(setField(body, "model", '"new"')).toBe('{"metadata":{"model":"inner"},"model":"new"}');
  });

  it("refuses a root that is not an object and a value that is not JSON", () => {
    expect(setField("[1]", "model", '"m"')).toBeNull();
    expect(setField('"s"', "model", '"m"')).toBeNull();
    expect(setField('{"model":"a"}', "model", '"unterminated')).toBeNull();
    expect(setField('{"model":"a"}', "model", "1 2")).toBeNull();
    expect(setField('{"model":"a"}', "model", "")).toBeNull();
  });
});

describe("setField on a nested object", () => {
  const setNested = (body: string, parent: string, key: string, raw: string) => kit.callText("set_nested_field", `${parent}\n${key}\n${raw}\n${body}`);

  it("sets stream_options.include_usage and keeps the other options", () => {
    const body = '{"model":"m","stream_options":{"foo":1,"include_usage":false},"stream":true}';
    expect(setNested(body, "stream_options", "include_usage", "true")).toBe('OK {"model":"m","stream_options":{"foo":1,"include_usage":true},"stream":true}');
    expect(setNested('{"stream_options":{"foo":1}}', "stream_options", "include_usage", "true")).toBe('OK {"stream_options":{"include_usage":true,"foo":1}}');
    expect(setNested('{"stream_options":{}}', "stream_options", "include_usage", "true")).toBe('OK {"stream_options":{"include_usage":true}}');
  });

  it("refuses a member that is not an object", () => {
    expect(setNested('{"stream_options":[1]}', "stream_options", "include_usage", "true")).toBe("ERR refused");
    expect(setNested('{"stream_options":null}', "stream_options", "include_usage", "true")).toBe("ERR refused");
  });
});

describe("replaceSpan", () => {
  it("splices a nested value found by its span", () => {
    const body = JSON.stringify(S.openaiChatRequest);
    const spans = kit.callText("json_spans", body).split("\n").slice(1).map((l) => l.split("\t"));
    const target = spans.find(([path]) => path === '["messages",1,"content"]')!;
    const [start, end] = [Number(target[2]), Number(target[3])];
    const out = splice(body, start, end, '"[redacted]"');
    const expected = structuredClone(S.openaiChatRequest) as { messages: { content: unknown }[] };
    expected.messages[1].content = "[redacted]";
    expect(JSON.parse(out!)).toEqual(expected);
    expect(Buffer.byteLength(out!)).toBe(Buffer.byteLength(body) - (end - start) + '"[redacted]"'.length);
  });

  it("inserts at an empty span and refuses spans outside the body", () => {
    expect(splice("[1,2]", 1, 1, "0,")).toBe("[0,1,2]");
    expect(splice("[1,2]", 0, 5, "null")).toBe("null");
    expect(splice("[1,2]", 3, 6, "x")).toBeNull();
    expect(splice("[1,2]", -1, 2, "x")).toBeNull();
    expect(splice("[1,2]", 3, 2, "x")).toBeNull();
  });
});
