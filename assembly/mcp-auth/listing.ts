// The four MCP listings (tools, prompts, resources, resource templates): what
// each list method returns, and a result with the items the caller may not use
// taken out. An item is listed when the caller may use it: a tool it may
// call, a prompt it may get, a resource or template it may read (a template is
// matched by its uriTemplate text like a URI, so the prefix
// `demo://resource/dynamic/` covers `demo://resource/dynamic/text/{id}`).
import { ByteBuf, JsonKind, JsonValue, Splice } from "../common/json";
import { Caller } from "./caller";
import { McpAuthConfig } from "./config";
import { authorize, MessageTarget, Target } from "./policy";

export enum ListKind {
  None = 0,
  Tools = 1,
  Prompts = 2,
  Resources = 3,
  Templates = 4,
}

export const LIST_KINDS: Array<ListKind> = [ListKind.Tools, ListKind.Prompts, ListKind.Resources, ListKind.Templates];

export function listKindOf(method: string): ListKind {
  if (method == "tools/list") return ListKind.Tools;
  if (method == "prompts/list") return ListKind.Prompts;
  if (method == "resources/list") return ListKind.Resources;
  if (method == "resources/templates/list") return ListKind.Templates;
  return ListKind.None;
}

export function listMethod(kind: ListKind): string {
  if (kind == ListKind.Tools) return "tools/list";
  if (kind == ListKind.Prompts) return "prompts/list";
  if (kind == ListKind.Resources) return "resources/list";
  return "resources/templates/list";
}

/** The result member holding the items. */
export function itemsKey(kind: ListKind): string {
  if (kind == ListKind.Tools) return "tools";
  if (kind == ListKind.Prompts) return "prompts";
  if (kind == ListKind.Resources) return "resources";
  return "resourceTemplates";
}

/** The item member the policy is checked on. */
function itemField(kind: ListKind): string {
  if (kind == ListKind.Resources) return "uri";
  if (kind == ListKind.Templates) return "uriTemplate";
  return "name";
}

/** May the caller use the item named `name` of a listing of `kind`? */
export function itemAllowed(cfg: McpAuthConfig, caller: Caller, kind: ListKind, name: string): bool {
  const t = new MessageTarget();
  t.name = name;
  if (kind == ListKind.Tools) {
    t.method = "tools/call";
    t.kind = Target.Tool;
  } else if (kind == ListKind.Prompts) {
    t.method = "prompts/get";
    t.kind = Target.Prompt;
  } else {
    t.method = "resources/read";
    t.kind = Target.Resource;
  }
  return authorize(cfg, caller, t).allowed;
}

/** Edits of one result object, or why it could not be filtered. */
export class ResultEdits {
  splices: Array<Splice> = new Array<Splice>();
  /** The listing `expected` was asked for but the result does not hold it as an array. */
  unfilterable: bool = false;
  removed: i32 = 0;
}

/**
 * Filters every listing array in `result` (each of the four member names,
 * every occurrence when a name repeats). `expected` is the listing the
 * request asked for (None when unknown): its member must be there and be an
 * array, else the result is unfilterable. Items that are not objects with a
 * string name (uri, uriTemplate) are removed.
 */
export function editResult(cfg: McpAuthConfig, caller: Caller, src: ArrayBuffer, result: JsonValue, expected: ListKind): ResultEdits {
  const out = new ResultEdits();
  if (result.kind != JsonKind.Object) {
    out.unfilterable = expected != ListKind.None;
    return out;
  }
  let sawExpected = false;
  let m = result.first();
  while (m !== null) {
    for (let k = 0; k < LIST_KINDS.length; k++) {
      const kind = unchecked(LIST_KINDS[k]);
      if (!m.keyEquals(itemsKey(kind))) continue;
      if (m.kind != JsonKind.Array) {
        if (kind == expected) out.unfilterable = true;
        break;
      }
      if (kind == expected) sawExpected = true;
      filterItems(cfg, caller, src, m, kind, out);
      break;
    }
    m = m.next();
  }
  if (expected != ListKind.None && !sawExpected) out.unfilterable = true;
  return out;
}

function filterItems(cfg: McpAuthConfig, caller: Caller, src: ArrayBuffer, array: JsonValue, kind: ListKind, out: ResultEdits): void {
  const field = itemField(kind);
  const buf = new ByteBuf(array.end - array.start);
  buf.pushString("[");
  let kept = 0, removed = 0;
  let item = array.first();
  while (item !== null) {
    const name = item.kind == JsonKind.Object ? item.getText(field) : null;
    if (name !== null && itemAllowed(cfg, caller, kind, name)) {
      if (kept++ > 0) buf.pushString(",");
      buf.pushRange(src, item.start, item.end);
    } else {
      removed++;
    }
    item = item.next();
  }
  if (removed == 0) return;
  buf.pushString("]");
  out.removed += removed;
  out.splices.push(new Splice(array.start, array.end, buf.toArrayBuffer()));
}
