// One HTTP request through mcp-auth: authenticate (possibly waiting for a
// JWKS refresh), check the session, forward the identity, authorize the
// JSON-RPC body, and filter listings on the way back (responses.ts).
import { DataAction, HeadersAction, StreamContext, TrailersAction } from "../common/runtime/context";
import { HeaderBlock } from "../common/runtime/header-block";
import { BufferType, continueStream, getHeader, MapType, nowMillis, removeHeader, removeHeaderBytes, replaceHeader, replaceHeaderBytes, Status, StreamType } from "../common/runtime/host";
import { BodyBuffer, BodyOverflow, BodyState, dropContentLength } from "../common/body";
import { Logger } from "../common/log";
import { AuditRecord } from "./audit";
import { AuthResult, AuthStatus } from "./auth-result";
import { authenticateApiKey, authenticateJwt, bearerToken, missingScopes, queryParam, withoutQueryParam } from "./authn";
import { Caller } from "./caller";
import { McpAuthConfig } from "./config";
import { judgeBody, VerdictKind } from "./messages";
import { jsonRpcErrorBody, RPC_INTERNAL_ERROR } from "../common/reply";
import { isMetadataPath, metadataDocument, metadataUrl, publicBase } from "./metadata";
import { KeyWaiter } from "./remote-keys";
import { KeySet } from "./jwks";
import { sendForbidden, sendInsufficientScope, sendJson, sendKeysUnavailable, sendUnauthorized } from "./replies";
import { claimSession, legacySessionIds, sessionOwner } from "./sessions";
import { originAllowed } from "./origin";
import { ListingResponse } from "./responses";
import { McpAuthRoot } from "./root";

const log = new Logger("mcp-auth");
const AUTHORIZATION = String.UTF8.encode("authorization");

enum Phase {
  /** Not configured for this request, or already decided: pass everything. */
  Passing = 0,
  /** Waiting for a JWKS refresh before the token can be checked. */
  AwaitingKeys = 1,
  /** Authenticated; waiting for the body to authorize it. */
  AwaitingBody = 2,
  /** Answered with a local reply. */
  Replied = 3,
}

class Waiter extends KeyWaiter {
  constructor(public stream: McpAuthStream) {
    super();
  }
  waiterId(): u32 {
    return this.stream.id;
  }
  onKeysSettled(): void {
    this.stream.onKeysSettled();
  }
}

/** No content-encoding, or only `identity`. */
function identityEncoded(encoding: string | null): bool {
  if (encoding === null) return true;
  const e = encoding.trim().toLowerCase();
  return e.length == 0 || e == "identity";
}

export class McpAuthStream extends StreamContext {
  private cfg: McpAuthConfig | null = null;
  private phase: Phase = Phase.Passing;
  private caller: Caller | null = null;
  private audit: AuditRecord = new AuditRecord();
  /** The request's scheme and authority: the challenge URL is built from them only when a challenge is sent. */
  private scheme: string = "http";
  private authority: string = "";
  private token: string | null = null;
  /** The request path without the API key query parameter, when the key came that way. */
  private pathWithoutKey: string | null = null;
  private sessionId: string | null = null;
  /** Session ids in the query (legacy HTTP+SSE transport). */
  private legacySessions: Array<string> | null = null;
  private hasBody: bool = false;
  private body: BodyBuffer | null = null;
  private waiter: Waiter | null = null;
  /** The response of initialize names a new session: bind it to the caller. */
  private bindNewSession: bool = false;
  /** Sessions presented but not bound yet: bound to the caller when the server accepts the request. */
  private unboundSessions: Array<string> | null = null;
  /** The response may carry list results (list requests, or a GET stream). */
  private filterResponse: bool = false;
  private listing: ListingResponse | null = null;

  private get config(): McpAuthConfig {
    return this.cfg!;
  }

