// Runs a group of probe cases through the host emulator: one Host and one
// VM per group (like one Envoy worker), the table's routes, upstream and
// call target, time moved virtually.
import { LogLevel, levelName } from "../host/abi.ts";
import type { CalloutAnswer, CalloutRequest } from "../host/clusters.ts";
import type { ExchangeResult, UpstreamRequest, UpstreamResponse } from "../host/exchange.ts";
import { type HeaderMap } from "../host/headers.ts";
import { Host } from "../host/host.ts";
import type { ProxyVm } from "../host/vm.ts";
import { wasmPath } from "../../scripts/lib/paths.ts";
import type { LogLine, Observation, RequestSeen } from "./observe.ts";
import {
  answerChunks,
  calloutOf,
  configOf,
  DEAD_CLUSTER,
  type Pairs,
  PROBE_CLUSTER,
  PROBE_PLUGIN,
  type ProbeCase,
  type ProbeRequest,
  REROUTED,
  requestOf,
  ROUTE,
  upstreamOf,
} from "./probe-cases.ts";

export const PROBE_WASM = wasmPath("probe", { fixture: true });

export interface CaseRun {
  first: Observation;
  then?: Observation;
}

/** Request as the wire shows it: host (from :authority) first, no other pseudo-headers. */
function wireHeaders(map: HeaderMap): Pairs {
  return [["host", map.get(":authority") ?? ""], ...map.regular()];
}

function seen(req: UpstreamRequest | null): RequestSeen | null {
  if (!req) return null;
  return { method: req.method, path: req.path, headers: wireHeaders(req.headers), body: req.bodyText, trailers: req.trailers?.pairs() ?? [] };
}

export class EmulatorGroup {
  readonly host: Host;
  readonly vm: ProxyVm;
  readonly configured: boolean;
  private readonly byName: Map<string, ProbeCase>;

  constructor(cases: ProbeCase[]) {
    this.byName = new Map(cases.map((c) => [c.name, c]));
    this.host = new Host({
      clusters: {
        [PROBE_CLUSTER]: (req) => this.callout(req),
        [DEAD_CLUSTER]: { fail: "connect-failure" },
      },
    });
    const first = cases[0];
    this.vm = this.host.createVm(PROBE_WASM, {
      ...PROBE_PLUGIN,
      configuration: JSON.stringify(configOf(first)),
      failurePolicy: first.failurePolicy === "FAIL_OPEN" ? "fail-open" : "fail-closed",
    });
    this.configured = this.vm.start() && this.vm.configure();
  }

  private caseOf(headers: Pairs): ProbeCase | undefined {
    const name = headers.find(([k]) => k === "x-case")?.[1];
    return name === undefined ? undefined : this.byName.get(name);
  }

  private callout(req: CalloutRequest): CalloutAnswer {
    const a = calloutOf(this.caseOf(req.headers));
    if (a.fail) return { fail: a.fail, delayMs: a.delayMs };
    return { status: a.status ?? 200, headers: a.headers, body: answerChunks(a, Buffer.from(req.body).toString()).join(""), delayMs: a.delayMs };
  }

  private upstream(req: UpstreamRequest): UpstreamResponse {
    const a = upstreamOf(this.caseOf(req.headers.pairs()));
    return { status: a.status ?? 200, headers: a.headers, body: answerChunks(a, req.bodyText), trailers: a.trailers };
  }

  private async send(c: ProbeCase, request: ProbeRequest): Promise<ExchangeResult> {
    const req = requestOf(c, request);
    return this.vm.exchange(
      { method: req.method, path: req.path, headers: req.headers, body: req.body, trailers: req.trailers },
      {
        upstream: (r) => this.upstream(r),
        routes: (h) => (h.get("x-probe-route") === "b" ? { ...REROUTED } : { ...ROUTE }),
        sourceAddress: "127.0.0.1:40000",
        destinationAddress: "127.0.0.1:10000",
      },
    );
  }

  private async observe(c: ProbeCase, request: ProbeRequest, times: number): Promise<Observation> {
    const stats = this.host.stats;
    const before = stats.snapshot();
    const logStart = this.vm.logs.length;
    const callStart = this.host.calls.length;
    const wasTrapped = this.vm.trapped;
    let res: ExchangeResult | undefined;
    for (let i = 0; i < times; i++) res = await this.send(c, request);
    const after = stats.snapshot();
    const counters: Record<string, number> = {};
    const gauges: Record<string, number> = {};
    for (const name of Object.keys(c.expect.counters ?? {})) counters[name] = (after[name] ?? 0) - (before[name] ?? 0);
    for (const name of Object.keys(c.expect.gauges ?? {})) gauges[name] = after[name];
    const callouts = this.host.calls.slice(callStart).filter((call) => call.outcome.received).map((call): RequestSeen => {
      const h = call.request.headers;
      const get = (k: string) => h.find(([n]) => n === k)?.[1] ?? "";
      return {
        method: get(":method"),
        path: get(":path"),
        headers: [["host", get(":authority")], ...h.filter(([k]) => !k.startsWith(":"))],
        body: Buffer.from(call.request.body).toString(),
        trailers: call.request.trailers,
      };
    });
    const logs: LogLine[] = this.vm.logs
      .slice(logStart)
      .filter((l) => l.level >= LogLevel.Info)
      .map((l) => ({ level: levelName(l.level) as LogLine["level"], message: l.message }));
    const r = res!;
    return {
      status: r.status,
      headers: r.headers,
      body: r.body,
      trailers: r.trailers,
      reset: r.reset,
      upstream: seen(r.upstream),
      callouts,
      counters,
      gauges,
      logs,
      trapped: !wasTrapped && this.vm.trapped,
    };
  }

  /** Runs one case: waits, sends the request (`repeat` times), then the follow-up request if any. */
  async run(c: ProbeCase): Promise<CaseRun> {
    if (c.waitMs) this.host.advance(c.waitMs);
    const first = await this.observe(c, c.request, c.repeat ?? 1);
    const then = c.then ? await this.observe(c, c.then.request, 1) : undefined;
    return { first, then };
  }

  /** The log lines of a refused configuration (for configureFails cases). */
  configureLogs(): LogLine[] {
    return this.vm.logs.filter((l) => l.level >= LogLevel.Info).map((l) => ({ level: levelName(l.level) as LogLine["level"], message: l.message }));
  }
}
