import { describe, expect, it } from "vitest";
import { parseWrkOutput, wrkArgs } from "../../../scripts/bench/wrk.ts";
import { completionProblem } from "../../../scripts/bench/preflight.ts";

describe("wrk output", () => {
  it("finds the WRK_JSON line among wrk's own text", () => {
    const stdout = [
      "Running 4s test @ http://127.0.0.1:1/v1/chat/completions",
      "  1 threads and 16 connections",
      "WRK_CAP",
      'WRK_JSON {"requests":100,"durationUs":400000,"bytes":5000,"errors":{"connect":0,"read":0,"write":0,"status":1,"timeout":0},' +
        '"latencyUs":{"min":100,"mean":250.5,"p50":240,"p90":300,"p99":900,"max":1200}}',
      "Requests/sec: 250",
    ].join("\n");
    const out = parseWrkOutput(stdout);
    expect(out.requests).toBe(100);
    expect(out.errors.status).toBe(1);
    expect(out.latencyUs.p99).toBe(900);
  });
  it("fails loudly without a result line or with a partial one", () => {
    expect(() => parseWrkOutput("Running 1s test\n")).toThrow(/no result line/);
    expect(() => parseWrkOutput('WRK_JSON {"requests":1}')).toThrow(/incomplete/);
  });
  it("runs one thread with the load script, the body file and the request cap", () => {
    const args = wrkArgs({ url: "http://127.0.0.1:9/x", bodyFile: "/tmp/b.json", connections: 16, durationS: 4, maxRequests: 1000 });
    expect(args.slice(0, 8)).toEqual(["-t", "1", "-c", "16", "-d", "4s", "--timeout", "10s"]);
    expect(args[9]).toMatch(/load\.lua$/);
    expect(args.slice(10)).toEqual(["http://127.0.0.1:9/x", "--", "/tmp/b.json", "1000"]);
  });
});

describe("preflight completion check", () => {
  it("accepts a JSON completion and an SSE stream that ends with [DONE]", () => {
    expect(completionProblem("json", 200, "application/json", '{"choices":[{"message":{}}]}')).toBeNull();
    expect(completionProblem("sse", 200, "text/event-stream; charset=utf-8", "data: {}\n\ndata: [DONE]\n\n")).toBeNull();
  });
  it("explains what is wrong otherwise", () => {
    expect(completionProblem("json", 503, "text/plain", "no healthy upstream")).toMatch(/status 503: no healthy upstream/);
    expect(completionProblem("json", 200, "application/json", "{}")).toMatch(/no choices/);
    expect(completionProblem("json", 200, "application/json", "<html>")).toMatch(/not JSON/);
    expect(completionProblem("sse", 200, "application/json", "{}")).toMatch(/text\/event-stream/);
    expect(completionProblem("sse", 200, "text/event-stream", "data: {}\n\n")).toMatch(/\[DONE\]/);
  });
});
