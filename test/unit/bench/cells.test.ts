import { describe, expect, it } from "vitest";
import { buildCells, runOrder } from "../../../scripts/bench/cells.ts";
import { selectScenarios, SCENARIOS, BARE } from "../../../scripts/bench/scenarios.ts";

describe("bench cells", () => {
  it("crosses payloads, modes and connections with stable ids", () => {
    const cells = buildCells(["1K", "32K"], ["json", "sse"], [1, 64]);
    expect(cells.map((c) => c.id)).toEqual([
      "1K-json-c1", "1K-json-c64", "1K-sse-c1", "1K-sse-c64",
      "32K-json-c1", "32K-json-c64", "32K-sse-c1", "32K-sse-c64",
    ]);
    expect(cells[3]).toEqual({ id: "1K-sse-c64", payload: "1K", mode: "sse", connections: 64 });
  });

  it("alternates the order of the Envoys from one cell to the next", () => {
    expect(runOrder(["bare", "a", "b"], 0)).toEqual(["bare", "a", "b"]);
    expect(runOrder(["bare", "a", "b"], 1)).toEqual(["b", "a", "bare"]);
    expect(runOrder(["bare", "a", "b"], 2)).toEqual(["bare", "a", "b"]);
  });
});

describe("scenario registry", () => {
  it("has the bare baseline and a wasm-passthrough scenario on bench templates", () => {
    expect(BARE.config).toBe("envoy/bench-bare.yaml");
    const pass = SCENARIOS.find((s) => s.name === "wasm-passthrough");
    expect(pass?.config).toMatch(/^envoy\/bench-.*\.yaml$/);
    expect(pass?.build).toEqual(["probe"]);
    expect(String(pass?.vars.WASM_FILE)).toMatch(/build\/test\/probe\.wasm$/);
    expect(new Set(SCENARIOS.map((s) => s.name)).size).toBe(SCENARIOS.length);
    expect(SCENARIOS.some((s) => s.name === "bare")).toBe(false);
  });

  it("selects all by default, the named ones otherwise, and names unknown ones", () => {
    expect(selectScenarios([])).toEqual(SCENARIOS);
    expect(selectScenarios(["wasm-passthrough"]).map((s) => s.name)).toEqual(["wasm-passthrough"]);
    expect(selectScenarios(["bare"])).toEqual([]);
    expect(() => selectScenarios(["nope"])).toThrow(/unknown scenario nope/);
  });
});
