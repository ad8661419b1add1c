// Runs a group of probe cases through a real Envoy (envoy/probe.yaml, via the
// harness launcher: native or container), with a Node server on 127.0.0.1 as
// the upstream and as the target of the probe's HTTP calls. It answers each
// request as the table says for the case named in its x-case header, and
// records what it received.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type Envoy, type EnvoyOptions, startEnvoy } from "../harness/envoy.ts";
import { settled } from "../harness/eventually.ts";
import { ENVOY_CUSTOM_STAT_PREFIX } from "../host/stats.ts";
import type { CaseRun } from "./emulator-runner.ts";
import type { LogLine, Observation, RequestSeen } from "./observe.ts";
import {
  type Answer,
  answerChunks,
  calloutOf,
  configOf,
  type Expectation,
  type Pairs,
  type ProbeCase,
  type ProbeRequest,
  requestOf,
  upstreamOf,
} from "./probe-cases.ts";

/** Launcher options a suite passes through (runtime, log level ...); config and vars are the runner's. */
export type LauncherOptions = Omit<EnvoyOptions, "config" | "vars">;

const pairsOf = (raw: string[]): Pairs => {
  const out: Pairs = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i].toLowerCase(), raw[i + 1]]);
  return out;
};

/** The Node upstream: answers by case, records per case what it received. */
export class ProbeUpstream {
  private server!: Server;
  private timers = new Set<NodeJS.Timeout>();
  private readonly upstream = new Map<string, RequestSeen[]>();
  private readonly callouts = new Map<string, RequestSeen[]>();

  constructor(private readonly cases: Map<string, ProbeCase>) {}

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Forgets what a case received so far. */
  reset(name: string): void {
    this.upstream.delete(name);
    this.callouts.delete(name);
  }

  received(name: string): { upstream: RequestSeen[]; callouts: RequestSeen[] } {
    return { upstream: this.upstream.get(name) ?? [], callouts: this.callouts.get(name) ?? [] };
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const name = String(req.headers["x-case"] ?? "");
      const isCallout = req.headers["x-probe-callout"] !== undefined;
      const seen: RequestSeen = { method: req.method ?? "", path: req.url ?? "", headers: pairsOf(req.rawHeaders), body, trailers: pairsOf(req.rawTrailers) };
      const book = isCallout ? this.callouts : this.upstream;
      book.set(name, [...(book.get(name) ?? []), seen]);
      const c = this.cases.get(name);
      this.answer(req, res, isCallout ? calloutOf(c) : upstreamOf(c), body);
    });
  }

  private answer(req: IncomingMessage, res: ServerResponse, a: Answer, requestBody: string): void {
    if (a.fail === "reset-before-headers") {
      req.socket.destroy();
      return;
    }
    if (a.fail === "reset") {
      res.writeHead(a.status ?? 200, ["content-length", "100"]);
      res.write("partial");
      this.later(50, () => req.socket.destroy());
      return;
    }
    const send = () => {
      if (res.destroyed) return;
      res.writeHead(a.status ?? 200, (a.headers ?? []).flat());
      for (const chunk of answerChunks(a, requestBody)) res.write(chunk);
      if (a.trailers) res.addTrailers(a.trailers);
      res.end();
    };
    if (a.delayMs) this.later(a.delayMs, send);
    else send();
  }
}

interface ClientResult {
  status: number | null;
  headers: Pairs;
  body: string;
  trailers: Pairs;
  reset: boolean;
}

/** One HTTP/1.1 request on a fresh connection, headers in the given order. */
export function sendRequest(port: number, req: ReturnType<typeof requestOf>): Promise<ClientResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: ClientResult) => {
      if (!settled) resolve(r);
      settled = true;
    };
    const reset = () => done({ status: null, headers: [], body: "", trailers: [], reset: true });
    const chunks = req.body === undefined ? [] : Array.isArray(req.body) ? req.body : [req.body];
    const headers = req.headers.flat();
    const r = httpRequest({ host: "127.0.0.1", port, method: req.method, path: req.path, headers, agent: false }, (res) => {
      const body: Buffer[] = [];
      res.on("data", (c: Buffer) => body.push(c));
      res.on("error", reset);
      res.on("aborted", reset);
      res.on("end", () => {
        if (!res.complete) return reset();
        done({ status: res.statusCode ?? null, headers: pairsOf(res.rawHeaders), body: Buffer.concat(body).toString("utf8"), trailers: pairsOf(res.rawTrailers), reset: false });
      });
    });
    r.on("error", reset);
    for (const c of chunks) r.write(c);
    if (req.trailers) r.addTrailers(req.trailers);
    r.end();
  });
}

