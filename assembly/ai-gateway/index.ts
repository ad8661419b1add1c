// ai-gateway: all four filters in one module. Each plugin picks its filter
// by root_id, so plugins that share a vm_id (and this code) share one VM per
// worker: the whole chain runs in one V8 isolate. The filters' code is the
// same as in their own modules.
export * from "../common/runtime/exports";
import { registerFilter, RootContext } from "../common/runtime/context";
import { pluginRootId } from "../common/properties";
import { Logger } from "../common/log";
import { AuditRoot } from "../content-audit/root";
import { McpAuthRoot } from "../mcp-auth/root";
import { RouterRoot } from "../semantic-router/root";
import { TokenLimitRoot } from "../token-ratelimit/root";

const ROOT_IDS = "mcp-auth, content-audit, semantic-router, token-ratelimit";

/** A plugin whose root_id names no filter: refuses its configuration, saying why. */
class UnknownFilterRoot extends RootContext {
  constructor(private rootId: string) {
    super();
  }

  onConfigure(config: ArrayBuffer): bool {
    new Logger("ai-gateway").error(`root_id "${this.rootId}" names no filter of this module; use one of: ${ROOT_IDS}`);
    return false;
  }
}

export function filterRoot(rootId: string): RootContext {
  if (rootId == "mcp-auth") return new McpAuthRoot();
  if (rootId == "content-audit") return new AuditRoot();
  if (rootId == "semantic-router") return new RouterRoot();
  if (rootId == "token-ratelimit") return new TokenLimitRoot();
  return new UnknownFilterRoot(rootId);
}

registerFilter((id: u32): RootContext => {
  const rootId = pluginRootId();
  return filterRoot(rootId === null ? "" : rootId);
});
