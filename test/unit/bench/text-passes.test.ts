// The kit-text fixture behind scripts/text-passes.ts: the passes it times
// must answer what content-audit's clean check relies on, or the timings
// would be of the wrong work.
import { beforeAll, describe, expect, it } from "vitest";
import { build } from "../../../scripts/build.ts";
import { wasmPath } from "../../../scripts/lib/paths.ts";
import { benchPrompt, variedProse } from "../../../scripts/text-passes.ts";
import { syntheticKeywords } from "../../e2e/content-audit/keywords.ts";
import { loadKit, type Kit } from "../../host/kit.ts";

let kit: Kit;

beforeAll(async () => {
  await build({ only: "kit-text", quiet: true });
  kit = loadKit(wasmPath("kit-text", { fixture: true }));
}, 120_000);

describe("kit-text (the clean-check passes the text-passes script times)", () => {
  it("walks the bench's 10k keywords over its texts: clean, until one of the terms is in them", () => {
    const terms = syntheticKeywords(10_000);
    expect(kit.callText("text_keywords", terms.join("\n").toLowerCase())).toBe("10000");
    const prose = variedProse(5000);
    expect(kit.callText("text_walk", `3\n${benchPrompt()}`)).toBe("clean");
    expect(kit.callText("text_walk", `1\n${prose}`)).toBe("clean");
    const term = terms[4321].toUpperCase();
    for (const at of [0, 2500, prose.length - 1]) {
      expect(kit.callText("text_walk", `1\n${prose.slice(0, at)}${term}${prose.slice(at)}`), `term at ${at}`).toBe("match");
    }
  });

  it("measures the shape of a text: numbers, @, colons, an IBAN start, a key prefix", () => {
    expect(kit.callText("text_shape", `2\n${benchPrompt()}`)).toBe("number=3 at=0 colons=2 ipv6colons=0 iban=0 secret=0");
    expect(kit.callText("text_shape", "1\ncall +1 (212) 555-0100 or mail a@b.example")).toBe("number=11 at=1 colons=0 ipv6colons=0 iban=0 secret=0");
    expect(kit.callText("text_shape", "1\nNote: mode: fast, ::1")).toBe("number=1 at=0 colons=4 ipv6colons=1 iban=0 secret=0");
    expect(kit.callText("text_shape", "1\nglobal: give the github skill a gist")).toBe("number=0 at=0 colons=1 ipv6colons=0 iban=0 secret=0");
    expect(kit.callText("text_shape", "1\nfe80::1 DE89 3704 and token ghp_x")).toBe("number=6 at=0 colons=2 ipv6colons=2 iban=1 secret=1");
  });
});
