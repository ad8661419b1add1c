// The emulated Envoy process: virtual time and its event queue, the shared
// data and queues every VM (worker) sees, the stat store, the clusters HTTP
// calls can reach, and the foreign functions. Create one per test, then VMs
// on it; several VMs on one host model Envoy's worker threads.
import { LogLevel } from "./abi.ts";
import { Scheduler } from "./clock.ts";
import type { CalloutOutcome, CalloutRequest, ClusterBehavior } from "./clusters.ts";
import { clearRouteCache, type ForeignFunction } from "./imports/stream.ts";
import { SharedData, SharedQueues } from "./shared-store.ts";
import { Stats } from "./stats.ts";
import { type PluginOptions, ProxyVm } from "./vm.ts";

export interface HostOptions {
  /** Wall-clock time at start (ms since 1970); default now. Virtual time only moves with advance()/step(). */
  epochMs?: number;
  /** Envoy's wasm log level: what proxy_get_log_level answers and which logs are "visible". Default info. */
  logLevel?: LogLevel;
  /** Clusters HTTP calls may target, with their scripted answers. */
  clusters?: Record<string, ClusterBehavior>;
}

export interface HttpCallRecord {
  vm: ProxyVm;
  /** The root context the call belongs to (Envoy makes every call on the root). */
  rootId: number;
  request: CalloutRequest;
  outcome: CalloutOutcome;
}

export class Host {
  readonly scheduler: Scheduler;
  readonly sharedData = new SharedData();
  readonly queues: SharedQueues;
  readonly stats = new Stats();
  readonly clusters = new Map<string, ClusterBehavior>();
  readonly foreignFunctions = new Map<string, ForeignFunction>([["clear_route_cache", clearRouteCache]]);
  /** Every HTTP call a VM of this host made, in order. */
  readonly calls: HttpCallRecord[] = [];
  readonly vms: ProxyVm[] = [];
  logLevel: LogLevel;

  constructor(opts: HostOptions = {}) {
    this.scheduler = new Scheduler(opts.epochMs ?? Date.now());
    this.queues = new SharedQueues((label, run) => this.scheduler.post(label, run));
    this.logLevel = opts.logLevel ?? LogLevel.Info;
    for (const [name, behavior] of Object.entries(opts.clusters ?? {})) this.clusters.set(name, behavior);
  }

  /** Instantiates a module as a new VM (not started). */
  createVm(wasm: string | Uint8Array | WebAssembly.Module, plugin: PluginOptions = {}): ProxyVm {
    const vm = new ProxyVm(this, wasm, plugin);
    this.vms.push(vm);
    return vm;
  }

  /** createVm + start + configure; throws with the VM's logs when Envoy would refuse the plugin. */
  startVm(wasm: string | Uint8Array | WebAssembly.Module, plugin: PluginOptions = {}): ProxyVm {
    const vm = this.createVm(wasm, plugin);
    const started = vm.start();
    const configured = started && vm.configure();
    if (!configured) {
      const why = vm.failure ?? (started ? "proxy_on_configure returned false" : "proxy_on_vm_start returned false");
      const logs = vm.logs.map((l) => `  [${LogLevel[l.level]}] ${l.message}`).join("\n");
      throw new Error(`plugin refused: ${why}\n${logs}`);
    }
    return vm;
  }

  setCluster(name: string, behavior: ClusterBehavior): void {
    this.clusters.set(name, behavior);
  }

  /** Milliseconds of virtual time since the host started. */
  get nowMs(): number {
    return this.scheduler.nowMs;
  }

  /** Moves virtual time forward, delivering ticks, queue notifications and call responses as they fall due. */
  advance(ms: number): void {
    this.scheduler.advance(ms);
  }

  /** Delivers everything due now (posted work: queue notifications, immediate call responses). */
  runDue(): number {
    return this.scheduler.runDue();
  }
}
