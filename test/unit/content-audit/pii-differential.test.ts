// Differential test on a generated corpus (test/data/pii/corpus.ts: Faker
// in 25 locales, fixed seed; libphonenumber decides which phone numbers are
// valid): every text goes through the filter as a prompt with every PII
// detector masking. A positive counts when exactly its value is masked with
// its type's placeholder (the whole number with its extension, nothing
// around it); anything else masked is a false positive of that type.
// Prints recall and precision per type and per locale (the README's table).
import { beforeAll, describe, expect, it } from "vitest";
import { generateCorpus, LOCALES, type CorpusText } from "../../data/pii/corpus.ts";
import { auditVm, buildFilter, chatBody, post, upstreamBody } from "./helpers.ts";

const PLACEHOLDERS: Record<string, string> = {
  email: "[EMAIL]", phone: "[PHONE]", credit_card: "[CREDIT_CARD]", cn_resident_id: "[CN_ID]", ip_address: "[IP]", iban: "[IBAN]", us_ssn: "[SSN]", secret: "[SECRET]",
};
const TYPE_OF = Object.fromEntries(Object.entries(PLACEHOLDERS).map(([t, p]) => [p, t]));

interface Score {
  tp: number;
  fn: number;
  fp: number;
}

const corpus = generateCorpus();
let outputs: string[] = [];

beforeAll(async () => {
  await buildFilter();
  const vm = auditVm({ rules: [{ id: "pii", type: "pii", action: "mask" }] });
  const body = JSON.stringify({ model: "m", messages: corpus.map((c) => ({ role: "user", content: c.text })) });
  const res = await post(vm, body);
  expect(vm.trapped).toBe(false);
  outputs = JSON.parse(upstreamBody(res)).messages.map((m: { content: string }) => m.content);
}, 180_000);

function placeholdersIn(s: string): string[] {
  return s.match(/\[(EMAIL|PHONE|CREDIT_CARD|CN_ID|IP|IBAN|SSN|SECRET)\]/g) ?? [];
}

function score(): { byType: Map<string, Score>; byLocale: Map<string, Score>; negativesHit: number; negatives: number; misses: string[] } {
  const byType = new Map<string, Score>();
  const byLocale = new Map<string, Score>();
  const get = (m: Map<string, Score>, k: string) => m.get(k) ?? (m.set(k, { tp: 0, fn: 0, fp: 0 }), m.get(k)!);
  let negativesHit = 0;
  let negatives = 0;
  const misses: string[] = [];
  corpus.forEach((c: CorpusText, i) => {
    const out = outputs[i];
    if (c.type === null) {
      negatives++;
      const found = placeholdersIn(out);
      if (found.length) {
        negativesHit++;
        misses.push(`false positive (${c.kind}, ${c.locale}): ${JSON.stringify(c.text)} -> ${JSON.stringify(out)}`);
      }
      for (const p of found) get(byType, TYPE_OF[p]).fp++;
      return;
    }
    const expected = c.text.slice(0, c.start) + PLACEHOLDERS[c.type] + c.text.slice(c.end);
    if (out === expected) {
      get(byType, c.type).tp++;
      if (c.type === "phone") get(byLocale, c.locale).tp++;
      return;
    }
    get(byType, c.type).fn++;
    if (c.type === "phone") get(byLocale, c.locale).fn++;
    for (const p of placeholdersIn(out)) get(byType, TYPE_OF[p]).fp++;
    misses.push(`missed ${c.type} (${c.kind}, ${c.locale}): ${JSON.stringify(c.text)} -> ${JSON.stringify(out)}`);
  });
  return { byType, byLocale, negativesHit, negatives, misses };
}

const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);

describe("PII detectors on a generated multi-locale corpus (Faker, libphonenumber oracle)", () => {
  it("recall >= 0.95 per type and per locale, precision >= 0.98 per type, <= 1% of negative texts with a finding", () => {
    const s = score();
    const rows = [...s.byType].map(([t, r]) => `| ${t} | ${r.tp + r.fn} | ${ratio(r.tp, r.tp + r.fp).toFixed(3)} | ${ratio(r.tp, r.tp + r.fn).toFixed(3)} |`);
    const locales = [...s.byLocale].map(([l, r]) => `| ${l} (${LOCALES[l]}) | ${r.tp + r.fn} | ${ratio(r.tp, r.tp + r.fn).toFixed(3)} |`);
    console.log(
      [
        `${corpus.length} texts, ${s.negatives} negatives, ${s.negativesHit} negatives with a finding (${((100 * s.negativesHit) / s.negatives).toFixed(2)}%)`,
        "| type | positives | precision | recall |",
        "| --- | --- | --- | --- |",
        ...rows,
        "",
        "| locale (region) | phones | recall |",
        "| --- | --- | --- |",
        ...locales,
        "",
        ...s.misses,
      ].join("\n"),
    );
    const detail = s.misses.join("\n");
    for (const [t, r] of s.byType) {
      if (r.tp + r.fn > 0) expect(ratio(r.tp, r.tp + r.fn), `${t} recall\n${detail}`).toBeGreaterThanOrEqual(0.95);
      expect(ratio(r.tp, r.tp + r.fp), `${t} precision\n${detail}`).toBeGreaterThanOrEqual(0.98);
    }
    for (const [l, r] of s.byLocale) expect(ratio(r.tp, r.tp + r.fn), `${l} phone recall\n${detail}`).toBeGreaterThanOrEqual(0.95);
    expect(s.negativesHit / s.negatives, detail).toBeLessThanOrEqual(0.01);
  });
});
