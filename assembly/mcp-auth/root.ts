// Root context: the parsed configuration (global and _rules_), the JWKS
// caches it refreshes on the tick, and the decision counters.
import { RootContext, StreamContext } from "../common/runtime/context";
import { nowMillis, readPluginConfig, setTickPeriod } from "../common/runtime";
import { loadPluginConfig, MatchInput, RuleSet } from "../common/config";
import { routeName, clusterName } from "../common/properties";
import { McpAuthConfig, McpAuthParser } from "./config";
import { AuditMetrics } from "./audit";
import { RemoteKeys } from "./remote-keys";
import { McpAuthStream } from "./stream";

/** How often the root looks at its JWKS caches (each refreshes on its own schedule). */
const TICK_MS: u32 = 1000;

export class McpAuthRoot extends RootContext {
  rules: RuleSet<McpAuthConfig> | null = null;
  remotes: Array<RemoteKeys> = new Array<RemoteKeys>();
  metrics: AuditMetrics | null = null;

  onConfigure(config: ArrayBuffer): bool {
    const rules = loadPluginConfig<McpAuthConfig>("mcp-auth", config, new McpAuthParser());
    if (rules === null) return false;
    this.rules = rules;
    this.remotes = new Array<RemoteKeys>();
    const g = rules.global;
    if (g !== null) this.adopt(g);
    for (let i = 0; i < rules.rules.length; i++) this.adopt(rules.rules[i].config);
    if (this.metrics === null) this.metrics = new AuditMetrics();
    if (this.remotes.length > 0) setTickPeriod(TICK_MS);
    return true;
  }

  private adopt(cfg: McpAuthConfig): void {
    const jwt = cfg.jwt;
    if (jwt === null) return;
    const remote = jwt.remote;
    if (remote === null) return;
    remote.root = this;
    this.remotes.push(remote);
  }

  onTick(): void {
    const now = nowMillis();
    for (let i = 0; i < this.remotes.length; i++) this.remotes[i].tick(now);
  }

  /** The configuration for a request; route and cluster are read only when _rules_ need them. */
  select(path: string, authority: string): McpAuthConfig | null {
    const rules = this.rules;
    if (rules === null) return null;
    if (rules.rules.length == 0) return rules.global;
    const route = routeName(), cluster = clusterName();
    return rules.select(new MatchInput(route === null ? "" : route, authority, cluster === null ? "" : cluster, path));
  }

  newStream(id: u32): StreamContext {
    return new McpAuthStream(id, this);
  }
}
