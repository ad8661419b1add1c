// Size budgets of the filter modules as built with their default options
// (content-audit's: issue 18, with the 30 default phone regions compiled in).
// Bytes, not time: a budget holds on any machine.
import { statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { build } from "../../../scripts/build.ts";
import { wasmPath } from "../../../scripts/lib/paths.ts";

const KIB = 1024;
const BUDGETS: Record<string, number> = {
  "content-audit": 150 * KIB,
};

describe("module size budgets", () => {
  for (const [name, budget] of Object.entries(BUDGETS)) {
    // Another phone region set (PHONE_REGIONS) is the user's own trade.
    it.skipIf(Boolean(process.env.PHONE_REGIONS))(`${name}.wasm stays within ${budget / KIB} KiB`, async () => {
      await build({ only: name, quiet: true });
      expect(statSync(wasmPath(name)).size).toBeLessThanOrEqual(budget);
    }, 300_000);
  }
});
