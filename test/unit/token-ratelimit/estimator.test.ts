// The prompt estimator (assembly/common/token-estimate.ts), run in the
// compiled filter, against OpenAI's own encodings (o200k_base, cl100k_base
// from the gpt-tokenizer package) on a generated multilingual corpus
// (test/data/prompts). Targets per encoding: at most 1% of prompts
// underestimated, median estimate / real at most 1.35, none below 0.9.
// `npx vitest run --project unit test/unit/token-ratelimit/estimator.test.ts`
// prints the table the README shows.
import { encode as cl100k } from "gpt-tokenizer/encoding/cl100k_base";
import { encode as o200k } from "gpt-tokenizer/encoding/o200k_base";
import { cl100k_base as CL100K_MODELS, o200k_harmony as O200K_HARMONY_MODELS } from "gpt-tokenizer/modelsMap";
import { beforeAll, describe, expect, it } from "vitest";
import { promptCorpus } from "../../data/prompts/corpus.ts";
import { Host } from "../../host/index.ts";
import type { UpstreamResponse } from "../../host/exchange.ts";
import { buildFilter, startFilter, stateOf, type State } from "./helpers.ts";

beforeAll(buildFilter, 120_000);

/** Tokens the filter adds to a one-message prompt's text: the message (3), the reply priming (3). */
const OVERHEAD = 6;
const noUsage = (): UpstreamResponse => ({ status: 200, headers: [["content-type", "application/json"]], body: '{"choices":[{"index":0,"message":{"role":"assistant","content":""}}]}' });

type Vm = ReturnType<typeof startFilter>;

function newVm(): Vm {
  return startFilter(new Host(), { limits: [{ name: "l", by: "all", windows: { minute: 1_000_000_000_000 } }] });
}

/** The filter's estimate of `text` as the only message of a request for `model` (the prompt it counts when no usage comes back). */
async function estimate(vm: Vm, text: string, model: string, path = "/v1/chat/completions", rawBody?: string): Promise<number> {
  const body = rawBody ?? JSON.stringify({ model, max_tokens: 16, messages: [{ role: "user", content: text }] });
  const res = await vm.exchange({ method: "POST", path, headers: { host: "gw", "content-type": "application/json" }, body }, { upstream: noUsage });
  const s = stateOf(res) as State;
  expect(s.source).toBe("estimate");
  return s.prompt - OVERHEAD;
}

interface Row {
  cls: string;
  ratio: number;
}

function summary(rows: Row[]) {
  const r = rows.map((x) => x.ratio).sort((a, b) => a - b);
  return { n: r.length, under: r.filter((x) => x < 1).length / r.length, median: r[Math.floor(r.length / 2)], min: r[0] };
}

function table(title: string, rows: Row[]): string {
  const classes = [...new Set(rows.map((r) => r.cls))];
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const lines = [`${title}`, "| class | prompts | under | median | min |", "| --- | --- | --- | --- | --- |"];
  for (const c of [...classes, "all"]) {
    const s = summary(c === "all" ? rows : rows.filter((r) => r.cls === c));
    lines.push(`| ${c} | ${s.n} | ${pct(s.under)} | ${s.median.toFixed(2)} | ${s.min.toFixed(2)} |`);
  }
  return lines.join("\n");
}

describe("prompt estimator against o200k_base and cl100k_base", () => {
  const corpus = promptCorpus();
  const real = corpus.map((p) => ({ o200k: o200k(p.text).length, cl100k: cl100k(p.text).length }));

  const profiles: [string, string, string, (i: number) => number][] = [
    ["o200k_base (gpt-4o)", "gpt-4o", "/v1/chat/completions", (i) => real[i].o200k],
    ["cl100k_base (gpt-4)", "gpt-4", "/v1/chat/completions", (i) => real[i].cl100k],
    ["the larger of the two (claude-sonnet-4-5, Anthropic Messages)", "claude-sonnet-4-5", "/v1/messages", (i) => Math.max(real[i].o200k, real[i].cl100k)],
  ];
  for (const [title, model, path, truth] of profiles) {
    it(`${title}: <= 1% underestimated, median <= 1.35x, none below 0.9x`, async () => {
      const vm = newVm();
      const rows: Row[] = [];
      for (let i = 0; i < corpus.length; i++) {
        const est = await estimate(vm, corpus[i].text, model, path);
        rows.push({ cls: corpus[i].cls, ratio: est / truth(i) });
      }
      console.log(table(`estimate / ${title}`, rows));
      const all = summary(rows);
      expect(all.under).toBeLessThanOrEqual(0.01);
      expect(all.median).toBeLessThanOrEqual(1.35);
      expect(all.min).toBeGreaterThanOrEqual(0.9);
      expect(vm.trapped).toBe(false);
    }, 300_000);
  }
});

