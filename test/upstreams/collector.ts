// An audit event collector for tests and the demo: accepts POSTed JSON
// arrays of events (content-audit's collector batches) and keeps them.
// `status` makes it answer with an error instead, to test failure counting.
import { createServer } from "node:http";
import { baseUrl, closeServer, listen } from "./serve.ts";

export interface CollectorOptions {
  port?: number;
  host?: string;
  /** Answer every batch with this status (default 204). */
  status?: number;
}

export interface Collector {
  url: string;
  port: number;
  /** Every event received, in order. */
  events(): Record<string, unknown>[];
  /** Number of batches (POSTs) received. */
  batches(): number;
  close(): Promise<void>;
}

export async function startCollector(opts: CollectorOptions = {}): Promise<Collector> {
  const events: Record<string, unknown>[] = [];
  let batches = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method !== "POST") {
        res.writeHead(405).end();
        return;
      }
      try {
        const batch = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        if (!Array.isArray(batch)) throw new Error("not an array");
        batches++;
        events.push(...batch);
      } catch {
        res.writeHead(400).end();
        return;
      }
      res.writeHead(opts.status ?? 204).end();
    });
  });
  const host = opts.host ?? "127.0.0.1";
  const port = await listen(server, opts.port ?? 0, host);
  return {
    url: baseUrl(host, port),
    port,
    events: () => events,
    batches: () => batches,
    close: () => closeServer(server),
  };
}
