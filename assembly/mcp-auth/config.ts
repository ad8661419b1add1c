// Plugin configuration: JSON in, McpAuthConfig out, every problem named by
// its field (see README.md for the reference and config.schema.json).
import { canonicalUri } from "./resource-uri";
import { ConfigParser, ConfigReader } from "../common/config";
import { JsonKind } from "../common/json";
import { AuthResult } from "./auth-result";
import { JwtChecks } from "./jwt";
import { KeySet, readJwks } from "./jwks";
import { RemoteKeys } from "./remote-keys";
import { TokenCache } from "./token-cache";

export const ALGORITHMS: Array<string> = ["RS256", "ES256", "HS256"];

export class Consumer {
  /** The key as UTF-8, for the constant-time comparison. */
  keyBytes: Uint8Array;
  /** What authenticating as this consumer yields, made on first use (read-only, shared by its requests). */
  result: AuthResult | null = null;

  constructor(public name: string, public key: string, public scopes: Array<string>) {
    this.keyBytes = Uint8Array.wrap(String.UTF8.encode(key));
  }
}

export class JwtConfig {
  checks: JwtChecks = new JwtChecks();
  staticKeys: KeySet | null = null;
  remote: RemoteKeys | null = null;
  /** No key set known yet (remote JWKS not fetched): answer 401 (false) or 503 (true). */
  unavailableWithoutKeys: bool = false;
  cache: TokenCache = new TokenCache(0);
}

/** Who a policy applies to; empty lists match anyone. */
export class CallerMatch {
  subjects: Array<string> = new Array<string>();
  /** The caller has at least one of these scopes. */
  scopes: Array<string> = new Array<string>();
  /** Claim name -> accepted value (string claim equal, or array claim containing it). */
  claimNames: Array<string> = new Array<string>();
  claimValues: Array<string> = new Array<string>();
}

export class Access {
  methods: Array<string> = new Array<string>();
  tools: Array<string> = new Array<string>();
  resources: Array<string> = new Array<string>();
  prompts: Array<string> = new Array<string>();
}

export class Policy {
  match: CallerMatch = new CallerMatch();
  allow: Access = new Access();
  deny: Access = new Access();
}

export class ToolLimit {
  tools: Array<string> = new Array<string>();
  subjects: Array<string> = new Array<string>();
  calls: i64 = 0;
  windowSeconds: i64 = 60;
}

export class ToolScope {
  tools: Array<string> = new Array<string>();
  scopes: Array<string> = new Array<string>();
}

export class McpAuthConfig {
  resource: string = "";
  publicBaseUrl: string | null = null;
  authorizationServers: Array<string> = new Array<string>();
  scopesSupported: Array<string> = new Array<string>();
  resourceName: string | null = null;
  jwt: JwtConfig | null = null;
  requiredScopes: Array<string> = new Array<string>();
  toolScopes: Array<ToolScope> = new Array<ToolScope>();
  apiKeyHeader: string | null = null;
  apiKeyQuery: string | null = null;
  consumers: Array<Consumer> = new Array<Consumer>();
  subjectHeader: string = "x-mcp-subject";
  private encodedSubjectHeader: ArrayBuffer | null = null;
  claimNames: Array<string> = new Array<string>();
  claimHeaders: Array<string> = new Array<string>();
  forwardToken: bool = false;
  policies: Array<Policy> = new Array<Policy>();
  defaultAllow: bool = false;
  rateLimits: Array<ToolLimit> = new Array<ToolLimit>();
  /** Filter tools/prompts/resources/templates listings (list request ids tagged, list-ids.ts). */
  filterLists: bool = true;
  /** Origin header values accepted (lower case, globs); `*` accepts any. */
  allowedOrigins: Array<string> = new Array<string>();
  /** Authentication only: bodies are not read as JSON-RPC (routes that are not MCP). */
  authenticateOnly: bool = false;
  bindSessions: bool = true;
  maxBodyBytes: u32 = 1 << 20;
  maxResponseBytes: u32 = 4 << 20;

  /** subjectHeader as UTF-8, encoded once. */
  get subjectHeaderBytes(): ArrayBuffer {
    let b = this.encodedSubjectHeader;
    if (b === null) this.encodedSubjectHeader = b = String.UTF8.encode(this.subjectHeader);
    return b;
  }

  /** The path part of `resource` ("/mcp" for https://h/mcp; "" for https://h). */
  resourcePath(): string {
    const scheme = this.resource.indexOf("://");
    const slash = this.resource.indexOf("/", scheme < 0 ? 0 : scheme + 3);
    if (slash < 0) return "";
    const path = this.resource.substring(slash);
    return path == "/" ? "" : path;
  }
}

/** scheme://host[:port] of a URL, lower case. */
export function originOf(url: string): string {
  const scheme = url.indexOf("://");
  const slash = url.indexOf("/", scheme < 0 ? 0 : scheme + 3);
  return (slash < 0 ? url : url.substring(0, slash)).toLowerCase();
}

