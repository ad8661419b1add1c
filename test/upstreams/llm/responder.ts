// Writes one response the way the knobs ask: after a delay, as JSON or as an
// SSE stream, optionally in tiny writes, optionally cut off mid-body by
// destroying the socket.
import type { ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import type { ErrorStyle } from "./errors.ts";
import type { Knobs } from "./knobs.ts";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const nextTick = () => new Promise<void>((r) => setImmediate(r));

export class Responder {
  private closed = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly knobs: Knobs,
  ) {
    res.on("close", () => (this.closed = true));
  }

  /** Waits x-mock-delay-ms. Call once, before the response starts. */
  async delay(): Promise<void> {
    if (this.knobs.delayMs > 0) await sleep(this.knobs.delayMs);
  }

  async json(status: number, body: unknown, headers: Record<string, string> = {}): Promise<void> {
    let bytes = Buffer.from(this.usageFigures(JSON.stringify(body)), "utf8");
    if (this.knobs.gzip) {
      bytes = gzipSync(bytes);
      headers = { ...headers, "content-encoding": "gzip" };
    }
    this.res.writeHead(status, { ...headers, "content-type": "application/json", "content-length": String(bytes.length) });
    const cut = this.knobs.cutAfter;
    if (cut !== undefined && cut < bytes.length) {
      await this.write(bytes.subarray(0, cut));
      return this.abort();
    }
    await this.write(bytes);
    this.res.end();
  }

  /** Sends each entry of `events` (complete SSE events, blank line included) in order; `style` is the provider's, for x-mock-error-after-chunks. */
  async sse(events: string[], style: ErrorStyle = "openai"): Promise<void> {
    const errorAfter = this.knobs.errorAfter;
    if (errorAfter !== undefined && errorAfter < events.length) events = [...events.slice(0, errorAfter), streamError(style)];
    const headers: Record<string, string> = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" };
    if (this.knobs.gzip) {
      // One gzip member for the whole stream: it arrives at once.
      this.res.writeHead(200, { ...headers, "content-encoding": "gzip" });
      await this.write(gzipSync(Buffer.from(events.map((e) => this.usageFigures(e)).join(""), "utf8")));
      return void this.res.end();
    }
    this.res.writeHead(200, headers);
    this.res.flushHeaders();
    for (let i = 0; i < events.length; i++) {
      if (this.knobs.cutAfter !== undefined && i >= this.knobs.cutAfter) return this.abort();
      if (i > 0 && this.knobs.chunkDelayMs > 0) await sleep(this.knobs.chunkDelayMs);
      if (!(await this.write(Buffer.from(this.usageFigures(events[i]), "utf8")))) return;
    }
    this.res.end();
  }

  /** Writes the usage figures the knobs give (prompt/input, completion/output tokens) as their raw JSON text. */
  private usageFigures(text: string): string {
    const { usagePrompt, usageCompletion } = this.knobs;
    if (usagePrompt !== undefined) text = text.replace(/"(prompt_tokens|input_tokens)":\d+/g, (_m, k) => `"${k}":${usagePrompt}`);
    if (usageCompletion !== undefined) text = text.replace(/"(completion_tokens|output_tokens)":\d+/g, (_m, k) => `"${k}":${usageCompletion}`);
    return text;
  }

  /**
   * Ends the exchange abruptly: the peer gets what was written so far, then
   * a closed connection instead of the end of the body.
   */
  private async abort(): Promise<void> {
    const socket = this.res.socket;
    if (socket && !socket.destroyed) {
      // An empty write completes once everything queued before it reached the kernel.
      await new Promise<void>((resolve) => socket.write(Buffer.alloc(0), () => resolve()));
      socket.destroy();
    }
    this.res.destroy();
  }

  private drained(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.res.off("drain", done);
        this.res.off("close", done);
        resolve();
      };
      this.res.on("drain", done);
      this.res.on("close", done);
    });
  }

  private async write(bytes: Buffer): Promise<boolean> {
    const step = this.knobs.chunkBytes;
    if (step !== undefined) this.res.socket?.setNoDelay(true);
    const size = step ?? bytes.length;
    for (let off = 0; off < bytes.length; off += size) {
      if (this.closed) return false;
      const ok = this.res.write(bytes.subarray(off, off + size));
      if (!ok) await this.drained();
      if (step !== undefined) await nextTick();
    }
    return !this.closed;
  }
}

/** The error event a provider sends mid-stream before it ends the stream (Anthropic: `event: error`; OpenAI: a data line with `error`). */
function streamError(style: ErrorStyle): string {
  if (style === "anthropic") return `event: error\ndata: ${JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded (x-mock-error-after-chunks)" } })}\n\n`;
  return `data: ${JSON.stringify({ error: { message: "The server had an error while processing your request (x-mock-error-after-chunks)", type: "server_error", param: null, code: null } })}\n\n`;
}
