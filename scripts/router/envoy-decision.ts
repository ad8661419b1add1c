// The decision time inside a real Envoy: Envoy with semantic-router and the
// 1,500-example CLINC150 configuration (envoy/bench-wasm-hold.yaml), a
// demo LLM upstream, then sequential requests whose last user message is a
// 2 KB prompt. The filter records each decision (last body callback: parse,
// classify, rewrite, headers) in the histogram semantic_router_decision_us;
// its percentiles are read from Envoy's /stats. Also prints the VM's
// configure line and Envoy's RSS growth.
//
//   npx tsx scripts/router/envoy-decision.ts [--requests N] [--clients C]
//   (--clients: C request loops at once instead of one; default 1)
//   SR_EXTRA='{"scoring":"centroid"}' ...   merged into the configuration
//   SR_SMALL=1 ...                          one route with one example instead
//                                           (the cost of everything but the model)
//   SR_EMBED=1 ...                          semantic-router-embed.wasm with
//                                           classifier: "embeddings" (static embeddings)
import { readFileSync } from "node:fs";
import { build } from "../build.ts";
import { ensureTable } from "./static/build-table.ts";
import { PROMPT_2K } from "./prompt-2k.ts";
import { wasmPath } from "../lib/paths.ts";
import { Envoy } from "../../test/harness/envoy.ts";
import { startLlmUpstream } from "../../test/upstreams/llm.ts";
import { clincConfig, loadClinc } from "../../test/unit/semantic-router/clinc-config.ts";
import { envFlag } from "../lib/env-flag.ts";

const at = process.argv.indexOf("--requests");
const N = at > 0 ? Number(process.argv[at + 1]) : 2000;
const clientsAt = process.argv.indexOf("--clients");
const CLIENTS = clientsAt > 0 ? Math.max(1, Number(process.argv[clientsAt + 1])) : 1;

function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}


const embed = envFlag("SR_EMBED");
const module = embed ? "semantic-router-embed" : "semantic-router";
if (embed) ensureTable();
await build({ only: module, quiet: true });
const upstream = await startLlmUpstream({ name: "llm", maxRecorded: 0 });
const config = envFlag("SR_SMALL") ? { routes: [{ name: "a", examples: ["zzzz"] }], input: { max_scan_bytes: 2048 } } : clincConfig(loadClinc(), "domains", { threshold: 0.2, input: { max_scan_bytes: 2048 }, ...(embed ? { classifier: "embeddings" } : {}), ...JSON.parse(process.env.SR_EXTRA ?? "{}") });
const envoy = await Envoy.start({
  config: "envoy/bench-wasm-hold.yaml",
  vars: { WASM_FILE: wasmPath(module), PLUGIN_NAME: "semantic-router", PLUGIN_CONFIG: JSON.stringify(config), UPSTREAM_PORT: upstream.port },
});
try {
  const rssBefore = rssMiB(envoy.pid);
  const body = JSON.stringify({ model: "auto", messages: [{ role: "user", content: PROMPT_2K }] });
  const loop = async (requests: number) => {
    for (let i = 0; i < requests; i++) {
      const res = await fetch(envoy.url("/v1/chat/completions"), { method: "POST", headers: { "content-type": "application/json" }, body });
      if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, c) => loop(Math.floor(N / CLIENTS) + (c < N % CLIENTS ? 1 : 0))));
  await new Promise((r) => setTimeout(r, 6000)); // histograms reach /stats at the next stats flush (5 s)
  const stats = await (await fetch(envoy.adminUrl("/stats?filter=semantic_router_decision_us"))).text();
  const configured = envoy.logs().split("\n").find((l) => l.includes("configured:"));
  console.log(`configure: ${configured?.replace(/^.*\] /, "")}`);
  console.log(`Envoy RSS after start (configured): ${rssBefore.toFixed(1)} MiB; after ${N} requests: ${rssMiB(envoy.pid).toFixed(1)} MiB`);
  console.log(`decision time per request (2 KB prompt, ${N} requests, ${CLIENTS} client${CLIENTS > 1 ? "s" : ""} at once):\n${stats.trim()}`);
  envoy.assertHealthy();
} finally {
  await envoy.stop();
  await upstream.close();
}
