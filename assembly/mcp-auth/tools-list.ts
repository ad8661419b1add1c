// Removes the tools a caller may not call from a tools/list result, in a
// JSON body or in the data of an SSE event. Bytes outside result.tools are
// kept as they are.
import { ByteBuf, JsonKind, JsonValue, parseJson, replaceSpan } from "../common/json";
import { McpAuthConfig } from "./config";
import { Caller } from "./caller";
import { authorize, MessageTarget, Target } from "./policy";

export class ToolsFilterResult {
  /** The rewritten message, or null when nothing had to change (or it was not a tools/list result). */
  body: ArrayBuffer | null = null;
  kept: i32 = 0;
  removed: i32 = 0;
}

function toolAllowed(cfg: McpAuthConfig, caller: Caller, name: string): bool {
  const t = new MessageTarget();
  t.method = "tools/call";
  t.kind = Target.Tool;
  t.name = name;
  return authorize(cfg, caller, t).allowed;
}

export function filterToolsList(cfg: McpAuthConfig, caller: Caller, message: ArrayBuffer): ToolsFilterResult {
  const out = new ToolsFilterResult();
  const doc = parseJson(message).doc;
  if (doc === null || doc.root.kind != JsonKind.Object) return out;
  const result = doc.root.get("result");
  if (result === null || result.kind != JsonKind.Object) return out;
  const tools = result.get("tools");
  if (tools === null || tools.kind != JsonKind.Array) return out;
  const items = JsonValue.items(tools);
  const buf = new ByteBuf(tools.end - tools.start);
  buf.pushString("[");
  for (let i = 0; i < items.length; i++) {
    const item = unchecked(items[i]);
    const name = item.kind == JsonKind.Object ? item.getText("name") : null;
    if (name === null || !toolAllowed(cfg, caller, name)) {
      out.removed++;
      continue;
    }
    if (out.kept > 0) buf.pushString(",");
    buf.pushRange(message, item.start, item.end);
    out.kept++;
  }
  buf.pushString("]");
  if (out.removed == 0) return out;
  out.body = replaceSpan(message, tools.start, tools.end, buf.toArrayBuffer());
  return out;
}