  /** Where the challenge points: the metadata URL under publicBaseUrl, else under the request's scheme and authority. */
  private metadataUrl(): string {
    const cfg = this.config;
    const base = cfg.publicBaseUrl;
    if (base !== null) return metadataUrl(cfg, base);
    return metadataUrl(cfg, publicBase(cfg, this.scheme, this.authority));
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): HeadersAction {
    const root = this.root as McpAuthRoot;
    // One host call for every request header this filter reads.
    const headers = HeaderBlock.read(MapType.RequestHeaders);
    const path = headers.get(":path");
    const authority = headers.get(":authority");
    const cfg = root.select(path === null ? "" : path, authority === null ? "" : authority);
    if (cfg === null) return HeadersAction.Continue;
    this.cfg = cfg;
    const method = headers.get(":method");
    const fullPath = path === null ? "/" : path;
    const q = fullPath.indexOf("?");
    const bare = q < 0 ? fullPath : fullPath.substring(0, q);
    if (authority !== null) this.authority = authority;
    if (cfg.publicBaseUrl === null) {
      // Headers are readable only now: keep what a challenge's URL needs.
      const scheme = headers.get("x-forwarded-proto");
      if (scheme !== null) this.scheme = scheme;
    }

    if (isMetadataPath(bare) && (method == "GET" || method == "HEAD")) {
      this.phase = Phase.Replied;
      sendJson(200, "mcp_auth_metadata", metadataDocument(cfg));
      return HeadersAction.StopIteration;
    }
    const origin = headers.get("origin");
    if (origin !== null && !originAllowed(cfg, origin)) {
      this.refuse("origin not allowed");
      sendForbidden("origin not allowed: " + origin);
      return HeadersAction.StopIteration;
    }
    if (method == "OPTIONS") {
      // A CORS preflight carries no credentials, but its URL is the request's, query key included.
      this.stripCredentials(fullPath, false);
      return HeadersAction.Continue;
    }

    this.sessionId = headers.get("mcp-session-id");
    if (q >= 0 && cfg.bindSessions) this.legacySessions = legacySessionIds(fullPath);
    this.hasBody = !endOfStream;
    if (this.hasBody) {
      this.body = new BodyBuffer(BufferType.RequestBody, cfg.maxBodyBytes, BodyOverflow.Reject);
      // List requests' ids are tagged (list-ids.ts): the body may change size.
      if (cfg.filterLists && !cfg.authenticateOnly) dropContentLength(BufferType.RequestBody);
    }
    // A GET stream may carry list results, and the legacy transport's endpoint event names its session.
    // Only a POST's answer is known from its body; the response of any other method (a GET with a body
    // too) is read whatever the body says.
    this.filterResponse = method != "POST" && (cfg.filterLists || cfg.bindSessions) && !cfg.authenticateOnly;
    // A compressed answer could not be filtered: ask the server for plain bytes.
    if (cfg.filterLists && !cfg.authenticateOnly && headers.get("accept-encoding") !== null) removeHeader(MapType.RequestHeaders, "accept-encoding");

    const result = this.authenticate(fullPath, headers);
    if (result.status == AuthStatus.UnknownKey && this.waitForKeys()) return HeadersAction.StopIteration;
    if (!this.admit(result)) return HeadersAction.StopIteration;
    // Envoy holds a request's body from a filter whose headers callback stopped
    // (StopIteration becomes StopAllIterationAndWatermark), so the headers go on
    // and the body is buffered here; a refused body resets the upstream request.
    if (!this.hasBody || cfg.authenticateOnly) this.finishWithoutBody();
    else this.phase = Phase.AwaitingBody;
    return HeadersAction.Continue;
  }

