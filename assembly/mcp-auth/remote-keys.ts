// A JWKS fetched from the issuer through an Envoy cluster: cached in the root
// context, refreshed on the tick, and on demand when a token names a key we
// do not know (at most once per minRefreshSeconds). Streams that wait for a
// refresh register as KeyWaiter and are resumed when it settles.
import { BufferType, getBuffer, getHeader, HeaderPair, LogLevel, MapType, setEffectiveContext } from "../common/runtime/host";
import { HttpCallHandler, RootContext } from "../common/runtime/context";
import { Logger } from "../common/log";
import { KeySet, parseJwksBytes } from "./jwks";
import { decimal } from "../common/text/decimal";

const log = new Logger("mcp-auth");

export abstract class KeyWaiter {
  /** Stream context id, so replies go to the right stream. */
  abstract waiterId(): u32;
  abstract onKeysSettled(): void;
}

export class RemoteKeys extends HttpCallHandler {
  keys: KeySet | null = null;
  /** Host time of the last fetch started (ms); 0 before any. */
  lastFetchMs: u64 = 0;
  lastSuccessMs: u64 = 0;
  inFlight: bool = false;
  lastError: string = "";
  private waiters: Array<KeyWaiter> = new Array<KeyWaiter>();
  root: RootContext | null = null;

  constructor(
    public cluster: string,
    public path: string,
    public authority: string,
    public refreshSeconds: u32,
    public minRefreshSeconds: u32,
    public timeoutMs: u32,
  ) {
    super();
  }

  /** Periodic refresh: first fetch as soon as possible, then every refreshSeconds (retry failures after minRefreshSeconds). */
  tick(nowMs: u64): void {
    if (this.inFlight) return;
    const due = this.keys === null
      ? this.lastFetchMs == 0 || nowMs - this.lastFetchMs >= <u64>max<u32>(this.minRefreshSeconds, 1) * 1000
      : nowMs - this.lastSuccessMs >= <u64>this.refreshSeconds * 1000;
    if (due) this.start(nowMs);
  }

  /**
   * A token needs a key we lack: refresh unless one ran less than
   * minRefreshSeconds ago. True when `waiter` will be called back.
   */
  refreshFor(waiter: KeyWaiter, nowMs: u64): bool {
    if (!this.inFlight) {
      if (this.lastFetchMs != 0 && nowMs - this.lastFetchMs < <u64>this.minRefreshSeconds * 1000) return false;
      if (!this.start(nowMs)) return false;
    }
    this.waiters.push(waiter);
    return true;
  }

  forget(waiter: KeyWaiter): void {
    const i = this.waiters.indexOf(waiter);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  private start(nowMs: u64): bool {
    const root = this.root;
    if (root === null) return false;
    this.lastFetchMs = nowMs;
    const headers = new Array<HeaderPair>();
    headers.push(new HeaderPair(":method", "GET"));
    headers.push(new HeaderPair(":path", this.path));
    headers.push(new HeaderPair(":authority", this.authority));
    headers.push(new HeaderPair("accept", "application/json"));
    const token = root.httpCall(this.cluster, headers, new ArrayBuffer(0), this.timeoutMs, this);
    if (token == 0) {
      this.lastError = "http_call to cluster " + this.cluster + " refused";
      log.error("JWKS fetch: " + this.lastError);
      return false;
    }
    this.inFlight = true;
    return true;
  }

  onResponse(numHeaders: u32, bodySize: u32, numTrailers: u32): void {
    this.inFlight = false;
    this.settle(numHeaders, bodySize);
    const waiters = this.waiters;
    this.waiters = new Array<KeyWaiter>();
    for (let i = 0; i < waiters.length; i++) {
      setEffectiveContext(waiters[i].waiterId());
      waiters[i].onKeysSettled();
    }
  }

  private settle(numHeaders: u32, bodySize: u32): void {
    if (numHeaders == 0) {
      this.fetchFailed("connection reset");
      return;
    }
    const status = getHeader(MapType.HttpCallResponseHeaders, ":status");
    if (status === null || status != "200") {
      this.fetchFailed("status " + (status === null ? "none" : status));
      return;
    }
    const body: ArrayBuffer | null = bodySize == 0 ? null : getBuffer(BufferType.HttpCallResponseBody, 0, bodySize);
    if (body === null) {
      this.fetchFailed("empty body");
      return;
    }
    const res = parseJwksBytes(body);
    const set = res.set;
    if (set === null) {
      this.fetchFailed(res.error);
      return;
    }
    if (set.keys.length == 0) {
      this.fetchFailed("no usable key" + (set.skipped.length > 0 ? " (" + set.skipped.join("; ") + ")" : ""));
      return;
    }
    for (let i = 0; i < set.skipped.length; i++) log.warn("JWKS from " + this.cluster + ": skipped " + set.skipped[i]);
    this.keys = set;
    this.lastSuccessMs = this.lastFetchMs;
    this.lastError = "";
    log.info("JWKS from " + this.cluster + this.path + ": " + decimal(set.keys.length) + " key(s)");
  }

  /** A failed refresh keeps the keys we had. */
  private fetchFailed(why: string): void {
    this.lastError = why;
    log.log(this.keys === null ? LogLevel.Error : LogLevel.Warn, "JWKS fetch from cluster " + this.cluster + this.path + " failed: " + why);
  }
}
