// Times the per-character passes of content-audit's clean check, the PII
// shape and the keyword walk (10k terms by default), in ns per character:
// over the bench's 1K prompt (the same text again and again, as the bench
// sends it) and over 120k characters of varied prose (which no branch
// predictor learns by heart). Runs the kit-text fixture in Node's V8.
//
//   npx tsx scripts/text-passes.ts [--keywords 10000]
import { build } from "./build.ts";
import { wasmPath } from "./lib/paths.ts";
import { flag } from "./lib/module-scenario.ts";
import { chatBody } from "./bench/payloads.ts";
import { syntheticKeywords } from "../test/e2e/content-audit/keywords.ts";
import { Prng } from "../test/unit/common/corpus/prng.ts";
import { loadKit, type Kit } from "../test/host/kit.ts";

const WORDS = (
  "the of and to in is that for it as with was on be by at this are from or an but not have has which you one all were we " +
  "they can their will more if would about there when what so up out into only other its some time than them these may then " +
  "do like two first new could also after any where most over such years use very make through well made way our many should " +
  "work people just how each used because much both own being three year those good between does world life still back even " +
  "system data gateway upstream cluster route timeout retry token model request response prompt config key value server " +
  "client network error status header body stream pool listener latency outlier breaker ejection pending connection budget"
).split(" ");

/** Deterministic prose: words, some capitalized, some numbers, some punctuation. */
export function variedProse(chars: number, seed = 5): string {
  const prng = new Prng(seed);
  const out: string[] = [];
  let n = 0;
  while (n < chars) {
    let w = WORDS[prng.int(WORDS.length)];
    const r = prng.next();
    if (r < 0.1) w = w[0].toUpperCase() + w.slice(1);
    else if (r < 0.13) w = String(1 + prng.int(999));
    if (prng.next() < 0.08) w += ".,:?"[prng.int(4)];
    out.push(w);
    n += w.length + 1;
  }
  return out.join(" ");
}

/** The text of the bench's chat prompt of `bytes` (1K by default): its messages' contents. */
export function benchPrompt(bytes = 1024): string {
  const body = JSON.parse(chatBody(bytes, "json")) as { messages: { content: string }[] };
  return body.messages.map((m) => m.content).join(" ");
}

/** Best ns per character over 7 timed calls of `repeats` passes each (after one untimed call). */
function nsPerChar(kit: Kit, pass: string, text: string, repeats: number): number {
  const input = `${repeats}\n${text}`;
  for (let i = 0; i < 3; i++) kit.callText(pass, input);
  let best = Infinity;
  for (let round = 0; round < 7; round++) {
    const t0 = process.hrtime.bigint();
    kit.callText(pass, input);
    best = Math.min(best, Number(process.hrtime.bigint() - t0));
  }
  return best / repeats / text.length;
}

async function main() {
  await build({ only: "kit-text", quiet: true });
  const kit = loadKit(wasmPath("kit-text", { fixture: true }));
  const keywords = Number(flag("keywords", "10000"));
  kit.callText("text_keywords", syntheticKeywords(keywords).join("\n").toLowerCase());
  const texts: [string, string, number][] = [
    ["bench 1K prompt", benchPrompt(), 20000],
    ["bench 32K prompt", benchPrompt(32768), 500],
    ["varied prose", variedProse(120_000), 100],
  ];
  console.log(`content-audit clean-check passes, ${keywords} keywords (ns per character, best of 7)`);
  for (const [label, text, repeats] of texts) {
    const shape = nsPerChar(kit, "text_shape", text, repeats);
    const walk = nsPerChar(kit, "text_walk", text, repeats);
    console.log(`${label.padEnd(16)} ${String(text.length).padStart(7)} chars   PII shape ${shape.toFixed(2)}   keyword walk ${walk.toFixed(2)}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
