// Side sampler for streaming cells: while wrk drives the load, one extra
// keep-alive connection sends the same streaming request every INTERVAL_MS
// (one at a time) and times the first body byte, i.e. the first SSE event the
// client sees. wrk cannot time the first byte; this light client can, and at
// ~20 requests/s it adds next to nothing to the measured load.
import { Agent, request } from "node:http";
import { summarize, type Summary } from "./stats.ts";

export const INTERVAL_MS = 50;

export interface Sampler {
  /** Stops after the request in flight; resolves with time-to-first-body-byte in ms, or null without samples. */
  stop(): Promise<Summary | null>;
}

function once(agent: Agent, url: URL, body: string): Promise<number | null> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    let first: number | null = null;
    const req = request(
      url,
      { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (res) => {
        res.on("data", () => {
          if (first === null) first = Number(process.hrtime.bigint() - t0) / 1e6;
        });
        res.on("end", () => resolve(res.statusCode === 200 ? first : null));
        res.on("error", () => resolve(null));
      },
    );
    req.setTimeout(10_000, () => req.destroy());
    req.on("error", () => resolve(null));
    req.end(body);
  });
}

export function startTtfbSampler(url: string, body: string, intervalMs = INTERVAL_MS): Sampler {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const target = new URL(url);
  const samples: number[] = [];
  let stopping = false;
  let wake: (() => void) | null = null;
  const loop = (async () => {
    while (!stopping) {
      const started = Date.now();
      const ms = await once(agent, target, body);
      if (ms !== null) samples.push(ms);
      const wait = intervalMs - (Date.now() - started);
      if (wait > 0 && !stopping) {
        await new Promise<void>((r) => {
          const t = setTimeout(r, wait);
          wake = () => (clearTimeout(t), r());
        });
        wake = null;
      }
    }
  })();
  return {
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      agent.destroy();
      return samples.length ? summarize(samples) : null;
    },
  };
}
