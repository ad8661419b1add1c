// A request that runs longer than the 10 quiet minutes after which a slot
// drops the reservations it carries (taken as lost with a dead VM) is still
// counted in full in the window it settles in.
import { beforeAll, describe, expect, it } from "vitest";
import { Host } from "../../host/index.ts";
import { buildFilter, chatRequest, countedBefore, heldUpstream, llmUpstream, startFilter, stateOf, type State, total } from "./helpers.ts";

beforeAll(buildFilter, 120_000);

const BUDGET = 100_000;
type Vm = ReturnType<typeof startFilter>;

/** Starts a budget of one window at `epochMs`. */
function start(epochMs: number, windows: Record<string, number>): { host: Host; vm: Vm } {
  const host = new Host({ epochMs });
  return { host, vm: startFilter(host, { limits: [{ name: "k", by: "header", key: "x-api-key", windows }], completion_reserve: 400 }) };
}

/** A request held upstream while `meanwhile` runs (moving the clock), then answered; what it counted. */
async function longRequest(vm: Vm, meanwhile: () => Promise<void>): Promise<State> {
  const held = heldUpstream(llmUpstream({ completion: 300 }));
  const long = vm.exchange(chatRequest("think for a long time", { "x-api-key": "a" }), { upstream: held.upstream });
  await new Promise((r) => setTimeout(r, 20));
  await meanwhile();
  held.release();
  return stateOf(await long) as State;
}

/** What the key's window counts now. */
async function counted(vm: Vm): Promise<number> {
  return countedBefore(await vm.exchange(chatRequest("probe", { "x-api-key": "a" }, { max_tokens: 0 }), { upstream: llmUpstream() }), BUDGET);
}

describe("a request longer than 10 minutes", () => {
  it("alone on its budget: settles in full into the window it ends in", async () => {
    const { host, vm } = start(Date.UTC(2026, 0, 1, 10, 0, 5), { minute: BUDGET });
    const s = await longRequest(vm, async () => host.advance(12 * 60_000));
    expect(s.source).toBe("usage");
    expect(await counted(vm)).toBe(total(s));
    expect(vm.trapped).toBe(false);
  });

  it("when another request dropped its reservation and started a new window meanwhile: still in full", async () => {
    const { host, vm } = start(Date.UTC(2026, 0, 1, 10, 55, 0), { hour: BUDGET });
    let other: State | null = null;
    const s = await longRequest(vm, async () => {
      host.advance(12 * 60_000); // 11:07: a new hour, after 12 quiet minutes
      other = stateOf(await vm.exchange(chatRequest("meanwhile", { "x-api-key": "a" }, { max_tokens: 5 }), { upstream: llmUpstream({ completion: 5 }) })) as State;
      host.advance(13 * 60_000); // 11:20
    });
    expect(await counted(vm)).toBe(total(s) + total(other!));
    expect(vm.trapped).toBe(false);
  });

  it("settling in the window it was admitted in: counted once, not twice", async () => {
    const { host, vm } = start(Date.UTC(2026, 0, 1, 10, 0, 0), { hour: BUDGET });
    const s = await longRequest(vm, async () => host.advance(12 * 60_000));
    expect(await counted(vm)).toBe(total(s));
  });
});
