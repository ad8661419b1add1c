// The root context: configuration, the local tables, metrics, and the calls
// that settle usage with the rate limit service (made here, not on the
// stream, so they complete after the stream is gone).
import { loadPluginConfig, MatchInput, RuleSet } from "../common/config";
import { HttpCallHandler, RootContext, StreamContext } from "../common/runtime/context";
import { getHeader, hostLog, HeaderPair, LogLevel, MapType } from "../common/runtime/host";
import { FilterConfig, ServiceConfig, TokenLimitParser } from "./config";
import { Descriptor, serviceRequestBody } from "./fleet";
import { neededHeaders } from "./identity";
import { createSlots } from "./local-store";
import { FilterMetrics, LimitCounters } from "./metrics";
import { TokenLimitStream } from "./stream";
import { decimal } from "../common/text/decimal";

export const FILTER_NAME = "token-ratelimit";

export class TokenLimitRoot extends RootContext {
  rules: RuleSet<FilterConfig> | null = null;
  /** Rule selection needs the route, domain and cluster of each request. */
  hasRules: bool = false;
  metrics: FilterMetrics | null = null;

  onConfigure(config: ArrayBuffer): bool {
    const rules = loadPluginConfig<FilterConfig>(FILTER_NAME, config, new TokenLimitParser());
    if (rules === null) return false;
    if (this.metrics === null) this.metrics = new FilterMetrics();
    const metrics = this.metrics!;
    const g = rules.global;
    if (g !== null) prepare(g, "g", metrics);
    for (let i = 0; i < rules.rules.length; i++) prepare(rules.rules[i].config, "r" + decimal(i), metrics);
    this.rules = rules;
    this.hasRules = rules.rules.length > 0;
    return true;
  }

  select(input: MatchInput): FilterConfig | null {
    const r = this.rules;
    return r === null ? null : r.select(input);
  }

  /** Sends usage the reservation did not cover to the rate limit service (fire and forget). */
  settleWithService(service: ServiceConfig, descriptors: Array<Descriptor>, tokens: i64): void {
    const body = serviceRequestBody(service.domain, descriptors, tokens);
    const handler = new SettleCall(this);
    if (this.httpCall(service.cluster, serviceHeaders(service), body, service.timeoutMs, handler) == 0) handler.failed();
  }

  newStream(id: u32): StreamContext {
    return new TokenLimitStream(id, this);
  }
}

function prepare(cfg: FilterConfig, scope: string, metrics: FilterMetrics): void {
  cfg.neededHeaders = neededHeaders(cfg);
  for (let i = 0; i < cfg.limits.length; i++) {
    const l = cfg.limits[i];
    if (l.by == "route") cfg.needsRoute = true;
    if (l.by == "ip" && cfg.clientIpHeader === null) cfg.needsPeer = true;
    l.counters = new LimitCounters(metrics, l.name);
    l.storeKey = FILTER_NAME + "/" + scope + "/" + l.name;
    if (cfg.service === null) createSlots(l);
  }
}

export function serviceHeaders(service: ServiceConfig): Array<HeaderPair> {
  const h = new Array<HeaderPair>();
  h.push(new HeaderPair(":method", "POST"));
  h.push(new HeaderPair(":path", service.path));
  h.push(new HeaderPair(":authority", service.authority));
  h.push(new HeaderPair("content-type", "application/json"));
  return h;
}

class SettleCall extends HttpCallHandler {
  constructor(public root: TokenLimitRoot) {
    super();
  }

  failed(): void {
    const m = this.root.metrics;
    if (m !== null) m.serviceErrors.inc();
    hostLog(LogLevel.Warn, FILTER_NAME + ": could not settle usage with the rate limit service");
  }

  onResponse(numHeaders: u32, bodySize: u32, numTrailers: u32): void {
    const status: string | null = numHeaders == 0 ? null : getHeader(MapType.HttpCallResponseHeaders, ":status");
    if (status === null) this.failed();
    else if (status != "200" && status != "429") this.failed();
  }
}