const LOG_LINE = /\]\[(trace|debug|info|warning|error|critical)\]\[wasm\] \[[^\]]*\] (.*)$/;

/** Wasm log lines of an Envoy log: "wasm log <plugin> <root> <vm>: " prefix removed. */
export function wasmLogLines(text: string): LogLine[] {
  const out: LogLine[] = [];
  for (const line of text.split("\n")) {
    const m = LOG_LINE.exec(line);
    if (!m) continue;
    const message = m[2].replace(/^wasm log [^:]*: /, "");
    out.push({ level: m[1] as LogLine["level"], message });
  }
  return out;
}

export class EnvoyGroup {
  private constructor(
    readonly envoy: Envoy | null,
    readonly upstream: ProbeUpstream,
    /** Why Envoy did not start (a refused configuration), or null. */
    readonly startError: Error | null,
  ) {}

  static async start(group: string, cases: ProbeCase[], launcher: LauncherOptions = {}): Promise<EnvoyGroup> {
    const upstream = new ProbeUpstream(new Map(cases.map((c) => [c.name, c])));
    await upstream.start();
    try {
      const envoy = await startEnvoy({
        name: `probe-${group}`,
        concurrency: 1,
        ...launcher,
        config: "envoy/probe.yaml",
        vars: {
          UPSTREAM_PORT: upstream.port,
          PLUGIN_CONFIG: JSON.stringify(configOf(cases[0])),
          FAILURE_POLICY: cases[0].failurePolicy ?? "FAIL_CLOSED",
        },
      });
      return new EnvoyGroup(envoy, upstream, null);
    } catch (e) {
      return new EnvoyGroup(null, upstream, e as Error);
    }
  }

  async stop(): Promise<void> {
    await this.envoy?.stop();
    await this.upstream.stop();
  }

  /**
   * Envoy logs on_log/on_done/on_delete after the client has the response,
   * and a container's log stream can lag behind by more than a quiet
   * period: first the lines the case expects (up to 5 s), then until
   * nothing more arrives for 30 ms.
   */
  private async quietLogs(from: number, expected: Expectation): Promise<void> {
    const envoy = this.envoy!;
    const wanted = [...(expected.logs ?? []).map((l) => l.text), ...(expected.logOrder ?? [])];
    const allThere = () => {
      const lines = wasmLogLines(envoy.logs().slice(from));
      return wanted.every((w) => lines.some((l) => l.message.includes(w)));
    };
    // When they never come, the case's own check says which are missing.
    await settled(allThere, true, 5000);
    let last = -1;
    for (let i = 0; i < 20 && envoy.logs().length !== last; i++) {
      last = envoy.logs().length;
      await new Promise((r) => setTimeout(r, 30));
    }
  }

  private async observe(c: ProbeCase, request: ProbeRequest, times: number, expected: Expectation): Promise<Observation> {
    const envoy = this.envoy!;
    const counterNames = Object.keys(c.expect.counters ?? {});
    const gaugeNames = Object.keys(c.expect.gauges ?? {});
    const stat = async (name: string) => (await envoy.stat(ENVOY_CUSTOM_STAT_PREFIX + name)) ?? 0;
    const before: Record<string, number> = {};
    for (const n of counterNames) before[n] = await stat(n);
    const logStart = envoy.logs().length;
    const crashesBefore = envoy.crashes().length;
    let res: ClientResult | undefined;
    for (let i = 0; i < times; i++) {
      this.upstream.reset(c.name);
      res = await sendRequest(envoy.port("LISTENER_PORT"), requestOf(c, request));
    }
    await this.quietLogs(logStart, expected);
    const counters: Record<string, number> = {};
    const gauges: Record<string, number> = {};
    for (const n of counterNames) counters[n] = (await stat(n)) - before[n];
    for (const n of gaugeNames) gauges[n] = await stat(n);
    const got = this.upstream.received(c.name);
    const r = res!;
    return {
      ...r,
      upstream: got.upstream.at(-1) ?? null,
      callouts: got.callouts,
      counters,
      gauges,
      logs: wasmLogLines(envoy.logs().slice(logStart)).filter((l) => l.level !== "trace" && l.level !== "debug"),
      trapped: envoy.crashes().length > crashesBefore,
    };
  }

  async run(c: ProbeCase): Promise<CaseRun> {
    if (c.waitMs) await new Promise((r) => setTimeout(r, c.waitMs));
    const first = await this.observe(c, c.request, c.repeat ?? 1, c.expect);
    const then = c.then ? await this.observe(c, c.then.request, 1, c.then.expect) : undefined;
    return { first, then };
  }
}
