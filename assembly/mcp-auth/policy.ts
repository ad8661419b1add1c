// Authorization of one JSON-RPC message: which methods, tools, resources and
// prompts a caller may use. A matching policy's deny wins over any allow;
// nothing matching means the configured default action.
import { JsonKind, JsonValue, RpcMessage } from "../common/json";
import { Access, McpAuthConfig } from "./config";
import { Caller } from "./caller";
import { anyGlob, anyResource } from "./glob";
import { decimal } from "../common/text/decimal";
import { canonicalUri } from "./resource-uri";

/** Methods every authenticated caller may send: the session's own plumbing. */
function isProtocolMethod(method: string): bool {
  return method == "initialize" || method == "ping" || method.startsWith("notifications/");
}

export enum Target {
  Method = 0,
  Tool = 1,
  Resource = 2,
  Prompt = 3,
}

function targetName(t: Target): string {
  if (t == Target.Tool) return "tool";
  if (t == Target.Resource) return "resource";
  if (t == Target.Prompt) return "prompt";
  return "method";
}

function listMatches(a: Access, t: Target, value: string): bool {
  if (t == Target.Method) return anyGlob(a.methods, value);
  if (t == Target.Tool) return anyGlob(a.tools, value);
  if (t == Target.Prompt) return anyGlob(a.prompts, value);
  return anyResource(a.resources, value);
}

export class Decision {
  constructor(public readonly allowed: bool, public readonly reason: string) {}
}

/** The decisions that name no policy, made once (a listing asks for two per item). */
const ALLOWED: StaticArray<Decision> = [new Decision(true, "method allowed"), new Decision(true, "tool allowed"), new Decision(true, "resource allowed"), new Decision(true, "prompt allowed")];
const NOT_ALLOWED: StaticArray<Decision> = [new Decision(false, "method not allowed"), new Decision(false, "tool not allowed"), new Decision(false, "resource not allowed"), new Decision(false, "prompt not allowed")];
const DEFAULT_ALLOW = new Decision(true, "default allow");
const PROTOCOL_METHOD = new Decision(true, "protocol method");
const UNREADABLE_URI = new Decision(false, "resource URI with a dot segment, an escaped separator or a backslash");

export function decide(cfg: McpAuthConfig, caller: Caller, t: Target, value: string): Decision {
  let allowed = false;
  for (let i = 0; i < cfg.policies.length; i++) {
    const p = cfg.policies[i];
    if (!caller.matches(p.match)) continue;
    if (listMatches(p.deny, t, value)) return new Decision(false, targetName(t) + " denied by policy " + decimal(i));
    if (listMatches(p.allow, t, value)) allowed = true;
  }
  if (allowed) return ALLOWED[t];
  if (cfg.defaultAllow) return DEFAULT_ALLOW;
  return NOT_ALLOWED[t];
}

/** What the message asks for: method, and the tool/resource/prompt it names. */
export class MessageTarget {
  method: string = "";
  kind: Target = Target.Method;
  /** Tool name, resource URI or prompt name; "" for other methods. */
  name: string = "";
}

export function targetOf(m: RpcMessage): MessageTarget {
  const out = new MessageTarget();
  const method = m.method;
  out.method = method === null ? "" : method;
  const params = m.params;
  const p = params !== null && params.kind == JsonKind.Object ? params : null;
  let field = "";
  if (out.method == "tools/call") {
    out.kind = Target.Tool;
    field = "name";
  } else if (out.method == "resources/read" || out.method == "resources/subscribe" || out.method == "resources/unsubscribe") {
    out.kind = Target.Resource;
    field = "uri";
  } else if (out.method == "prompts/get") {
    out.kind = Target.Prompt;
    field = "name";
  } else if (out.method == "completion/complete") {
    return completionTarget(out, p);
  }
  if (field.length > 0 && p !== null) {
    const n = p.getText(field);
    if (n !== null) out.name = n;
  }
  return out;
}

/**
 * completion/complete completes an argument of the prompt or resource template
 * its `ref` names: allowed when the caller may get that prompt or read that
 * template. A ref of another type names nothing and is refused.
 */
function completionTarget(out: MessageTarget, params: JsonValue | null): MessageTarget {
  out.kind = Target.Prompt;
  if (params === null) return out;
  const ref = params.get("ref");
  if (ref === null || ref.kind != JsonKind.Object) return out;
  const type = ref.getText("type");
  if (type === null) return out;
  let n: string | null = null;
  if (type == "ref/prompt") n = ref.getText("name");
  else if (type == "ref/resource") {
    out.kind = Target.Resource;
    n = ref.getText("uri");
  }
  if (n !== null) out.name = n;
  return out;
}

/** The method first, then the tool/resource/prompt it names. */
export function authorize(cfg: McpAuthConfig, caller: Caller, t: MessageTarget): Decision {
  if (isProtocolMethod(t.method)) return PROTOCOL_METHOD;
  const m = decide(cfg, caller, Target.Method, t.method);
  if (!m.allowed) return m;
  if (t.kind == Target.Method) return m;
  if (t.name.length == 0) return new Decision(false, targetName(t.kind) + " name missing");
  if (t.kind != Target.Resource) return decide(cfg, caller, t.kind, t.name);
  const uri = canonicalUri(t.name);
  if (uri === null) return UNREADABLE_URI;
  return decide(cfg, caller, t.kind, uri);
}

/** Scopes a tools/call needs (toolScopes) that the caller lacks; empty when it has them. */
export function missingToolScopes(cfg: McpAuthConfig, caller: Caller, tool: string): Array<string> {
  const out = new Array<string>();
  for (let i = 0; i < cfg.toolScopes.length; i++) {
    const ts = cfg.toolScopes[i];
    if (!anyGlob(ts.tools, tool)) continue;
    for (let j = 0; j < ts.scopes.length; j++) if (!caller.hasScope(ts.scopes[j]) && !out.includes(ts.scopes[j])) out.push(ts.scopes[j]);
  }
  return out;
}
