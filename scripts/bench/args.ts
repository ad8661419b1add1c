// Command line of `npm run bench`.
import { PAYLOAD_SIZES, type PayloadMode } from "./payloads.ts";

export interface BenchOptions {
  /** Seconds of load per run of a cell (whole seconds: wrk's unit). */
  durationS: number;
  /** Most requests wrk sends per run of a cell. */
  maxRequests: number;
  connections: number[];
  payloads: string[];
  modes: PayloadMode[];
  /** Scenario names to compare with bare; empty = all. */
  scenarios: string[];
  /**
   * Runs per chain per cell; each chain's figures are then those of the
   * round with its median ratio to bare (see pickRounds). More rounds steady
   * the one-connection cells, where a single run moves by several percent
   * on a shared machine.
   */
  rounds: number;
  /** Envoy worker threads (--concurrency): one by default, so Envoy, upstream and wrk fit on a small machine. */
  envoyConcurrency: number;
  /** Seconds of warm-up load per payload x mode per Envoy (capped at 2000 requests each). */
  warmupS: number;
  outDir: string;
  list: boolean;
  help: boolean;
}

export const DEFAULTS: BenchOptions = {
  durationS: 4,
  maxRequests: 40_000,
  connections: [1, 16, 64],
  payloads: Object.keys(PAYLOAD_SIZES),
  modes: ["json", "sse"],
  scenarios: [],
  rounds: 1,
  envoyConcurrency: 1,
  warmupS: 1,
  outDir: "bench-results",
  list: false,
  help: false,
};

export const QUICK: Partial<BenchOptions> = { durationS: 1, connections: [1, 16], maxRequests: 10_000 };

export const USAGE = `npm run bench -- [options]

  --scenario NAME[,NAME]   filter chains to compare with bare Envoy (default: every scenario)
  --duration S             seconds of load per run of a cell, whole seconds (default ${DEFAULTS.durationS})
  --requests N             request cap per run of a cell (default ${DEFAULTS.maxRequests})
  --connections A,B,C      concurrency levels (default ${DEFAULTS.connections.join(",")})
  --payloads 1K,32K        request body sizes (default ${DEFAULTS.payloads.join(",")})
  --modes json,sse         non-streaming and/or streaming (default json,sse)
  --rounds N               runs per chain per cell, alternating order; the round with the median ratio to bare counts (default ${DEFAULTS.rounds})
  --concurrency N          Envoy worker threads of every Envoy (default ${DEFAULTS.envoyConcurrency})
  --warmup S               warm-up seconds per payload x mode per Envoy, 0 = none (default ${DEFAULTS.warmupS})
  --out DIR                where results go (default ${DEFAULTS.outDir})
  --quick                  short run: ${QUICK.durationS} s per run, connections ${QUICK.connections!.join(",")}, cap ${QUICK.maxRequests}
  --list                   print the scenarios and exit
  --help                   this text`;

function positiveInt(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a whole number >= 1, got ${v ?? "nothing"}`);
  return n;
}

function list(flag: string, v: string | undefined): string[] {
  const items = (v ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  if (!items.length) throw new Error(`${flag} needs a comma-separated list`);
  return items;
}

/** Parses argv (without node and script); --quick sets defaults that explicit flags still override. */
export function parseArgs(argv: readonly string[]): BenchOptions {
  const quick = argv.includes("--quick");
  const o: BenchOptions = { ...DEFAULTS, ...(quick ? QUICK : {}) };
  const scenarios: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i];
    const eq = raw.indexOf("=");
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    const takesValue = !["--quick", "--list", "--help", "-h"].includes(flag);
    const value = takesValue ? (eq > 0 ? raw.slice(eq + 1) : argv[++i]) : undefined;
    switch (flag) {
      case "--quick": break;
      case "--list": o.list = true; break;
      case "--help": case "-h": o.help = true; break;
      case "--duration": o.durationS = positiveInt(flag, value); break;
      case "--requests": o.maxRequests = positiveInt(flag, value); break;
      case "--rounds": o.rounds = positiveInt(flag, value); break;
      case "--concurrency": o.envoyConcurrency = positiveInt(flag, value); break;
      case "--warmup": {
        const n = Number(value);
        if (value === undefined || !Number.isInteger(n) || n < 0) throw new Error(`--warmup needs a whole number >= 0, got ${value ?? "nothing"}`);
        o.warmupS = n;
        break;
      }
      case "--connections": o.connections = list(flag, value).map((c) => positiveInt(flag, c)); break;
      case "--scenario": case "--scenarios": scenarios.push(...list(flag, value)); break;
      case "--payloads": {
        const sizes = list(flag, value).map((s) => s.toUpperCase());
        const unknown = sizes.filter((s) => PAYLOAD_SIZES[s] === undefined);
        if (unknown.length) throw new Error(`unknown payload ${unknown.join(", ")} (known: ${Object.keys(PAYLOAD_SIZES).join(", ")})`);
        o.payloads = sizes;
        break;
      }
      case "--modes": {
        const modes = list(flag, value);
        const bad = modes.filter((m) => m !== "json" && m !== "sse");
        if (bad.length) throw new Error(`unknown mode ${bad.join(", ")} (known: json, sse)`);
        o.modes = modes as PayloadMode[];
        break;
      }
      case "--out": if (!value) throw new Error("--out needs a directory"); o.outDir = value; break;
      default: throw new Error(`unknown option ${raw}\n\n${USAGE}`);
    }
  }
  o.scenarios = [...new Set(scenarios)];
  return o;
}