describe("the shapes the old estimator missed", () => {
  const shapes: [string, string][] = [
    ["4000 newlines", "\n".repeat(4000)],
    ["spaces and tabs", " \t".repeat(500)],
    ["CRLF lines", "a\r\n".repeat(300)],
    ["space-separated numbers", Array.from({ length: 400 }, (_, i) => String((i * 7919) % 1000)).join(" ")],
    ["a table", Array.from({ length: 40 }, (_, i) => `| ${i} | ${i * 3.5} | ${i % 7} |`).join("\n")],
    ["base64", Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 131 + 7) % 256)).toString("base64")],
    ["emoji with ZWJ and flags", "👨‍👩‍👧‍👦🏳️‍🌈🇯🇵🇺🇦👍🏽".repeat(20)],
    ["Chinese", "大型语言模型按令牌计费，对吧？".repeat(30)],
    ["Hindi", "भारत की राजधानी नई दिल्ली है। ".repeat(30)],
    ["Thai", "ภาษาไทยเป็นภาษาราชการของประเทศไทย ".repeat(30)],
    ["prose in capitals", "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG. ".repeat(30)],
    ["a warning in capitals", "WARNING: DO NOT OPERATE THIS MACHINE WITHOUT PROPER TRAINING AND PROTECTIVE EQUIPMENT. ".repeat(20)],
  ];
  for (const [name, text] of shapes) {
    it(`${name}: at least the real count under both encodings`, async () => {
      const vm = newVm();
      const est = await estimate(vm, text, "claude-sonnet-4-5");
      expect(est).toBeGreaterThanOrEqual(Math.max(o200k(text).length, cl100k(text).length));
    });
  }
});

describe("reading the prompt", () => {
  it("a JSON escape counts as the character it stands for", async () => {
    const vm = newVm();
    const texts = ["Ça coûte 5 € — déjà vu.", "大型语言模型", "emoji 😀👍🏽 and 𠀀", "line\nbreak\r\nand\ttab", 'quote " backslash \\ slash /'];
    for (const text of texts) {
      const plain = JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: text }] });
      // Every UTF-16 unit as \uXXXX: surrogate pairs as two escapes.
      const all = [...Array(text.length).keys()].map((i) => "\\u" + text.charCodeAt(i).toString(16).padStart(4, "0")).join("");
      const escaped = `{"model":"gpt-4o","messages":[{"role":"user","content":"${all}"}]}`;
      expect(JSON.parse(escaped)).toEqual(JSON.parse(plain));
      expect([text, await estimate(vm, text, "", undefined, escaped)]).toEqual([text, await estimate(vm, text, "", undefined, plain)]);
    }
  });

  it("picks the encoding from the model name as gpt-tokenizer maps it", async () => {
    const vm = newVm();
    // Greek costs twice as much under cl100k as under o200k: the estimate tells which one was picked.
    const probe = "Η γρήγορη καφέ αλεπού πηδάει πάνω από τον τεμπέλη σκύλο.";
    const o = await estimate(vm, probe, "gpt-4o");
    const c = await estimate(vm, probe, "gpt-4");
    expect(c).toBeGreaterThan(o);
    for (const m of CL100K_MODELS) expect([m, await estimate(vm, probe, m)]).toEqual([m, c]);
    // gpt-tokenizer maps every model it does not list to o200k_base; these are OpenAI's current ones.
    const o200kModels = [...O200K_HARMONY_MODELS, "gpt-4o", "gpt-4o-mini", "gpt-4o-2024-08-06", "chatgpt-4o-latest", "gpt-4.1", "gpt-4.1-nano", "gpt-4.5-preview", "gpt-5", "gpt-5-mini", "o1", "o1-mini", "o3", "o3-mini", "o4-mini", "openai/gpt-4o"];
    for (const m of o200kModels) expect([m, await estimate(vm, probe, m)]).toEqual([m, o]);
    // Any other model, and Anthropic Messages whatever the model: the larger of the two.
    for (const m of ["claude-sonnet-4-5", "llama-3.1-70b", "demo-base", ""]) expect(await estimate(vm, probe, m)).toBeGreaterThanOrEqual(c);
    expect(await estimate(vm, probe, "gpt-4o", "/v1/messages")).toBeGreaterThanOrEqual(c);
  });
});