  /** Reads the credentials (the token is kept for a retry after a JWKS refresh). */
  private authenticate(path: string, headers: HeaderBlock): AuthResult {
    const cfg = this.config;
    let queryKey: string | null = null;
    const query = cfg.apiKeyQuery;
    if (query !== null) {
      queryKey = queryParam(path, query);
      if (queryKey !== null) this.pathWithoutKey = withoutQueryParam(path, query);
    }
    const token = bearerToken(headers.get("authorization"));
    this.token = token;
    if (token !== null) {
      if (token.length == 0) {
        const r = new AuthResult();
        r.status = AuthStatus.Invalid;
        r.error = "invalid_request";
        r.reason = "authorization scheme must be Bearer";
        return r;
      }
      return this.checkToken();
    }
    let key: string | null = null;
    const header = cfg.apiKeyHeader;
    if (header !== null && cfg.consumers.length > 0) key = headers.get(header);
    if (key === null && cfg.consumers.length > 0) key = queryKey;
    if (key !== null) return authenticateApiKey(cfg, key);
    const r = new AuthResult();
    r.status = AuthStatus.Missing;
    r.reason = "no credentials";
    return r;
  }

  private checkToken(): AuthResult {
    const cfg = this.config;
    const jwt = cfg.jwt;
    let keys: KeySet | null = null;
    if (jwt !== null) {
      keys = jwt.staticKeys;
      const remote = jwt.remote;
      if (keys === null && remote !== null) keys = remote.keys;
    }
    return authenticateJwt(cfg, this.token!, keys, <i64>(nowMillis() / 1000), (this.root as McpAuthRoot).metrics!.signatureChecks);
  }

  private waitForKeys(): bool {
    const jwt = this.config.jwt;
    if (jwt === null) return false;
    const remote = jwt.remote;
    if (remote === null) return false;
    const w = new Waiter(this);
    if (!remote.refreshFor(w, nowMillis())) return false;
    this.waiter = w;
    this.phase = Phase.AwaitingKeys;
    return true;
  }

  /** The JWKS refresh this stream waited for has settled (effective context is this stream). */
  onKeysSettled(): void {
    this.waiter = null;
    if (this.phase != Phase.AwaitingKeys) return;
    if (!this.admit(this.checkToken())) return;
    if (!this.hasBody || this.config.authenticateOnly) this.finishWithoutBody();
    else this.phase = Phase.AwaitingBody;
    // The body (if any) reaches onRequestBody after this.
    continueStream(StreamType.Request);
  }

  /** Applies an authentication result: replies and returns false, or records the caller and forwards identity headers. */
  private admit(result: AuthResult): bool {
    const cfg = this.config;
    const metrics = (this.root as McpAuthRoot).metrics!;
    if (result.status != AuthStatus.Ok) {
      this.audit.decision = "unauthenticated";
      this.audit.reason = result.reason;
      metrics.unauthenticated.inc();
      this.phase = Phase.Replied;
      if (result.status == AuthStatus.UnknownKey) {
        const jwt = cfg.jwt!;
        const remote = jwt.remote;
        const noKeys = jwt.staticKeys === null && (remote === null || remote.keys === null);
        if (noKeys) {
          log.warn("no token signing keys known yet" + (remote === null ? "" : " (" + remote.lastError + ")"));
          if (jwt.unavailableWithoutKeys) {
            sendKeysUnavailable(this.metadataUrl());
            return false;
          }
        }
      }
      log.debug("unauthenticated: " + result.reason);
      sendUnauthorized(this.metadataUrl(), result.error, result.status == AuthStatus.Missing ? "" : result.reason);
      return false;
    }
    const caller = result.caller!;
    this.caller = caller;
    this.audit.subject = caller.subject;
    this.audit.via = caller.via;
    if (cfg.requiredScopes.length > 0) {
      const missing = missingScopes(cfg.requiredScopes, caller);
      if (missing.length > 0) {
        this.refuse("insufficient scope");
        sendInsufficientScope(this.metadataUrl(), missing.join(" "), "the token lacks a required scope");
        return false;
      }
    }
    if (cfg.bindSessions) {
      const session = this.sessionId;
      if (session !== null && !this.checkSession(session, caller)) return false;
      const legacy = this.legacySessions;
      if (legacy !== null) for (let i = 0; i < legacy.length; i++) if (!this.checkSession(legacy[i], caller)) return false;
    }
    this.forwardIdentity(caller);
    return true;
  }

