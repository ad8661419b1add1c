// The parse loop that scripts/json-parse-timing.ts times: a realistic 32 KB
// Chat Completions body parses every time. Timing lives in that script, not
// here: a loaded machine would turn a timed assertion red.
import { beforeAll, expect, it } from "vitest";
import type { Kit } from "../../host/kit.ts";
import { loadJsonKit } from "./corpus/json-kit.ts";
import { chatBodyOfSize } from "./corpus/samples.ts";

let kit: Kit;

beforeAll(async () => {
  kit = await loadJsonKit();
}, 120_000);

it("parses a 32 KB chat body in the timing loop every time", () => {
  const body = chatBodyOfSize(32 * 1024);
  expect(body.length).toBeGreaterThan(31 * 1024);
  expect(body.length).toBeLessThanOrEqual(32 * 1024);
  expect(kit.callText("json_loop", Buffer.concat([Buffer.from("200\n"), body]))).toBe("200");
  const cut = body.subarray(0, body.length - 7);
  expect(kit.callText("json_loop", Buffer.concat([Buffer.from("3\n"), cut]))).toBe("0");
});
