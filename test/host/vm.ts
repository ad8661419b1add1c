// One proxy-wasm VM: a module instance driven like Envoy drives a worker's
// VM (proxy-wasm-cpp-host's WasmBase/ContextBase). It owns the contexts, the
// metric ids and the logs; the state shared between VMs lives in the Host.
import { readFileSync } from "node:fs";
import { type LogLevel, LogLevel as Level, WasmResult } from "./abi.ts";
import type { CalloutOutcome, CalloutRequest } from "./clusters.ts";
import {
  type ContextState,
  RootContextState,
  type StreamContextState,
  StreamContextState as StreamState,
  type StreamInfo,
} from "./context.ts";
import { exchange, type ExchangeOptions, type ExchangeRequest, type ExchangeResult } from "./exchange.ts";
import type { Host } from "./host.ts";
import { buildImports } from "./imports/index.ts";
import { GuestMemory, utf8 } from "./memory.ts";
import { encodeProperty, type PropertyValue, propertyKey } from "./properties.ts";
import { MetricRegistry } from "./stats.ts";

export interface PluginOptions {
  /** plugin_name (Envoy: config.name). */
  name?: string;
  /** plugin_root_id (Envoy: config.root_id). */
  rootId?: string;
  /** vm_id: keys shared data and shared queues. */
  vmId?: string;
  /** Plugin configuration (Envoy: config.configuration). */
  configuration?: string | Uint8Array;
  /** VM configuration (Envoy: vm_config.configuration). */
  vmConfiguration?: string | Uint8Array;
  /** What a stream meets once the VM is dead: 503 (fail-closed, Envoy's default) or no filter (fail-open). */
  failurePolicy?: "fail-closed" | "fail-open";
  /** Envoy's allow_on_headers_stop_iteration (default false: StopIteration acts as StopAllIterationAndWatermark). */
  allowOnHeadersStopIteration?: boolean;
  /** Properties every context of this VM sees, by dotted path (or NUL-joined). */
  properties?: Record<string, PropertyValue>;
  /** WASI environment variables (Envoy: vm_config.environment_variables). */
  environment?: Record<string, string>;
  /** Functions an instrumented build imports from "env" besides the ABI's (scripts/alloc-sites.ts); Envoy has none of them. */
  toolImports?: Record<string, (...args: number[]) => void>;
}

export interface LogEntry {
  level: LogLevel;
  message: string;
  contextId: number;
  source: "proxy_log" | "stdout" | "stderr" | "host";
}

/** Thrown by a host function to trap the VM (as V8 does for a restricted callback). */
export class WasmTrap extends Error {}

export function isTrap(e: unknown): boolean {
  return e instanceof WebAssembly.RuntimeError || e instanceof WasmTrap;
}

type Exports = Record<string, WebAssembly.ExportValue>;

const moduleCache = new Map<string, WebAssembly.Module>();

export function compileModule(wasm: string | Uint8Array | WebAssembly.Module): WebAssembly.Module {
  if (wasm instanceof WebAssembly.Module) return wasm;
  if (typeof wasm !== "string") return new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
  let m = moduleCache.get(wasm);
  if (!m) moduleCache.set(wasm, (m = new WebAssembly.Module(readFileSync(wasm))));
  return m;
}

export class ProxyVm {
  readonly plugin: Required<Omit<PluginOptions, "configuration" | "vmConfiguration" | "properties" | "environment" | "toolImports">> & {
    configuration: Uint8Array;
    vmConfiguration: Uint8Array;
    environment: Record<string, string>;
    toolImports: Record<string, (...args: number[]) => void>;
  };
  readonly mem: GuestMemory;
  readonly metrics: MetricRegistry;
  readonly contexts = new Map<number, ContextState>();
  /** Properties set by the test for every context, keyed by NUL-joined path. */
  readonly properties = new Map<string, Uint8Array>();
  readonly logs: LogEntry[] = [];
  /** Raw text written to WASI stdout / stderr, one entry per write. */
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  root: RootContextState | null = null;
  /** Why the VM died (Envoy's "Function: ... failed: ..."), or null while it is alive. */
  failure: string | null = null;
  exitCode: number | undefined;
  started = false;
  /** proxy_on_done answered false: the root waits for proxy_done. */
  shutdownPending = false;

  // ---- state of the VM call in progress (host functions read it) ----
  currentId = 0;
  effectiveId = 0;
  /** Host functions outside Envoy's start-up allow-list trap while _start runs. */
  restricted = false;
  /** send_local_response sets it: the callback's return value becomes a stop. */
  stopNextIteration = false;
  /** What the last VM call left in stopNextIteration (read by the filter layer). */
  lastCallStopped = false;
  /** The plugin configuration while proxy_on_configure runs. */
  configuring: Uint8Array | null = null;

