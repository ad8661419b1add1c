// The filter's metrics: decisions per route and outcome, and decision time.
//   semantic_router_decisions.route.<route>.outcome.<outcome>   counter
//   semantic_router_decision_us                                 histogram
//   semantic_router_embeddings.result.<cached|ok|failed>         counter
// (route and outcome become labels with the stats_tags in README.md).
import { Counter, CounterVec, Histogram } from "../common/metrics";
import { Decision } from "./decide";

const MAX_SERIES = 200;

export class RouterStats {
  decisions: CounterVec = new CounterVec("semantic_router_decisions", ["route", "outcome"], MAX_SERIES);
  decisionMicros: Histogram = new Histogram("semantic_router_decision_us");
  /** Embedding lookups by result: cached, ok, failed (the local classifier decided). */
  embeddingCalls: CounterVec = new CounterVec("semantic_router_embeddings", ["result"], 8);

  record(d: Decision, micros: u64): void {
    const c: Counter = this.decisions.with([d.target.name, d.outcomeName]);
    c.inc();
    this.decisionMicros.record(micros);
  }
}
