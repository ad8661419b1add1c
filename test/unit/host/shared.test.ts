// Shared data and queues across VMs of one host (Envoy workers of one process).
import { describe, expect, it } from "vitest";
import { WasmResult } from "../../host/abi.ts";
import { Host } from "../../host/host.ts";
import { header, hostCalls, probe, probeVm } from "./helpers.ts";

describe("shared data across VMs", () => {
  it("refuses a stale cas after another VM wrote (a CAS race between workers)", () => {
    const host = new Host();
    const a = hostCalls(probeVm(host));
    const b = hostCalls(probeVm(host));
    const [key, keyLen] = a.str("k");
    const [v1, v1Len] = a.str("one");
    expect(a.env.proxy_set_shared_data(key, keyLen, v1, v1Len, 0)).toBe(WasmResult.Ok);

    // Both workers read the same version ...
    expect(a.env.proxy_get_shared_data(key, keyLen, a.out, a.out + 4, a.out + 8)).toBe(WasmResult.Ok);
    const casA = a.outU32(8)!;
    const [bKey, bKeyLen] = b.str("k");
    expect(b.env.proxy_get_shared_data(bKey, bKeyLen, b.out, b.out + 4, b.out + 8)).toBe(WasmResult.Ok);
    expect(b.outU32(8)).toBe(casA);

    // ... B writes first and wins; A's write with the old cas is refused.
    const [v2, v2Len] = b.str("two");
    expect(b.env.proxy_set_shared_data(bKey, bKeyLen, v2, v2Len, casA)).toBe(WasmResult.Ok);
    const [v3, v3Len] = a.str("three");
    expect(a.env.proxy_set_shared_data(key, keyLen, v3, v3Len, casA)).toBe(WasmResult.CasMismatch);

    // A re-reads, sees B's value and a new cas, and then succeeds.
    expect(a.env.proxy_get_shared_data(key, keyLen, a.out, a.out + 4, a.out + 8)).toBe(WasmResult.Ok);
    expect(a.outText()).toBe("two");
    const fresh = a.outU32(8)!;
    expect(fresh).not.toBe(casA);
    expect(a.env.proxy_set_shared_data(key, keyLen, v3, v3Len, fresh)).toBe(WasmResult.Ok);
    expect(host.sharedData.get("probe_vm", "k")?.value).toEqual(new Uint8Array(Buffer.from("three")));
  });

  it("ignores the cas on a missing key, and cas 0 always overwrites", () => {
    const host = new Host();
    expect(host.sharedData.set("vm", "new", new Uint8Array([1]), 777)).toBe(WasmResult.Ok);
    expect(host.sharedData.set("vm", "new", new Uint8Array([2]), 0)).toBe(WasmResult.Ok);
    expect(host.sharedData.get("vm", "new")?.value).toEqual(new Uint8Array([2]));
  });

  it("increments the cas on every write, process-wide, and keeps vm ids apart", () => {
    const host = new Host();
    host.sharedData.set("one", "a", new Uint8Array(0), 0);
    const first = host.sharedData.get("one", "a")!.cas;
    host.sharedData.set("two", "b", new Uint8Array(0), 0);
    host.sharedData.set("one", "a", new Uint8Array(0), 0);
    expect(host.sharedData.get("two", "b")!.cas).toBe(first + 1);
    expect(host.sharedData.get("one", "a")!.cas).toBe(first + 2);
    expect(host.sharedData.get("two", "a")).toBeUndefined();
  });

  it("counts across workers with the probe's get/set(cas) loop", async () => {
    const host = new Host();
    const workers = [probeVm(host), probeVm(host)];
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await probe(workers[i % 2], "counter", [["x-probe-key", "shared"]]);
      seen.push(header(res, "x-probe-counter")!);
    }
    expect(seen).toEqual(["1", "2", "3", "4"]);
  });

  it("does not share data between VMs with different vm ids", async () => {
    const host = new Host();
    const a = probeVm(host, {}, { vmId: "a" });
    const b = probeVm(host, {}, { vmId: "b" });
    await probe(a, "counter", [["x-probe-key", "k"]]);
    const res = await probe(b, "counter", [["x-probe-key", "k"]]);
    expect(header(res, "x-probe-counter")).toBe("1");
  });
});

describe("shared queues across VMs", () => {
  it("notifies the VM that registered the queue last, after the enqueueing call returns", async () => {
    const host = new Host();
    const a = probeVm(host);
    const b = probeVm(host); // registers probe-q again: notifications now go to b
    const res = await probe(a, "enqueue", [["x-probe-vm-id", "probe_vm"], ["x-probe-item", "from-a"]]);
    expect(header(res, "x-probe-enqueue")).toBe("0");
    expect(header(res, "x-probe-queue-got")).toBe("");
    const onB = await probe(b, "queue-read");
    expect(header(onB, "x-probe-queue-got")).toBe("from-a");
    expect(header(onB, "x-probe-queue-ready")).toBe("1");
  });

  it("keeps items until dequeued and delivers the notification as posted work", () => {
    const host = new Host();
    const vm = probeVm(host);
    const token = host.queues.resolve("probe_vm", "probe-q");
    expect(token).not.toBe(0);
    expect(host.queues.enqueue(token, new Uint8Array([7]))).toBe(WasmResult.Ok);
    expect(host.queues.size(token)).toBe(1);
    expect(host.runDue()).toBe(1); // on_queue_ready: the probe's root drains the queue
    expect(host.queues.size(token)).toBe(0);
    expect(host.queues.dequeue(token).status).toBe(WasmResult.Empty);
    expect(host.queues.dequeue(token + 100).status).toBe(WasmResult.NotFound);
    expect(vm.trapped).toBe(false);
  });

  it("resolves by vm id, with an empty vm id meaning the caller's own", () => {
    const host = new Host();
    const c = hostCalls(probeVm(host));
    const [vmId, vmIdLen] = c.str("probe_vm");
    const [name, nameLen] = c.str("probe-q");
    expect(c.env.proxy_resolve_shared_queue(vmId, vmIdLen, name, nameLen, c.out)).toBe(WasmResult.Ok);
    const token = c.outU32();
    expect(c.env.proxy_resolve_shared_queue(0, 0, name, nameLen, c.out)).toBe(WasmResult.Ok);
    expect(c.outU32()).toBe(token);
    const [other, otherLen] = c.str("other_vm");
    expect(c.env.proxy_resolve_shared_queue(other, otherLen, name, nameLen, c.out)).toBe(WasmResult.NotFound);
  });
});
