// The filter's metrics: decisions per route and outcome, and decision time.
//   semantic_router_decisions.route.<route>.outcome.<outcome>   counter
//   semantic_router_decision_us                                 histogram
//   semantic_router_embeddings.result.<cached|ok|failed>         counter
// (route and outcome become labels with the stats_tags in README.md).
import { Counter, CounterVec, Histogram } from "../common/metrics";
import { Target } from "./config";
import { Decision, OUTCOME_NAMES } from "./decide";

const MAX_SERIES = 200;

export class RouterStats {
  decisions: CounterVec = new CounterVec("semantic_router_decisions", ["route", "outcome"], MAX_SERIES);
  decisionMicros: Histogram = new Histogram("semantic_router_decision_us");
  /** Embedding lookups by result: cached, ok, failed (the local classifier decided). */
  embeddingCalls: CounterVec = new CounterVec("semantic_router_embeddings", ["result"], 8);
  /** Per target, its decision counters by outcome, found once (a series name is built from strings). */
  private byTarget: Map<Target, StaticArray<Counter | null>> = new Map<Target, StaticArray<Counter | null>>();

  /** The last target recorded and its row: most decisions in a row go to the same target. */
  private lastTarget: Target | null = null;
  private lastRow: StaticArray<Counter | null> | null = null;

  /** A new configuration has new targets: drop the old ones' rows. */
  forgetTargets(): void {
    this.byTarget.clear();
    this.lastTarget = null;
    this.lastRow = null;
  }

  record(d: Decision, micros: u64): void {
    let row = this.lastRow;
    if (d.target !== this.lastTarget || row === null) {
      if (this.byTarget.has(d.target)) row = this.byTarget.get(d.target);
      else {
        row = new StaticArray<Counter | null>(OUTCOME_NAMES.length);
        this.byTarget.set(d.target, row);
      }
      this.lastTarget = d.target;
      this.lastRow = row;
    }
    const o = <i32>d.outcome;
    let c = row[o];
    if (c === null) {
      c = this.decisions.with([d.target.name, d.outcomeName]);
      row[o] = c;
    }
    c.inc();
    this.decisionMicros.record(micros);
  }
}
