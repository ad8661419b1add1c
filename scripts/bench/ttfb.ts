// Side sampler for streaming cells: while wrk drives the load, one extra
// keep-alive connection sends the same streaming request every INTERVAL_MS,
// one at a time, and times the first body byte (the start of the first SSE
// event) from the moment the request was written. wrk cannot time the first
// byte; this client can, and at ~20 requests/s it adds next to nothing to the
// measured load. A raw socket keeps the client's own overhead small.
import { connect, type Socket } from "node:net";
import { bodyComplete, parseHead, type ResponseHead } from "./framing.ts";
import { summarize, type Summary } from "./stats.ts";

export const INTERVAL_MS = 50;
const TIMEOUT_MS = 10_000;

export interface Sampler {
  /** Stops after the request in flight; resolves with time-to-first-body-byte in ms, or null without samples. */
  stop(): Promise<Summary | null>;
}

export function rawRequest(url: URL, body: string, headers: Record<string, string> = {}): Buffer {
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  const head =
    `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n` + extra +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), Buffer.from(body, "utf8")]);
}

class Connection {
  private socket: Socket | null = null;
  constructor(private readonly url: URL) {}

  private open(): Promise<Socket | null> {
    return new Promise((resolve) => {
      const s = connect({ host: this.url.hostname, port: Number(this.url.port) });
      s.setNoDelay(true);
      s.once("connect", () => resolve(s));
      // Always listening: an unhandled socket error would end the bench process.
      s.on("error", () => resolve(null));
    });
  }

  /** Milliseconds to the first body byte of a complete 200 response; null on any failure. */
  async sample(request: Buffer): Promise<number | null> {
    const reusable = this.socket !== null && !this.socket.destroyed && this.socket.writable && this.socket.readyState === "open";
    if (!reusable) {
      this.socket?.destroy();
      this.socket = await this.open();
    }
    const socket = this.socket;
    if (socket === null) return null;
    return new Promise((resolve) => {
      let received: Buffer = Buffer.alloc(0);
      let head: ResponseHead | null = null;
      let first: number | null = null;
      const t0 = process.hrtime.bigint();
      const done = (v: number | null) => {
        clearTimeout(timer);
        socket.off("data", onData);
        socket.off("close", onClose);
        socket.off("end", onClose);
        if (v === null) socket.destroy();
        resolve(v);
      };
      const onData = (chunk: Buffer) => {
        received = received.length ? Buffer.concat([received, chunk]) : chunk;
        head ??= parseHead(received);
        if (head === null) return;
        if (first === null && received.length > head.bodyStart) first = Number(process.hrtime.bigint() - t0) / 1e6;
        if (!bodyComplete(received, head)) return;
        if (head.close) socket.destroy();
        done(head.status === 200 ? first : null);
      };
      const onClose = () => done(null);
      const timer = setTimeout(() => done(null), TIMEOUT_MS);
      socket.on("data", onData);
      socket.once("close", onClose);
      socket.once("end", onClose);
      socket.write(request);
    });
  }

  close(): void {
    this.socket?.destroy();
  }
}

export function startTtfbSampler(url: string, body: string, intervalMs = INTERVAL_MS, headers: Record<string, string> = {}): Sampler {
  const target = new URL(url);
  const request = rawRequest(target, body, headers);
  const conn = new Connection(target);
  const samples: number[] = [];
  let stopping = false;
  let wake = () => {};
  const loop = (async () => {
    while (!stopping) {
      const started = Date.now();
      const ms = await conn.sample(request);
      if (ms !== null) samples.push(ms);
      const wait = intervalMs - (Date.now() - started);
      if (wait > 0 && !stopping) {
        await new Promise<void>((r) => {
          const t = setTimeout(r, wait);
          wake = () => (clearTimeout(t), r());
        });
      }
    }
  })();
  return {
    async stop() {
      stopping = true;
      wake();
      await loop;
      conn.close();
      return samples.length ? summarize(samples) : null;
    },
  };
}
