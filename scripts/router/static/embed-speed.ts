// The embed module's tokenizer and static embedding alone, in the emulator:
// microseconds per call on the 2 KB prompt of scripts/router/envoy-decision.ts
// (fastest of 5 batches of 2,000 calls, through the kit-static-embed fixture).
//
//   npx tsx scripts/router/static/embed-speed.ts
import { build } from "../../build.ts";
import { wasmPath } from "../../lib/paths.ts";
import { loadKit } from "../../../test/host/kit.ts";
import { PROMPT_2K } from "../prompt-2k.ts";
import { ensureTable } from "./build-table.ts";

ensureTable();
await build({ only: "kit-static-embed", quiet: true });
const kit = loadKit(wasmPath("kit-static-embed", { fixture: true }));
const tokens = kit.callText("static_tokenize_repeat", `1\n${PROMPT_2K}`);
for (const [name, what] of [
  ["static_tokenize_repeat", `tokenize the whole prompt (${tokens} tokens)`],
  ["static_embed_repeat", "embed it (its first 128 tokens, tokenizing included)"],
]) {
  kit.callText(name, `200\n${PROMPT_2K}`);
  const times: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t = performance.now();
    kit.callText(name, `2000\n${PROMPT_2K}`);
    times.push(((performance.now() - t) / 2000) * 1000);
  }
  console.log(`${what}: ${Math.min(...times).toFixed(1)} µs per call`);
}
