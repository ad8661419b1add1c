// Root context: loads the configuration once per VM (the classifier trains
// on its first request: model.ts) and holds the metrics every stream reports
// into.
import { loadPluginConfig, RuleSet } from "../common/config";
import { Logger } from "../common/log";
import { RootContext, StreamContext } from "../common/runtime/context";
import { nowNanos } from "../common/runtime/host";
import { FILTER_NAME, RouterConfig, RouterConfigParser } from "./config";
import { EmbeddingCache } from "./embeddings";
import { RouterStats } from "./stats";
import { RouterStream } from "./stream";
import { decimal } from "../common/text/decimal";

export const log = new Logger(FILTER_NAME);

export class RouterRoot extends RootContext {
  rules: RuleSet<RouterConfig> | null = null;
  stats: RouterStats | null = null;
  /** Embedding vectors by text (examples pinned), for routes using the embedding service. */
  embeddingCache: EmbeddingCache = new EmbeddingCache(1024);

  onConfigure(config: ArrayBuffer): bool {
    const started = nowNanos();
    const rules = loadPluginConfig<RouterConfig>(FILTER_NAME, config, new RouterConfigParser());
    if (rules === null) return false;
    this.rules = rules;
    if (this.stats === null) this.stats = new RouterStats();
    else this.stats!.forgetTargets();
    const g0 = rules.global;
    if (g0 !== null) {
      const emb = g0.embeddings;
      if (emb !== null) this.embeddingCache = new EmbeddingCache(emb.cacheEntries);
    }
    const micros = (nowNanos() - started) / 1000;
    const g = rules.global;
    let summary = decimal(rules.rules.length) + " rules";
    if (g !== null) {
      const m = g.model;
      summary = decimal(g.routes.length) + " routes, " + (m === null ? "0" : decimal(m.examples)) + " examples, " + summary;
    }
    log.info("configured: " + summary + " in " + decimal(micros) + " us");
    return true;
  }

  newStream(id: u32): StreamContext {
    return new RouterStream(id, this);
  }
}
