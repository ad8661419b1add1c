// mcp-auth: OAuth 2.1 resource server and tool-level authorization in front
// of MCP servers (Streamable HTTP). See README.md.
export * from "../common/runtime/exports";
import { registerFilter, RootContext } from "../common/runtime/context";
import { McpAuthRoot } from "./root";

registerFilter((id: u32): RootContext => new McpAuthRoot());
