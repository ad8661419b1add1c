import { describe, expect, it } from "vitest";
import { envFlag } from "../../../scripts/lib/env-flag.ts";

describe("envFlag", () => {
  it("is off when unset, empty, 0, false, no or off (any case, spaces around)", () => {
    for (const v of [undefined, "", "0", "false", "FALSE", " no ", "Off"]) expect(envFlag("X", { X: v })).toBe(false);
  });

  it("is on for 1, true, yes or any other value", () => {
    for (const v of ["1", "true", "yes", "on", "embed"]) expect(envFlag("X", { X: v })).toBe(true);
  });
});
