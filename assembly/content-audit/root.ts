// The filter's root context: configuration, metrics, the audit collector and
// its tick.
import { loadPluginConfig, RuleSet } from "../common/config";
import { Counter, CounterVec } from "../common/metrics";
import { RootContext, StreamContext } from "../common/runtime/context";
import { setTickPeriod } from "../common/runtime/host";
import { AuditCollector, CollectorMetrics } from "./collector";
import { AuditConfig, AuditConfigParser, CollectorConfig } from "./config";
import { VERDICT_NAMES } from "./record";
import { ACTION_NAMES } from "./rules";
import { AuditStream } from "./stream";

export const FILTER_NAME = "content-audit";

export class AuditMetrics {
  /** Matches per rule and action taken. */
  matches: CounterVec = new CounterVec("content_audit_matches", ["rule", "action"], 500);
  /** Inspected requests per verdict (pass, log, mask, block). */
  requests: CounterVec = new CounterVec("content_audit_requests", ["verdict"], 10);
  /** By AuditRecord.verdict + 1 (pass, then the Action order), made on first use. */
  private byVerdict: StaticArray<Counter | null> = new StaticArray<Counter | null>(VERDICT_NAMES.length);

  verdict(verdict: i32): Counter {
    let c = this.byVerdict[verdict + 1];
    if (c === null) {
      c = this.requests.with([VERDICT_NAMES[verdict + 1]]);
      this.byVerdict[verdict + 1] = c;
    }
    return c;
  }
  collector: CollectorMetrics | null = null;
}

function defineRuleMetrics(config: AuditConfig, metrics: AuditMetrics): void {
  for (let i = 0; i < config.rules.length; i++) {
    const rule = config.rules[i];
    rule.matches = metrics.matches.with([rule.id, ACTION_NAMES[<i32>rule.action]]);
  }
}

export class AuditRoot extends RootContext {
  rules: RuleSet<AuditConfig> | null = null;
  metrics: AuditMetrics | null = null;
  collector: AuditCollector | null = null;

  onConfigure(config: ArrayBuffer): bool {
    const rules = loadPluginConfig<AuditConfig>(FILTER_NAME, config, new AuditConfigParser());
    if (rules === null) return false;
    this.rules = rules;
    if (this.metrics === null) this.metrics = new AuditMetrics();
    const metrics = this.metrics!;
    // Series defined now, so a request only increments.
    if (rules.global !== null) defineRuleMetrics(rules.global!, metrics);
    for (let i = 0; i < rules.rules.length; i++) defineRuleMetrics(rules.rules[i].config, metrics);
    const global = rules.global;
    let col: CollectorConfig | null = null;
    if (global !== null) col = global.collector;
    if (col !== null) {
      if (metrics.collector === null) metrics.collector = new CollectorMetrics();
      this.collector = new AuditCollector(col, this, metrics.collector!);
      setTickPeriod(col.flushIntervalMs);
    } else {
      this.collector = null;
    }
    return true;
  }

  onTick(): void {
    const c = this.collector;
    if (c !== null) c.flush();
  }

  newStream(id: u32): StreamContext {
    return new AuditStream(id, this);
  }
}
