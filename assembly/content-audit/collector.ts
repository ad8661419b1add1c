// Posting audit events to an HTTP collector through an Envoy cluster.
// Streams only enqueue (a bounded queue: when it is full the event is
// dropped and counted); the root context's tick sends one batch at a time as
// a JSON array. Nothing here ever waits on the request path.
import { HttpCallHandler, RootContext } from "../common/runtime/context";
import { getHeader, HeaderPair, MapType } from "../common/runtime/host";
import { Counter } from "../common/metrics";
import { CollectorConfig } from "./config";

export class CollectorMetrics {
  sent: Counter = new Counter("content_audit_collector_events_sent");
  dropped: Counter = new Counter("content_audit_collector_events_dropped");
  failed: Counter = new Counter("content_audit_collector_batches_failed");
}

export class AuditCollector extends HttpCallHandler {
  private queue: Array<string> = new Array<string>();
  private inFlight: i32 = 0;

  constructor(
    public config: CollectorConfig,
    private root: RootContext,
    private metrics: CollectorMetrics,
  ) {
    super();
  }

  get queued(): i32 {
    return this.queue.length;
  }

  push(event: string): void {
    if (this.queue.length >= this.config.maxQueue) {
      this.metrics.dropped.inc();
      return;
    }
    this.queue.push(event);
  }

  /** From the root's tick: sends the next batch unless one is still on its way. */
  flush(): void {
    if (this.inFlight > 0 || this.queue.length == 0) return;
    const n = this.queue.length < this.config.batchSize ? this.queue.length : this.config.batchSize;
    const batch = this.queue.slice(0, n);
    this.queue = this.queue.slice(n);
    const body = String.UTF8.encode("[" + batch.join(",") + "]");
    const headers: Array<HeaderPair> = [
      new HeaderPair(":method", "POST"),
      new HeaderPair(":path", this.config.path),
      new HeaderPair(":authority", this.config.authority),
      new HeaderPair("content-type", "application/json"),
    ];
    const token = this.root.httpCall(this.config.cluster, headers, body, this.config.timeoutMs, this);
    if (token == 0) {
      this.metrics.failed.inc();
      this.metrics.dropped.inc(n);
      return;
    }
    this.inFlight = n;
  }

  onResponse(numHeaders: u32, bodySize: u32, numTrailers: u32): void {
    const n = this.inFlight;
    this.inFlight = 0;
    const status = numHeaders == 0 ? "" : responseStatus();
    if (status.startsWith("2")) {
      this.metrics.sent.inc(n);
    } else {
      this.metrics.failed.inc();
      this.metrics.dropped.inc(n);
    }
  }
}

function responseStatus(): string {
  const status = getHeader(MapType.HttpCallResponseHeaders, ":status");
  return status === null ? "" : status;
}
