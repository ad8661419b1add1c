// Every case of the probe table through the host emulator. The same table
// runs through a real Envoy in test/e2e/probe.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { EmulatorGroup } from "../../cases/emulator-runner.ts";
import { check } from "../../cases/observe.ts";
import { caseGroups } from "../../cases/probe-cases.ts";

for (const { group, cases } of caseGroups()) {
  describe(`probe cases in the emulator: ${group}`, () => {
    let emu: EmulatorGroup;
    beforeAll(() => {
      emu = new EmulatorGroup(cases);
    });

    for (const c of cases) {
      it(c.name, async () => {
        if (c.configureFails) {
          expect(emu.configured).toBe(false);
          expect(check({ logs: c.expect.logs }, { ...emptyObservation(), logs: emu.configureLogs() })).toEqual([]);
          return;
        }
        expect(emu.configured).toBe(true);
        const run = await emu.run(c);
        expect(check(c.expect, run.first)).toEqual([]);
        if (c.then) expect(check(c.then.expect, run.then!)).toEqual([]);
      });
    }
  });
}

function emptyObservation() {
  return { status: null, headers: [], body: "", trailers: [], reset: false, upstream: null, callouts: [], counters: {}, gauges: {}, logs: [], trapped: false };
}
