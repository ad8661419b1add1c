// The filter's metrics, one series per limit (tag `limit`). On /stats they
// read wasmcustom.token_ratelimit_<what>.limit.<name>; with the stats_tags
// regex of common/metrics.ts, token_ratelimit_<what>{limit="<name>"}.
import { Counter, CounterVec } from "../common/metrics";

const TAGS = ["limit"];

export class FilterMetrics {
  /** Tokens counted against the limit: prompt and completion, from usage or estimated. */
  promptTokens: CounterVec = new CounterVec("token_ratelimit_prompt_tokens", TAGS);
  completionTokens: CounterVec = new CounterVec("token_ratelimit_completion_tokens", TAGS);
  /** The part of the counted tokens that was estimated (the response reported no usage). */
  estimatedTokens: CounterVec = new CounterVec("token_ratelimit_estimated_tokens", TAGS);
  estimatedRequests: CounterVec = new CounterVec("token_ratelimit_estimated_requests", TAGS);
  admitted: CounterVec = new CounterVec("token_ratelimit_admitted_requests", TAGS);
  limited: CounterVec = new CounterVec("token_ratelimit_limited_requests", TAGS);
  /** The local table had no free slot for the value: not enforced for that request. */
  untracked: CounterVec = new CounterVec("token_ratelimit_untracked_requests", TAGS);
  /** Calls to the rate limit service that got no usable answer (fleet mode). */
  serviceErrors: Counter = new Counter("token_ratelimit_service_errors");
  /** Request bodies that were not JSON (estimated from their raw text). */
  unreadableRequests: Counter = new Counter("token_ratelimit_unreadable_requests");
  /** Responses whose usage had a figure out of range (negative, fractional, not a number, huge): estimated instead. */
  rejectedUsage: Counter = new Counter("token_ratelimit_rejected_usage");
}

/** One limit's series, looked up once at configure time (a lookup builds the series name). */
export class LimitCounters {
  promptTokens: Counter;
  completionTokens: Counter;
  estimatedTokens: Counter;
  estimatedRequests: Counter;
  admitted: Counter;
  limited: Counter;
  untracked: Counter;

  constructor(m: FilterMetrics, limit: string) {
    const tags = [limit];
    this.promptTokens = m.promptTokens.with(tags);
    this.completionTokens = m.completionTokens.with(tags);
    this.estimatedTokens = m.estimatedTokens.with(tags);
    this.estimatedRequests = m.estimatedRequests.with(tags);
    this.admitted = m.admitted.with(tags);
    this.limited = m.limited.with(tags);
    this.untracked = m.untracked.with(tags);
  }
}