  /** Refuses a session bound to another subject; remembers an unbound one to bind if the server accepts it. */
  private checkSession(session: string, caller: Caller): bool {
    const owner = sessionOwner(session);
    if (owner === null) {
      // A session we have not seen (e.g. created before a restart) is bound on first use.
      let unbound = this.unboundSessions;
      if (unbound === null) this.unboundSessions = unbound = new Array<string>();
      unbound.push(session);
      return true;
    }
    if (owner == caller.subject) return true;
    this.refuse("session belongs to another subject");
    log.warn("session " + session + " of " + owner + " presented by " + caller.subject);
    sendForbidden("this session belongs to another caller");
    return false;
  }

  private refuse(reason: string): void {
    this.audit.decision = "deny";
    this.audit.reason = reason;
    (this.root as McpAuthRoot).metrics!.denied.inc();
    this.phase = Phase.Replied;
  }

  private forwardIdentity(caller: Caller): void {
    const cfg = this.config;
    replaceHeaderBytes(MapType.RequestHeaders, cfg.subjectHeaderBytes, caller.subjectBytes);
    for (let i = 0; i < cfg.claimNames.length; i++) {
      const v = caller.claimText(cfg.claimNames[i]);
      if (v === null) removeHeader(MapType.RequestHeaders, cfg.claimHeaders[i]);
      else replaceHeader(MapType.RequestHeaders, cfg.claimHeaders[i], v);
    }
    if (!cfg.forwardToken && this.token !== null) removeHeaderBytes(MapType.RequestHeaders, AUTHORIZATION);
    this.stripCredentials(null, true);
  }

  /** Removes the API key header and query parameter (whichever credential was used; `path` when not yet known). */
  private stripCredentials(path: string | null, known: bool): void {
    const cfg = this.config;
    const keyHeader = cfg.apiKeyHeader;
    if (keyHeader !== null) removeHeader(MapType.RequestHeaders, keyHeader);
    const query = cfg.apiKeyQuery;
    if (!known && path !== null && query !== null && queryParam(path, query) !== null) this.pathWithoutKey = withoutQueryParam(path, query);
    const stripped = this.pathWithoutKey;
    if (stripped !== null) replaceHeader(MapType.RequestHeaders, ":path", stripped);
  }

  /** GET (SSE stream, filtered on the way back), DELETE (end session), or authentication only: nothing more to authorize. */
  private finishWithoutBody(): void {
    this.audit.decision = "allow";
    (this.root as McpAuthRoot).metrics!.allowed.inc();
    this.phase = Phase.Passing;
  }

  onRequestBody(size: u32, endOfStream: bool): DataAction {
    const body = this.body;
    if (body === null || this.phase == Phase.Passing) return DataAction.Continue;
    if (this.phase == Phase.Replied) return DataAction.StopIterationNoBuffer;
    const state = body.onBody(size, endOfStream);
    if (state == BodyState.Buffering) return DataAction.StopIterationAndBuffer;
    if (this.phase == Phase.AwaitingKeys) return state == BodyState.TooLarge ? DataAction.StopIterationNoBuffer : DataAction.StopIterationAndBuffer;
    return this.judge() ? DataAction.Continue : DataAction.StopIterationNoBuffer;
  }

  onRequestTrailers(numTrailers: u32): TrailersAction {
    const body = this.body;
    if (body === null || this.phase != Phase.AwaitingBody) return this.phase == Phase.Replied ? TrailersAction.StopIteration : TrailersAction.Continue;
    body.onTrailers();
    return this.judge() ? TrailersAction.Continue : TrailersAction.StopIteration;
  }

