// The probe table as a vitest suite against a real Envoy: every case must
// meet its expectation, match what the host emulator observes for the same
// case (after the normalizations in probe-cases.ts), and Envoy must report a
// crash exactly when a case traps. Launcher options pass through, so the
// same suite runs Envoy natively (test/e2e/probe.test.ts) or in a container.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmulatorGroup } from "./emulator-runner.ts";
import { EnvoyGroup, type LauncherOptions, wasmLogLines } from "./envoy-runner.ts";
import { check, comparable } from "./observe.ts";
import { caseGroups, PROBE_CASES, type ProbeCase } from "./probe-cases.ts";

export function defineProbeSuite(launcher: LauncherOptions = {}, cases: ProbeCase[] = PROBE_CASES): void {
  for (const { group, cases: groupCases } of caseGroups(cases)) {
    describe(`probe cases in Envoy: ${group}`, () => {
      let envoy: EnvoyGroup;
      let emu: EmulatorGroup;
      beforeAll(async () => {
        emu = new EmulatorGroup(groupCases);
        envoy = await EnvoyGroup.start(group, groupCases, launcher);
      });
      afterAll(async () => envoy?.stop());

      for (const c of groupCases) {
        it(c.name, async () => {
          if (c.configureFails) {
            expect(envoy.envoy, "Envoy should refuse the configuration").toBeNull();
            expect(emu.configured).toBe(false);
            const logs = wasmLogLines(envoy.startError?.message ?? "");
            expect(check({ logs: c.expect.logs }, { ...EMPTY, logs })).toEqual([]);
            return;
          }
          expect(envoy.startError).toBeNull();
          const real = await envoy.run(c);
          const emulated = await emu.run(c);
          expect(check(c.expect, real.first), "Envoy").toEqual([]);
          expect(comparable(real.first), "emulator vs Envoy").toEqual(comparable(emulated.first));
          if (c.then) {
            expect(check(c.then.expect, real.then!), "Envoy, follow-up request").toEqual([]);
            expect(comparable(real.then!), "emulator vs Envoy, follow-up request").toEqual(comparable(emulated.then!));
          }
          if (c.expect.trapped) expect(() => envoy.envoy!.assertHealthy()).toThrow(/Wasm crash/);
          else if (!groupCases.some((x) => x.expect.trapped)) envoy.envoy!.assertHealthy();
        });
      }
    });
  }
}

const EMPTY = { status: null, headers: [], body: "", trailers: [], reset: false, upstream: null, callouts: [], counters: {}, gauges: {}, logs: [], trapped: false };
