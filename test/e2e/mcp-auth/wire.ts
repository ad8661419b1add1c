// What a client receives, byte for byte: raw POSTs and SSE streams to the
// gateway, their events parsed, and every byte kept so a test can check that
// nothing denied is anywhere in them.
import { request } from "node:http";
import { Readable } from "node:stream";
export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

export function parseSse(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  for (const block of text.replace(/\r\n?/g, "\n").split("\n\n")) {
    if (block.trim() === "") continue;
    const ev: SseEvent = { event: "message", data: "" };
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") ev.event = value;
      else if (field === "id") ev.id = value;
      else if (field === "data") data.push(value);
    }
    ev.data = data.join("\n");
    out.push(ev);
  }
  return out;
}

/** The JSON-RPC messages in a body (JSON, or SSE data events), batches flattened. */
export function messagesOf(contentType: string | null, text: string): Record<string, any>[] {
  const payloads = (contentType ?? "").includes("text/event-stream") ? parseSse(text).map((e) => e.data).filter((d) => d.trim() !== "") : text.trim() === "" ? [] : [text];
  return payloads.flatMap((p) => {
    const v = JSON.parse(p);
    return Array.isArray(v) ? v : [v];
  });
}

/** An open SSE stream: its bytes so far, and a wait for an event. */
export class SseStream {
  text = "";
  private decoder = new TextDecoder();
  private waiters: (() => void)[] = [];
  private done = false;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(
    readonly response: Response,
    private readonly controller: AbortController,
  ) {
    this.reader = response.body!.getReader();
    void this.pump();
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await this.reader.read();
        if (done) break;
        this.text += this.decoder.decode(value, { stream: true });
        this.notify();
      }
    } catch {
      // aborted or reset
    }
    this.done = true;
    this.notify();
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  get events(): SseEvent[] {
    // Only complete events (a blank line after them).
    const end = this.text.replace(/\r\n?/g, "\n").lastIndexOf("\n\n");
    return end < 0 ? [] : parseSse(this.text.replace(/\r\n?/g, "\n").slice(0, end + 2));
  }

  get ended(): boolean {
    return this.done;
  }

  async waitFor(pred: (e: SseEvent) => boolean, timeoutMs = 5000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(pred);
      if (found) return found;
      if (this.done) throw new Error(`stream ended without the event; got: ${this.text.slice(0, 500)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no such event within ${timeoutMs} ms; got: ${this.text.slice(0, 500)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.controller.abort();
  }
}

export async function openStream(url: string, headers: Record<string, string>): Promise<SseStream> {
  const controller = new AbortController();
  const res = await fetch(url, { method: "GET", headers: { accept: "text/event-stream", ...headers }, signal: controller.signal });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return new SseStream(res, controller);
}

/** A GET stream whose request carries a body (fetch cannot send one). */
export function openStreamWithBody(url: string, headers: Record<string, string>, body: string): Promise<SseStream> {
  const controller = new AbortController();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "GET", signal: controller.signal, headers: { accept: "text/event-stream", "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), ...headers } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`GET ${url} with a body: ${res.statusCode}`));
        res.resume();
        return;
      }
      resolve(new SseStream(new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, { status: 200 }), controller));
    });
    req.on("error", reject);
    req.end(body);
  });
}
