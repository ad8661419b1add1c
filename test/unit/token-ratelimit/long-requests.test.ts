// A request that runs longer than the 10 quiet minutes after which a slot
// drops the reservations it carries (taken as lost with a dead VM) is still
// counted in full in the window it settles in.
import { beforeAll, describe, expect, it } from "vitest";
import { Host } from "../../host/index.ts";
import { buildFilter, chatRequest, header, heldUpstream, llmUpstream, startFilter, stateOf, type State } from "./helpers.ts";

beforeAll(buildFilter, 120_000);

const perKey = (windows: Record<string, number>) => ({ limits: [{ name: "k", by: "header", key: "x-api-key", windows }], completion_reserve: 400 });
const total = (s: State) => s.prompt + s.completion;
/** What the window counted before `res` reserved: the budget less what was left and its own reservation. */
const countedBefore = (res: Awaited<ReturnType<ReturnType<typeof startFilter>["exchange"]>>, budget: number) => budget - Number(header(res, "x-ratelimit-remaining-tokens")) - (stateOf(res) as State).reserved;
const pause = () => new Promise((r) => setTimeout(r, 20));

describe("a request longer than 10 minutes", () => {
  it("alone on its budget: settles in full into the window it ends in", async () => {
    const budget = 100_000;
    const host = new Host({ epochMs: Date.UTC(2026, 0, 1, 10, 0, 5) });
    const vm = startFilter(host, perKey({ minute: budget }));
    const held = heldUpstream(llmUpstream({ completion: 300 }));
    const long = vm.exchange(chatRequest("think for a long time", { "x-api-key": "a" }), { upstream: held.upstream });
    await pause();
    host.advance(12 * 60_000);
    held.release();
    const s = stateOf(await long) as State;
    expect(s.source).toBe("usage");
    const probe = await vm.exchange(chatRequest("probe", { "x-api-key": "a" }, { max_tokens: 0 }), { upstream: llmUpstream() });
    expect(countedBefore(probe, budget)).toBe(total(s));
    expect(vm.trapped).toBe(false);
  });

  it("when another request dropped its reservation and started a new window meanwhile: still in full", async () => {
    const budget = 100_000;
    const host = new Host({ epochMs: Date.UTC(2026, 0, 1, 10, 55, 0) });
    const vm = startFilter(host, perKey({ hour: budget }));
    const held = heldUpstream(llmUpstream({ completion: 300 }));
    const long = vm.exchange(chatRequest("think for a long time", { "x-api-key": "a" }), { upstream: held.upstream });
    await pause();
    host.advance(12 * 60_000); // 11:07: a new hour, 12 quiet minutes
    const other = stateOf(await vm.exchange(chatRequest("meanwhile", { "x-api-key": "a" }, { max_tokens: 5 }), { upstream: llmUpstream({ completion: 5 }) })) as State;
    host.advance(13 * 60_000); // 11:20
    held.release();
    const s = stateOf(await long) as State;
    const probe = await vm.exchange(chatRequest("probe", { "x-api-key": "a" }, { max_tokens: 0 }), { upstream: llmUpstream() });
    expect(countedBefore(probe, budget)).toBe(total(s) + total(other));
    expect(vm.trapped).toBe(false);
  });

  it("settling in the window it was admitted in: counted once, not twice", async () => {
    const budget = 100_000;
    const host = new Host({ epochMs: Date.UTC(2026, 0, 1, 10, 0, 0) });
    const vm = startFilter(host, perKey({ hour: budget }));
    const held = heldUpstream(llmUpstream({ completion: 300 }));
    const long = vm.exchange(chatRequest("think for a long time", { "x-api-key": "a" }), { upstream: held.upstream });
    await pause();
    host.advance(12 * 60_000);
    held.release();
    const s = stateOf(await long) as State;
    const probe = await vm.exchange(chatRequest("probe", { "x-api-key": "a" }, { max_tokens: 0 }), { upstream: llmUpstream() });
    expect(countedBefore(probe, budget)).toBe(total(s));
  });
});
