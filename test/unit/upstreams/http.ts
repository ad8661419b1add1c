// Small HTTP helpers for the upstream tests.
import { request } from "node:http";

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(base + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: Object.fromEntries(res.headers), text: await res.text() };
}

export interface SseEvent {
  event?: string;
  data: string;
}

/** Splits a complete SSE body into events (no comments or multi-line data in what the mock sends). */
export function parseSse(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  for (const block of text.split("\n\n")) {
    if (!block.trim()) continue;
    const ev: SseEvent = { data: "" };
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) ev.event = line.slice(7);
      else if (line.startsWith("data: ")) ev.data = line.slice(6);
    }
    out.push(ev);
  }
  return out;
}

/** A raw HTTP/1.1 POST that reports how the body arrived: the reads, the bytes as sent (not decompressed), and whether it ended cleanly. */
export function rawPost(
  port: number,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; reads: number; body: string; bytes: Buffer; encoding: string | undefined; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = request(
      { host: "127.0.0.1", port, path, method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(data), ...headers } },
      (res) => {
        let reads = 0;
        const chunks: Buffer[] = [];
        let complete = false;
        res.on("data", (c: Buffer) => {
          reads++;
          chunks.push(c);
        });
        res.on("end", () => (complete = true));
        res.on("error", () => undefined);
        res.on("close", () =>
          resolve({
            status: res.statusCode ?? 0,
            reads,
            body: Buffer.concat(chunks).toString("utf8"),
            bytes: Buffer.concat(chunks),
            encoding: res.headers["content-encoding"],
            complete: complete && res.complete,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}
