// One measured run: wrk drives one Envoy on one cell while /proc readings
// bracket the run (Envoy CPU and memory, upstream CPU, whole-machine CPU),
// and on streaming cells a side client samples time to first byte.
import type { Envoy } from "../../test/harness/envoy.ts";
import type { Cell } from "./cells.ts";
import { clockTicks, readHostCpu, readProcCpu, readProcMemory } from "./procfs.ts";
import type { RunResult } from "./results.ts";
import { cpuMicrosPerRequest, cpuPercent } from "./stats.ts";
import { startTtfbSampler } from "./ttfb.ts";
import { runWrk } from "./wrk.ts";

export const CHAT_PATH = "/v1/chat/completions";

export interface RunSpec {
  name: string;
  envoy: Envoy;
  cell: Cell;
  body: string;
  bodyFile: string;
  durationS: number;
  maxRequests: number;
  wrkBin: string;
  upstreamPid: number;
  /** Request headers sent on every request. */
  headers?: Record<string, string>;
}

export async function measureRun(spec: RunSpec): Promise<RunResult> {
  const pid = spec.envoy.pid;
  if (pid === undefined) throw new Error("the bench needs Envoy's pid: run it natively (ENVOY_RUNTIME=native)");
  const url = spec.envoy.url(CHAT_PATH);
  const sampler = spec.cell.mode === "sse" ? startTtfbSampler(url, spec.body, undefined, spec.headers) : null;

  const t0 = process.hrtime.bigint();
  const envoy0 = readProcCpu(pid);
  const up0 = readProcCpu(spec.upstreamPid);
  const host0 = readHostCpu();
  const out = await runWrk(spec.wrkBin, {
    url,
    bodyFile: spec.bodyFile,
    connections: spec.cell.connections,
    durationS: spec.durationS,
    maxRequests: spec.maxRequests,
    headers: spec.headers,
  });
  const envoy1 = readProcCpu(pid);
  const up1 = readProcCpu(spec.upstreamPid);
  const host1 = readHostCpu();
  const elapsedMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const memory = readProcMemory(pid);
  const ttfb = sampler ? await sampler.stop() : null;

  const hz = clockTicks();
  const envoyTicks = envoy1.ticks - envoy0.ticks;
  const hostTotal = host1.totalTicks - host0.totalTicks;
  const durationS = out.durationUs / 1e6;
  const us = (v: number) => v / 1000;
  return {
    envoy: spec.name,
    requests: out.requests,
    durationS,
    rps: durationS > 0 ? out.requests / durationS : 0,
    errors: out.errors,
    latencyMs: {
      mean: us(out.latencyUs.mean),
      p50: us(out.latencyUs.p50),
      p90: us(out.latencyUs.p90),
      p99: us(out.latencyUs.p99),
      max: us(out.latencyUs.max),
    },
    ttfbMs: ttfb,
    cpu: {
      percentOfCore: cpuPercent(envoyTicks, hz, elapsedMs),
      microsPerRequest: cpuMicrosPerRequest(envoyTicks, hz, out.requests),
    },
    memory: { rssMb: memory.rssKb / 1024, hwmMb: memory.hwmKb / 1024 },
    upstreamCpuPercent: cpuPercent(up1.ticks - up0.ticks, hz, elapsedMs),
    hostBusyPercent: hostTotal > 0 ? ((host1.busyTicks - host0.busyTicks) / hostTotal) * 100 : NaN,
  };
}
