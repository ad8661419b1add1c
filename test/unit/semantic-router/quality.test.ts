// Routing quality on CLINC150 through the real .wasm (see clinc.ts): the
// figures the README reports, held as floors so a change that costs accuracy
// fails here. 5,500 requests per setting through the emulator.
import { beforeAll, describe, expect, it } from "vitest";
import { curve, evaluate } from "./clinc.ts";
import { buildRouter } from "./support.ts";

beforeAll(buildRouter, 120_000);

describe("semantic-router quality on CLINC150 (test split, 10 examples per intent)", () => {
  it("domains: 10 routes, 1,500 examples; default threshold 0.145", async () => {
    const { vm, inScope, oos } = await evaluate("domains", "test");
    const [atDefault] = curve(inScope, oos, [0.145]);
    expect(atDefault.inScopeAccuracy).toBeGreaterThanOrEqual(0.79);
    expect(atDefault.oosToDefault).toBeGreaterThanOrEqual(0.72);
    const [noThreshold] = curve(inScope, oos, [0]);
    expect(noThreshold.inScopeAccuracy).toBeGreaterThanOrEqual(0.87);
    expect(vm.trapped).toBe(false);
  }, 120_000);

  it("intents: 150 routes of 10 examples", async () => {
    const { vm, inScope, oos } = await evaluate("intents", "test");
    const [atDefault] = curve(inScope, oos, [0.145]);
    expect(atDefault.inScopeAccuracy).toBeGreaterThanOrEqual(0.69);
    expect(atDefault.oosToDefault).toBeGreaterThanOrEqual(0.65);
    expect(vm.trapped).toBe(false);
  }, 120_000);
});