function normalizeOrigin(o: string): string {
  const t = o.trim().toLowerCase();
  return t.endsWith("/") ? t.substring(0, t.length - 1) : t;
}

function isHttpUrl(s: string): bool {
  return s.startsWith("https://") || s.startsWith("http://");
}

export class McpAuthParser extends ConfigParser<McpAuthConfig> {
  parse(r: ConfigReader): McpAuthConfig | null {
    const c = new McpAuthConfig();
    c.resource = r.requiredString("resource");
    if (c.resource.length > 0 && !isHttpUrl(c.resource)) r.fail("resource", "must be an http(s) URL (the MCP server's resource URI)");
    const base = r.stringOrNull("publicBaseUrl");
    if (base !== null) {
      if (!isHttpUrl(base)) r.fail("publicBaseUrl", "must be an http(s) URL");
      c.publicBaseUrl = base.endsWith("/") ? base.substring(0, base.length - 1) : base;
    }
    c.authorizationServers = r.stringArray("authorizationServers");
    c.scopesSupported = r.stringArray("scopesSupported");
    c.resourceName = r.stringOrNull("resourceName");
    c.requiredScopes = r.stringArray("requiredScopes");

    const jwt = r.object("jwt");
    if (jwt !== null) c.jwt = readJwt(jwt, c.resource);
    const keys = r.object("apiKeys");
    if (keys !== null) readApiKeys(keys, c);
    if (c.jwt === null && c.consumers.length == 0) r.failHere("needs `jwt` or `apiKeys` (at least one way to authenticate)");

    const fwd = r.object("forward");
    if (fwd !== null) {
      c.subjectHeader = fwd.optionalString("subjectHeader", c.subjectHeader).toLowerCase();
      c.forwardToken = fwd.optionalBool("token", false);
      const claims = fwd.object("claimHeaders");
      if (claims !== null) {
        readStringMap(claims, "a header name", c.claimNames, c.claimHeaders);
        for (let i = 0; i < c.claimHeaders.length; i++) c.claimHeaders[i] = c.claimHeaders[i].toLowerCase();
      }
      fwd.rejectUnknown();
    }

    const policies = r.objectArray("policies");
    for (let i = 0; i < policies.length; i++) c.policies.push(readPolicy(policies[i]));
    c.defaultAllow = r.optionalEnum("defaultAction", ["allow", "deny"], "deny") == "allow";
    const scopes = r.objectArray("toolScopes");
    for (let i = 0; i < scopes.length; i++) {
      const ts = new ToolScope();
      ts.tools = scopes[i].stringArray("tools", true, 1);
      ts.scopes = scopes[i].stringArray("scopes", true, 1);
      scopes[i].rejectUnknown();
      c.toolScopes.push(ts);
    }
    const limits = r.objectArray("rateLimits");
    for (let i = 0; i < limits.length; i++) {
      const l = new ToolLimit();
      l.tools = limits[i].stringArray("tools", true, 1);
      l.subjects = limits[i].stringArray("subjects");
      l.calls = limits[i].requiredInt("calls", 1, 1_000_000_000);
      l.windowSeconds = limits[i].optionalInt("windowSeconds", 60, 1, 86400);
      limits[i].rejectUnknown();
      c.rateLimits.push(l);
    }
    // filterToolsList is the option's first name, kept for configurations that use it.
    const filterTools = r.optionalBool("filterToolsList", true);
    c.filterLists = r.optionalBool("filterLists", filterTools);
    if (r.has("allowedOrigins")) {
      const origins = r.stringArray("allowedOrigins");
      for (let i = 0; i < origins.length; i++) {
        const o = normalizeOrigin(origins[i]);
        if (o.length == 0) r.fail("allowedOrigins", "entries must be origins like https://app.example.com, globs, or *");
        else c.allowedOrigins.push(o);
      }
    } else {
      c.allowedOrigins.push(originOf(c.resource));
      const pub = c.publicBaseUrl;
      if (pub !== null && originOf(pub) != c.allowedOrigins[0]) c.allowedOrigins.push(originOf(pub));
    }
    c.authenticateOnly = r.optionalBool("authenticateOnly", false);
    c.bindSessions = r.optionalBool("bindSessions", true);
    c.maxBodyBytes = <u32>r.optionalInt("maxBodyBytes", 1 << 20, 1024, 64 << 20);
    c.maxResponseBytes = <u32>r.optionalInt("maxResponseBytes", 4 << 20, 1024, 64 << 20);
    r.rejectUnknown();
    return c;
  }
}

