// The filter chain around one stream: what body callbacks see, stops and
// continues, local replies, teardown. (Chunk-level behaviour depends on how
// bytes arrive, so it is checked here rather than in the Envoy case table.)
import { describe, expect, it } from "vitest";
import { Host } from "../../host/host.ts";
import { header, probe, probeVm } from "./helpers.ts";

const post = (body: string[], trailers?: [string, string][]) => ({ method: "POST", body, trailers });

describe("body callbacks", () => {
  it("see everything buffered so far once the filter returned StopIterationAndBuffer", async () => {
    const res = await probe(probeVm(new Host()), "buffer-rq,trace-rq", [], post(["ab", "cd", "ef"]));
    expect(header(res, "x-probe-rq-calls")).toBe("2,4,6e");
    expect(res.upstream?.bodyText).toBe("abcdef");
  });

  it("see one chunk at a time when the filter continues", async () => {
    const res = await probe(probeVm(new Host()), "count-rq,trace-rq", [], post(["ab", "cd", "ef"]));
    expect(header(res, "x-probe-rq-calls")).toBe("2,2,2e");
    expect(header(res, "x-probe-rq-read")).toBe("6");
  });

  it("get the body that arrived while headers were stopped in one callback after continue", async () => {
    const host = new Host({ clusters: { probe_upstream: { status: 200, delayMs: 10 } } });
    const res = await probe(probeVm(host), "call,trace-rq", [], post(["abc", "def"]));
    expect(header(res, "x-probe-rq-calls")).toBe("6e");
    expect(res.upstream?.bodyText).toBe("abcdef");
  });

  it("see body chunks while headers wait when StopIteration is allowed", async () => {
    const host = new Host({ clusters: { probe_upstream: { status: 200, delayMs: 10 } } });
    const vm = probeVm(host, {}, { allowOnHeadersStopIteration: true });
    const res = await probe(vm, "call,trace-rq", [], post(["abc", "def"]));
    expect(header(res, "x-probe-rq-calls")).toBe("3,3e");
    expect(res.upstream?.bodyText).toBe("abcdef");
  });

  it("forward trailers that arrived while headers waited, once the filter continues", async () => {
    const host = new Host({ clusters: { probe_upstream: { status: 200, delayMs: 10 } } });
    const vm = probeVm(host, {}, { allowOnHeadersStopIteration: true });
    const res = await probe(vm, "call,buffer-rq,trace-rq", [["x-probe-rq-body", "append:!"]], post(["abc", "def"], [["x-t", "1"]]));
    expect(header(res, "x-probe-rq-calls")).toBe("3,6");
    expect(res.upstream?.bodyText).toBe("abcdef!");
    expect(res.upstream?.trailers?.get("x-t")).toBe("1");
  });

  it("end without end_of_stream when trailers follow", async () => {
    const res = await probe(probeVm(new Host()), "buffer-rq,trace-rq", [["x-probe-rq-body", "append:!"]], post(["ab", "cd"], [["x-t", "1"]]));
    expect(header(res, "x-probe-rq-calls")).toBe("2,4");
    expect(header(res, "x-probe-rq-trailers")).toBe("1");
    expect(res.upstream?.bodyText).toBe("abcd!");
    expect(res.upstream?.trailers?.get("x-t")).toBe("1");
  });

  it("answer 413 when buffering goes past the limit", async () => {
    const res = await probe(probeVm(new Host()), "buffer-rq", [], post(["x".repeat(60), "y".repeat(60)]), { bufferLimitBytes: 100 });
    expect(res.status).toBe(413);
    expect(res.details).toBe("request_payload_too_large");
    expect(res.upstream).toBeNull();
  });
});

describe("stream lifecycle", () => {
  it("creates one context per stream and removes it after on_log, on_done, on_delete", async () => {
    const host = new Host();
    const vm = probeVm(host);
    const a = await probe(vm, "lifecycle", [["x-case", "one"]]);
    const b = await probe(vm, "lifecycle", [["x-case", "two"]]);
    expect(b.streamId).toBe(a.streamId! + 1);
    expect([...vm.contexts.keys()]).toEqual([vm.root!.id]);
    expect(b.logs.map((l) => l.message)).toEqual(["probe-lifecycle log two path=/", "probe-lifecycle done two", "probe-lifecycle delete two"]);
  });

  it("reports response code details the way Envoy's access log would", async () => {
    const vm = probeVm(new Host());
    expect((await probe(vm, "")).details).toBe("via_upstream");
    const reply = await probe(vm, "reply", [["x-probe-reply-status", "403"], ["x-probe-reply-details", "not allowed here"]]);
    expect(reply.details).toBe("not_allowed_here");
    expect(reply.localReply?.status).toBe(403);
    const direct = await probe(vm, "", [["x-probe-route", "b"]], {}, { routes: (h) => (h.get("x-probe-route") ? { name: "d", directResponse: { status: 204 } } : null) });
    expect(direct.status).toBe(204);
    expect(direct.details).toBe("direct_response");
    const none = await probe(vm, "", [], {}, { routes: () => null });
    expect(none.status).toBe(404);
    expect(none.details).toBe("route_not_found");
  });

  it("passes requests untouched once the VM is dead when the plugin fails open", async () => {
    const vm = probeVm(new Host(), {}, { failurePolicy: "fail-open" });
    const dying = await probe(vm, "trap");
    expect(dying.status).toBe(503);
    const next = await probe(vm, "echo");
    expect(next.status).toBe(200);
    expect(next.streamId).toBeNull();
    expect(header(next, "x-probe-names")).toBeUndefined();
    expect(next.upstream?.headers.get("x-probe-op")).toBe("echo");
  });

  it("answers 503 (wasm_fail_stream) to every stream once the VM is dead when it fails closed", async () => {
    const vm = probeVm(new Host());
    await probe(vm, "trap");
    const next = await probe(vm, "echo");
    expect(next.status).toBe(503);
    expect(next.details).toBe("wasm_fail_stream");
    expect(next.upstream).toBeNull();
    expect(next.logs).toEqual([]);
  });

  it("builds request headers as Envoy presents them (host as :authority, x-forwarded-proto, x-request-id)", async () => {
    const res = await probe(probeVm(new Host()), "echo", [["Connection", "keep-alive"], ["Transfer-Encoding", "chunked"]]);
    const names = header(res, "x-probe-names")!.split(",");
    expect(names.slice(0, 4)).toEqual([":authority", ":path", ":method", ":scheme"]);
    expect(names).not.toContain("connection");
    expect(names).not.toContain("transfer-encoding");
    expect(names.slice(-2)).toEqual(["x-forwarded-proto", "x-request-id"]);
    expect(header(res, "x-echo-x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});