  private readonly exports: Exports;
  private nextContextId = 1;
  private nextHttpCallId = 0;

  constructor(
    readonly host: Host,
    wasm: string | Uint8Array | WebAssembly.Module,
    plugin: PluginOptions = {},
  ) {
    const bytes = (v: string | Uint8Array | undefined) => (typeof v === "string" ? utf8(v) : (v ?? new Uint8Array(0)));
    this.plugin = {
      name: plugin.name ?? "plugin",
      rootId: plugin.rootId ?? "",
      vmId: plugin.vmId ?? "",
      configuration: bytes(plugin.configuration),
      vmConfiguration: bytes(plugin.vmConfiguration),
      failurePolicy: plugin.failurePolicy ?? "fail-closed",
      allowOnHeadersStopIteration: plugin.allowOnHeadersStopIteration ?? false,
      environment: plugin.environment ?? {},
      toolImports: plugin.toolImports ?? {},
    };
    for (const [k, v] of Object.entries(plugin.properties ?? {})) this.setProperty(k, v);
    this.metrics = new MetricRegistry(host.stats);
    const module = compileModule(wasm);
    const instance = new WebAssembly.Instance(module, buildImports(this, module));
    this.exports = instance.exports as Exports;
    const memory = this.exports.memory as WebAssembly.Memory | undefined;
    const malloc = this.exports.malloc as ((n: number) => number) | undefined;
    if (!memory || !malloc) throw new Error("module does not export memory and malloc");
    this.mem = new GuestMemory(() => memory, (n) => malloc(n));
  }

  get trapped(): boolean {
    return this.failure !== null;
  }

  /** Runs WASI start, creates the root context and calls proxy_on_vm_start. Returns its answer. */
  start(): boolean {
    if (this.started) throw new Error("VM already started");
    this.started = true;
    this.restricted = true;
    try {
      if (typeof this.exports._initialize === "function") {
        this.invoke(0, "_initialize");
        if (typeof this.exports.main === "function") this.invoke(0, "main", 0, 0);
        else if (typeof this.exports.__main_void === "function") this.invoke(0, "__main_void");
      } else if (typeof this.exports._start === "function") {
        this.invoke(0, "_start");
      }
    } finally {
      this.restricted = false;
    }
    if (this.trapped) return false;
    const root = new RootContextState(this.allocContextId());
    this.root = root;
    this.contexts.set(root.id, root);
    this.invoke(root.id, "proxy_on_context_create", root.id, 0);
    const ok = this.invoke(root.id, "proxy_on_vm_start", root.id, this.plugin.vmConfiguration.length);
    return !this.trapped && (ok === undefined || ok !== 0);
  }

  /** Calls proxy_on_configure with the plugin configuration (or `configuration`). Returns the filter's answer. */
  configure(configuration?: string | Uint8Array): boolean {
    const root = this.requireRoot();
    if (configuration !== undefined) this.plugin.configuration = typeof configuration === "string" ? utf8(configuration) : configuration;
    if (this.trapped) return false;
    this.configuring = this.plugin.configuration;
    try {
      const ok = this.invoke(root.id, "proxy_on_configure", root.id, this.plugin.configuration.length);
      return !this.trapped && (ok === undefined || ok !== 0);
    } finally {
      this.configuring = null;
    }
  }

  requireRoot(): RootContextState {
    if (!this.root) throw new Error("VM not started: call start() first");
    return this.root;
  }

  allocContextId(): number {
    while (this.contexts.has(this.nextContextId)) this.nextContextId++;
    return this.nextContextId++;
  }

  nextCallToken(): number {
    this.nextHttpCallId = (this.nextHttpCallId + 4) >>> 0;
    return this.nextHttpCallId;
  }

  /** Registers a stream context (proxy_on_context_create comes with its first callback). */
  newStream(info: StreamInfo): StreamContextState {
    const root = this.requireRoot();
    const s = new StreamState(this.allocContextId(), root.id, info);
    this.contexts.set(s.id, s);
    return s;
  }

  dropContext(id: number): void {
    this.contexts.delete(id);
  }

  /** The context host functions act on: the effective context when set, else the one being called. */
  activeContext(): ContextState | undefined {
    if (this.effectiveId !== 0) {
      const c = this.contexts.get(this.effectiveId);
      if (c) return c;
    }
    return this.contexts.get(this.currentId);
  }

  rootOf(c: ContextState | undefined): RootContextState | undefined {
    if (!c) return this.root ?? undefined;
    if (c.kind === "root") return c;
    const r = this.contexts.get(c.rootId);
    return r?.kind === "root" ? r : undefined;
  }

