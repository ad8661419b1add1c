// Origin validation (MCP Streamable HTTP transport, against DNS rebinding): a
// request whose Origin header is not an allowed origin is refused. Requests
// without Origin (non-browser clients) are not browser-driven and pass.
import { McpAuthConfig } from "./config";
import { globMatch } from "./glob";

export function originAllowed(cfg: McpAuthConfig, origin: string): bool {
  const o = origin.toLowerCase();
  for (let i = 0; i < cfg.allowedOrigins.length; i++) {
    const p = unchecked(cfg.allowedOrigins[i]);
    if (p == "*" || globMatch(p, o)) return true;
  }
  return false;
}
