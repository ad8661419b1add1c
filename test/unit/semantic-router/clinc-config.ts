// CLINC150 (test/data/intents/clinc150, CC BY 3.0, see ATTRIBUTION.md) as
// semantic-router configurations: the first 10 training utterances of each
// of the 150 intents as route examples, grouped per domain (10 routes, 1,500
// examples) or per intent (150 routes). Used by the evaluation and the bench.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../../scripts/lib/paths.ts";

export interface Clinc {
  domains: Record<string, string[]>;
  train: [string, string][];
  val: [string, string][];
  oos_val: string[];
  test: [string, string][];
  oos_test: string[];
}

export type Setting = "domains" | "intents";

export function loadClinc(): Clinc {
  return JSON.parse(readFileSync(join(ROOT, "test/data/intents/clinc150/clinc150-10shot.json"), "utf8"));
}

/** Intent -> route name for a setting. */
export function routeOf(data: Clinc, setting: Setting): Map<string, string> {
  const m = new Map<string, string>();
  for (const [domain, intents] of Object.entries(data.domains)) for (const i of intents) m.set(i, setting === "domains" ? domain : i);
  return m;
}

export function clincConfig(data: Clinc, setting: Setting, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const route = routeOf(data, setting);
  const examples = new Map<string, string[]>();
  for (const [text, intent] of data.train) {
    const r = route.get(intent)!;
    if (!examples.has(r)) examples.set(r, []);
    examples.get(r)!.push(text);
  }
  return {
    threshold: 0,
    default: { name: "default", model: "base-model" },
    routes: [...examples].map(([name, ex]) => ({ name, model: `${name}-model`, examples: ex })),
    ...extra,
  };
}