function readJwt(r: ConfigReader, resource: string): JwtConfig {
  const j = new JwtConfig();
  const checks = j.checks;
  checks.issuer = r.stringOrNull("issuer");
  checks.audiences = r.stringArray("audiences");
  if (!r.has("audiences") && resource.length > 0) checks.audiences.push(resource);
  checks.algorithms = r.has("algorithms") ? r.stringArray("algorithms", false, 1) : ["RS256", "ES256"];
  for (let i = 0; i < checks.algorithms.length; i++) {
    if (!ALGORITHMS.includes(checks.algorithms[i])) r.fail("algorithms", "supported: RS256, ES256, HS256 (got \"" + checks.algorithms[i] + "\")");
  }
  checks.skewSeconds = r.optionalInt("clockSkewSeconds", 60, 0, 3600);
  checks.requireExp = r.optionalBool("requireExp", true);
  j.cache = new TokenCache(<i32>r.optionalInt("cacheSize", 256, 0, 100_000));
  j.unavailableWithoutKeys = r.optionalEnum("whenNoKeys", ["unauthorized", "unavailable"], "unauthorized") == "unavailable";

  const jwks = r.member("jwks");
  if (jwks !== null) {
    if (jwks.kind != JsonKind.Object) r.fail("jwks", "must be a JWKS object ({\"keys\": [...]})");
    else {
      const res = readJwks(jwks);
      const set = res.set;
      if (set === null) r.fail("jwks", res.error);
      else {
        for (let i = 0; i < set.skipped.length; i++) r.fail("jwks", set.skipped[i]);
        if (set.keys.length == 0) r.fail("jwks", "has no usable key");
        j.staticKeys = set;
      }
    }
  }
  const remote = r.object("jwksFetch");
  if (remote !== null) {
    const cluster = remote.requiredString("cluster");
    const path = remote.requiredString("path");
    if (path.length > 0 && !path.startsWith("/")) remote.fail("path", "must start with /");
    const authority = remote.optionalString("authority", cluster);
    const refresh = remote.optionalInt("refreshSeconds", 300, 1, 86400);
    const minRefresh = remote.optionalInt("minRefreshSeconds", 10, 0, 3600);
    const timeout = remote.optionalInt("timeoutMs", 5000, 100, 60000);
    remote.rejectUnknown();
    j.remote = new RemoteKeys(cluster, path, authority, <u32>refresh, <u32>minRefresh, <u32>timeout);
  }
  if (jwks === null && remote === null) r.failHere("needs `jwks` (static keys) or `jwksFetch` (keys from the issuer)");
  r.rejectUnknown();
  return j;
}

/** Members of an object whose values must be non-empty strings, as parallel name/value lists. */
function readStringMap(r: ConfigReader, what: string, names: Array<string>, values: Array<string>): void {
  let m = r.value.first();
  while (m !== null) {
    const name = m.key()!;
    r.markSeen(name);
    const v = m.text();
    if (v === null || v.length == 0) r.fail(name, "must be " + what);
    else {
      names.push(name);
      values.push(v);
    }
    m = m.next();
  }
}

function readApiKeys(r: ConfigReader, c: McpAuthConfig): void {
  const header = r.stringOrNull("header");
  const query = r.stringOrNull("query");
  c.apiKeyHeader = header === null ? null : header.toLowerCase();
  c.apiKeyQuery = query;
  if (header === null && query === null) c.apiKeyHeader = "x-api-key";
  const consumers = r.objectArray("consumers", true, 1);
  for (let i = 0; i < consumers.length; i++) {
    const name = consumers[i].requiredString("name");
    const key = consumers[i].requiredString("key");
    if (key.length > 0 && key.length < 16) consumers[i].fail("key", "must be at least 16 characters");
    const scopes = consumers[i].stringArray("scopes");
    consumers[i].rejectUnknown();
    c.consumers.push(new Consumer(name, key, scopes));
  }
  r.rejectUnknown();
}

function readAccess(r: ConfigReader | null): Access {
  const a = new Access();
  if (r === null) return a;
  a.methods = r.stringArray("methods");
  a.tools = r.stringArray("tools");
  // Compared with request URIs in the same form (resource-uri.ts).
  const resources = r.stringArray("resources");
  for (let i = 0; i < resources.length; i++) {
    const c = canonicalUri(resources[i]);
    if (c !== null) resources[i] = c;
  }
  a.resources = resources;
  a.prompts = r.stringArray("prompts");
  r.rejectUnknown();
  return a;
}

function readPolicy(r: ConfigReader): Policy {
  const p = new Policy();
  const m = r.object("match");
  if (m !== null) {
    p.match.subjects = m.stringArray("subjects");
    p.match.scopes = m.stringArray("scopes");
    const claims = m.object("claims");
    if (claims !== null) readStringMap(claims, "a string", p.match.claimNames, p.match.claimValues);
    m.rejectUnknown();
  }
  p.allow = readAccess(r.object("allow"));
  p.deny = readAccess(r.object("deny"));
  r.rejectUnknown();
  return p;
}
