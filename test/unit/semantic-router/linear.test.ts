// The logistic regression that picks among routes: trained the same way
// every time, and left out (cosine picks) when it would be too large.
import { beforeAll, describe, expect, it } from "vitest";
import { clincConfig, loadClinc } from "./clinc-config.ts";
import { buildRouter, chat, routerVm } from "./support.ts";

beforeAll(buildRouter, 120_000);

/** The line the model logs when it trains (on the first request a VM routes). */
async function trainedLine(config: unknown): Promise<string> {
  const vm = routerVm(config);
  await chat(vm, "hello");
  return vm.logs.map((l) => l.message).find((m) => m.includes("trained:")) ?? "";
}

async function decisions(config: unknown, texts: string[]): Promise<string[]> {
  const vm = routerVm(config);
  const out: string[] = [];
  for (const text of texts) {
    const res = await chat(vm, text);
    out.push(`${res.upstream?.headers.get("x-semantic-route")} ${res.upstream?.headers.get("x-semantic-score")}`);
  }
  expect(vm.trapped).toBe(false);
  return out;
}

describe("semantic-router: linear model", () => {
  it("gives the same routes and scores in every VM (deterministic training)", async () => {
    const data = loadClinc();
    const config = clincConfig(data, "domains");
    expect(await trainedLine(config)).toContain(", linear model");
    const texts = data.val.slice(0, 150).map(([text]) => text);
    const first = await decisions(config, texts);
    expect(new Set(first.map((d) => d.split(" ")[0])).size).toBeGreaterThan(5);
    expect(await decisions(config, texts)).toEqual(first);
  }, 60_000);

  it("routes a configuration too large for it by cosine similarity alone", async () => {
    // 700 routes x ~8,000 distinct features: past the 4 Mi weight budget.
    const routes = Array.from({ length: 700 }, (_, i) => ({
      name: `r${i}`,
      examples: [`zq${i}x widget${i}y gadget${i}w sprocket${i}v`, `gizmo${i}u thing${i}t`],
    }));
    const config = { threshold: 0.1, routes };
    const trained = await trainedLine(config);
    expect(trained).toMatch(/ postings in /);
    expect(trained).not.toContain("linear model");
    const [far, near] = await decisions(config, ["zq123x widget123y gadget123w", "thing699t gizmo699u please"]);
    expect(far).toMatch(/^r123 /);
    expect(near).toMatch(/^r699 /);
  }, 60_000);
});