  /**
   * Calls an export with `contextId` as the current context. A trap marks the
   * VM dead (every later call is skipped, like Envoy's failed VM) and returns
   * undefined; a missing export also returns undefined.
   */
  invoke(contextId: number, name: string, ...args: (number | bigint)[]): number | undefined {
    if (this.failure !== null) return undefined;
    const fn = this.exports[name];
    if (typeof fn !== "function") return undefined;
    const saved = { current: this.currentId, effective: this.effectiveId, stop: this.stopNextIteration };
    this.currentId = contextId;
    this.effectiveId = 0;
    this.stopNextIteration = false;
    try {
      const r = (fn as (...a: unknown[]) => unknown)(...args);
      return typeof r === "number" ? r >>> 0 : typeof r === "bigint" ? Number(BigInt.asUintN(32, r)) : undefined;
    } catch (e) {
      if (!isTrap(e)) throw e;
      this.fail(`Function: ${name} failed: Uncaught ${(e as Error).name}: ${(e as Error).message}`);
      return undefined;
    } finally {
      this.lastCallStopped = this.stopNextIteration;
      this.currentId = saved.current;
      this.effectiveId = saved.effective;
      this.stopNextIteration = saved.stop;
    }
  }

  fail(message: string): void {
    if (this.failure !== null) return;
    this.failure = message;
    this.log(Level.Error, message, "host");
    const root = this.root;
    if (root) this.host.scheduler.cancel(root.tick);
  }

  log(level: LogLevel, message: string, source: LogEntry["source"]): void {
    this.logs.push({ level, message, contextId: this.currentId, source });
  }

  /** Log entries Envoy would print at the host's log level. */
  visibleLogs(): LogEntry[] {
    return this.logs.filter((l) => l.level >= this.host.logLevel);
  }

  /** Sets a property for every context of this VM. `path` is dotted ("a.b") or an array of segments. */
  setProperty(path: string | string[], value: PropertyValue): void {
    this.properties.set(propertyKey(path), encodeProperty(value));
  }

  // ---- work the host delivers later (ticks, queues, HTTP call responses) ----

  setTickPeriod(root: RootContextState, periodMs: number): void {
    root.tickPeriodMs = periodMs;
    this.host.scheduler.cancel(root.tick);
    root.tick = undefined;
    if (periodMs > 0) this.scheduleTick(root);
  }

  private scheduleTick(root: RootContextState): void {
    const event = this.host.scheduler.schedule(root.tickPeriodMs, `tick ${this.plugin.name}#${root.id}`, () => {
      if (root.tick !== event || this.trapped || !this.contexts.has(root.id)) return;
      this.invoke(root.id, "proxy_on_tick", root.id);
      if (root.tick === event && root.tickPeriodMs > 0 && !this.trapped) this.scheduleTick(root);
    });
    root.tick = event;
  }

  deliverQueueReady(contextId: number, token: number): void {
    if (this.trapped || !this.contexts.has(contextId)) return;
    this.invoke(contextId, "proxy_on_queue_ready", contextId, token);
  }

  /** Delivers an HTTP call's outcome to the root context that owns the call (as Envoy does). */
  deliverCallOutcome(rootId: number, call: CalloutRequest, outcome: CalloutOutcome): void {
    const root = this.contexts.get(rootId);
    if (this.trapped || root?.kind !== "root" || outcome.kind === "none") return;
    if (outcome.kind === "failure") {
      root.statusCode = WasmResult.BrokenConnection;
      root.statusMessage = "reset";
      try {
        this.invoke(rootId, "proxy_on_http_call_response", rootId, call.token, 0, 0, 0);
      } finally {
        root.statusMessage = "";
      }
      return;
    }
    root.httpCallResponse = { headers: outcome.headers, body: outcome.body, trailers: outcome.trailers };
    try {
      this.invoke(rootId, "proxy_on_http_call_response", rootId, call.token, outcome.headers.size, outcome.body.length, outcome.trailers?.size ?? 0);
    } finally {
      root.httpCallResponse = null;
    }
  }

  /** Runs one HTTP exchange through this VM's filter (see exchange.ts). */
  exchange(request: ExchangeRequest, options?: ExchangeOptions): Promise<ExchangeResult> {
    return exchange(this, request, options);
  }

  /** Shuts the root context down: proxy_on_done, then proxy_on_delete (unless on_done answered false). */
  shutdown(): boolean {
    const root = this.requireRoot();
    const done = this.invoke(root.id, "proxy_on_done", root.id);
    if (done === 0) {
      this.shutdownPending = true;
      return false;
    }
    this.finishShutdown();
    return true;
  }

  /** proxy_done from a root context that delayed its shutdown. */
  finishShutdown(): void {
    const root = this.root;
    if (!root || !this.contexts.has(root.id)) return;
    this.shutdownPending = false;
    this.invoke(root.id, "proxy_on_delete", root.id);
    this.host.scheduler.cancel(root.tick);
    this.contexts.delete(root.id);
  }
}