  /** Authorizes the complete body; true when the request may go on. */
  private judge(): bool {
    const body = this.body!;
    const metrics = (this.root as McpAuthRoot).metrics!;
    if (body.state == BodyState.TooLarge) {
      this.audit.decision = "invalid";
      this.audit.reason = body.rejectMessage();
      this.phase = Phase.Replied;
      body.sendReject();
      return false;
    }
    const bytes = body.read();
    const verdict = judgeBody(this.config, this.caller!, bytes === null ? new ArrayBuffer(0) : bytes, nowMillis());
    this.audit.calls = verdict.calls;
    if (verdict.kind == VerdictKind.Allow) {
      const rewritten = verdict.rewritten;
      if (rewritten !== null && body.replace(rewritten) != Status.Ok) {
        // An untagged list request could be answered where its result is not recognised: refuse it.
        this.audit.decision = "invalid";
        this.audit.reason = "list request could not be tagged";
        metrics.denied.inc();
        this.phase = Phase.Replied;
        sendJson(500, "mcp_auth_rewrite_failed", jsonRpcErrorBody(null, RPC_INTERNAL_ERROR, "mcp-auth could not forward this list request"));
        return false;
      }
      this.audit.decision = "allow";
      metrics.allowed.inc();
      if (verdict.lists) this.filterResponse = true;
      if (this.sessionId === null) this.bindNewSession = verdict.initialize && this.config.bindSessions;
      this.phase = Phase.Passing;
      return true;
    }
    this.audit.decision = verdict.decision;
    this.audit.reason = verdict.reason;
    if (verdict.decision == "rate_limited") metrics.rateLimited.inc();
    else metrics.denied.inc();
    this.phase = Phase.Replied;
    if (verdict.kind == VerdictKind.InsufficientScope) sendInsufficientScope(this.metadataUrl(), verdict.scope, verdict.reason);
    else sendJson(verdict.status, "mcp_auth_" + verdict.decision, verdict.body);
    return false;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): HeadersAction {
    // Our own local replies pass through here too: leave them alone.
    if (this.phase == Phase.Replied || this.cfg === null) return HeadersAction.Continue;
    const caller = this.caller;
    if (caller === null) return HeadersAction.Continue;
    if ((this.bindNewSession || this.unboundSessions !== null) && !this.bindSessions(caller)) {
      this.refuse("session bound to another subject meanwhile");
      sendForbidden("this session belongs to another caller");
      return HeadersAction.StopIteration;
    }
    if (!this.filterResponse || endOfStream) return HeadersAction.Continue;
    const type = getHeader(MapType.ResponseHeaders, "content-type");
    const cfg = this.config;
    if (cfg.filterLists && !identityEncoded(getHeader(MapType.ResponseHeaders, "content-encoding"))) {
      // The filter cannot read a compressed listing, so it cannot let one pass.
      this.audit.reason = "response with a content-encoding cannot be filtered";
      this.phase = Phase.Replied;
      sendJson(502, "mcp_auth_encoded_response", jsonRpcErrorBody(null, RPC_INTERNAL_ERROR, "mcp-auth cannot filter a response with a content-encoding"));
      return HeadersAction.StopIteration;
    }
    const listing = new ListingResponse(cfg, caller, cfg.filterLists, cfg.bindSessions);
    listing.onHeaders(type === null ? "" : type);
    this.listing = listing;
    return HeadersAction.Continue;
  }

  /** Binds the session initialize created, or the unbound ones the server accepted; false when another subject won one. */
  private bindSessions(caller: Caller): bool {
    if (this.bindNewSession) {
      const created = getHeader(MapType.ResponseHeaders, "mcp-session-id");
      if (created !== null && !claimSession(created, caller.subject)) return false;
    }
    const unbound = this.unboundSessions;
    if (unbound === null) return true;
    const status = getHeader(MapType.ResponseHeaders, ":status");
    if (status === null || !status.startsWith("2")) return true;
    for (let i = 0; i < unbound.length; i++) if (!claimSession(unbound[i], caller.subject)) return false;
    return true;
  }

  onResponseBody(size: u32, endOfStream: bool): DataAction {
    if (this.phase == Phase.Replied) return DataAction.Continue;
    const listing = this.listing;
    return listing === null ? DataAction.Continue : listing.onBody(size, endOfStream);
  }

  onLog(): void {
    this.audit.write();
  }

  onDelete(): void {
    const w = this.waiter;
    if (w === null || this.cfg === null) return;
    const jwt = this.config.jwt;
    if (jwt !== null && jwt.remote !== null) jwt.remote!.forget(w);
    this.waiter = null;
  }
}
