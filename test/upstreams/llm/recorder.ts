// Keeps the last requests the upstream received, so e2e tests can check what
// reached it through the gateway. Bounded: a load test does not grow it.
import type { IncomingHttpHeaders } from "node:http";

export interface RecordedRequest {
  method: string;
  /** Path with query string, as received. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The body decoded as UTF-8. */
  body: string;
}

export class Recorder {
  private items: RecordedRequest[] = [];

  constructor(private readonly limit: number) {}

  add(r: RecordedRequest): void {
    if (this.limit <= 0) return;
    this.items.push(r);
    if (this.items.length > this.limit) this.items.splice(0, this.items.length - this.limit);
  }

  list(): RecordedRequest[] {
    return [...this.items];
  }

  clear(): void {
    this.items = [];
  }
}
