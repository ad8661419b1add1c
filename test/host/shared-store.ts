// Process-wide shared state, as proxy-wasm-cpp-host keeps it: shared data and
// shared queues are keyed by vm_id and seen by every VM (every Envoy worker)
// of the host. One instance per emulated Envoy process.
import { WasmResult } from "./abi.ts";

export interface SharedValue {
  value: Uint8Array;
  cas: number;
}

export class SharedData {
  private data = new Map<string, Map<string, SharedValue>>();
  /** One CAS sequence for the whole process, never 0. */
  private casSeq = 1;

  private nextCas(): number {
    const c = this.casSeq;
    this.casSeq = (this.casSeq + 1) >>> 0;
    if (this.casSeq === 0) this.casSeq = 1;
    return c;
  }

  get(vmId: string, key: string): SharedValue | undefined {
    const v = this.data.get(vmId)?.get(key);
    return v ? { value: v.value.slice(), cas: v.cas } : undefined;
  }

  /** A set on a missing key ignores `cas`; on an existing key a non-zero cas must match. */
  set(vmId: string, key: string, value: Uint8Array, cas: number): WasmResult {
    let map = this.data.get(vmId);
    if (!map) this.data.set(vmId, (map = new Map()));
    const current = map.get(key);
    if (current && cas !== 0 && cas !== current.cas) return WasmResult.CasMismatch;
    map.set(key, { value: value.slice(), cas: this.nextCas() });
    return WasmResult.Ok;
  }

  keys(vmId: string): string[] {
    return [...(this.data.get(vmId)?.keys() ?? [])];
  }
}

/** Who gets proxy_on_queue_ready for a queue: the context that registered it last. */
export interface QueueOwner {
  deliverQueueReady(contextId: number, token: number): void;
}

interface Queue {
  vmId: string;
  name: string;
  owner: QueueOwner;
  contextId: number;
  items: Uint8Array[];
}

export class SharedQueues {
  private nextToken = 1;
  private tokens = new Map<string, number>();
  private queues = new Map<number, Queue>();

  constructor(private readonly post: (label: string, run: () => void) => void) {}

  private static key(vmId: string, name: string): string {
    return `${vmId}\u0000${name}`;
  }

  /** Registers (or re-registers, keeping its items) a queue; notifications go to `owner`/`contextId`. */
  register(vmId: string, name: string, owner: QueueOwner, contextId: number): number {
    const key = SharedQueues.key(vmId, name);
    let token = this.tokens.get(key);
    if (token === undefined) {
      do token = this.nextToken++;
      while (token === 0 || this.queues.has(token));
      this.tokens.set(key, token);
    }
    const existing = this.queues.get(token);
    this.queues.set(token, { vmId, name, owner, contextId, items: existing?.items ?? [] });
    return token;
  }

  /** The token of a registered queue, or 0. */
  resolve(vmId: string, name: string): number {
    return this.tokens.get(SharedQueues.key(vmId, name)) ?? 0;
  }

  enqueue(token: number, data: Uint8Array): WasmResult {
    const q = this.queues.get(token);
    if (!q) return WasmResult.NotFound;
    q.items.push(data.slice());
    const { owner, contextId } = q;
    // Envoy posts the notification to the owner's worker: it runs after the current call.
    this.post(`queue ready ${token}`, () => owner.deliverQueueReady(contextId, token));
    return WasmResult.Ok;
  }

  dequeue(token: number): { status: WasmResult; data?: Uint8Array } {
    const q = this.queues.get(token);
    if (!q) return { status: WasmResult.NotFound };
    const data = q.items.shift();
    return data ? { status: WasmResult.Ok, data } : { status: WasmResult.Empty };
  }

  size(token: number): number {
    return this.queues.get(token)?.items.length ?? 0;
  }
}
