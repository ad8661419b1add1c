// The Chinese routing set (test/data/intents/zh-routing, written for this
// project) as an evaluation set, with the CLINC150 protocol: per route the
// first 10 questions are its examples, the next 10 validation, the last 40
// test; out-of-scope questions 1-30 validation, the rest test.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../../scripts/lib/paths.ts";
import type { EvalSet } from "./clinc.ts";

const DIR = join(ROOT, "test/data/intents/zh-routing");
export const ZH_ROUTES = ["banking", "travel", "cooking", "medical", "legal", "programming", "shopping", "education"];

function lines(name: string): string[] {
  return readFileSync(join(DIR, `${name}.txt`), "utf8").split("\n").filter((l) => l.trim().length > 0);
}

export function zhSet(split: "test" | "val", extra: Record<string, unknown> = {}): EvalSet {
  const routes = ZH_ROUTES.map((name) => ({ name, lines: lines(name) }));
  const part = (l: string[]) => (split === "val" ? l.slice(10, 20) : l.slice(20));
  const oos = lines("oos");
  return {
    config: {
      threshold: 0,
      default: { name: "default", model: "base-model" },
      routes: routes.map((r) => ({ name: r.name, model: `${r.name}-model`, examples: r.lines.slice(0, 10) })),
      ...extra,
    },
    inScope: routes.flatMap((r) => part(r.lines).map((text) => ({ text, expected: r.name }))),
    oos: (split === "val" ? oos.slice(0, 30) : oos.slice(30)).map((text) => ({ text, expected: "default" })),
  };
}
