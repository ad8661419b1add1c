// Virtual time and the host's event queue. Nothing happens on a real timer:
// tests move time with advance(), and posted work (queue notifications, HTTP
// call responses, ticks) runs in time order, then in posting order.

export interface ScheduledEvent {
  readonly id: number;
  readonly at: number;
  readonly label: string;
  cancelled: boolean;
}

interface Entry extends ScheduledEvent {
  run: () => void;
}

export class Scheduler {
  /** Milliseconds since the emulated host started. */
  private elapsed = 0;
  private seq = 0;
  private queue: Entry[] = [];

  /** @param epochMs wall-clock time at start, in ms since 1970 */
  constructor(readonly epochMs: number) {}

  get nowMs(): number {
    return this.elapsed;
  }

  /** Wall-clock nanoseconds (what proxy_get_current_time_nanoseconds returns). */
  wallNanos(): bigint {
    return BigInt(Math.round(this.epochMs * 1e6)) + BigInt(Math.round(this.elapsed * 1e6));
  }

  monotonicNanos(): bigint {
    return BigInt(Math.round(this.elapsed * 1e6)) + 1_000_000_000n;
  }

  schedule(delayMs: number, label: string, run: () => void): ScheduledEvent {
    const e: Entry = { id: ++this.seq, at: this.elapsed + Math.max(0, delayMs), label, cancelled: false, run };
    this.queue.push(e);
    this.queue.sort((a, b) => a.at - b.at || a.id - b.id);
    return e;
  }

  /** Runs after the current work, at the current time. */
  post(label: string, run: () => void): ScheduledEvent {
    return this.schedule(0, label, run);
  }

  cancel(e: ScheduledEvent | undefined): void {
    if (e) e.cancelled = true;
  }

  pending(): ScheduledEvent[] {
    this.queue = this.queue.filter((e) => !e.cancelled);
    return [...this.queue];
  }

  /** Time of the next pending event, or undefined. */
  nextAt(filter?: (e: ScheduledEvent) => boolean): number | undefined {
    return this.pending().find((e) => !filter || filter(e))?.at;
  }

  /** Runs every event due now (including ones they post for now). Returns how many ran. */
  runDue(): number {
    let ran = 0;
    for (;;) {
      const i = this.queue.findIndex((e) => !e.cancelled && e.at <= this.elapsed);
      if (i < 0) break;
      const [e] = this.queue.splice(i, 1);
      ran++;
      e.run();
    }
    this.queue = this.queue.filter((e) => !e.cancelled);
    return ran;
  }

  /** Moves time forward by `ms`, running events in order as their time comes. */
  advance(ms: number): void {
    const target = this.elapsed + Math.max(0, ms);
    this.runDue();
    for (;;) {
      const next = this.nextAt();
      if (next === undefined || next > target) break;
      this.elapsed = next;
      this.runDue();
    }
    this.elapsed = target;
    this.runDue();
  }

  /** Jumps to the next event (if any) and runs what is due then. Returns false when nothing is pending. */
  step(filter?: (e: ScheduledEvent) => boolean): boolean {
    if (this.runDue() > 0) return true;
    const next = this.nextAt(filter);
    if (next === undefined) return false;
    this.elapsed = Math.max(this.elapsed, next);
    this.runDue();
    return true;
  }
}
