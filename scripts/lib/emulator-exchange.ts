// For the scripts that run a bench scenario's module in the host emulator
// (profile-wasm, alloc-sites): a release build that keeps function names,
// the VM with the scenario's configuration, the bench request and an
// upstream that answers it (a JSON completion, or a 10-event stream).
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chatBody } from "../bench/payloads.ts";
import type { Scenario } from "../bench/scenarios.ts";
import { Host } from "../../test/host/index.ts";
import type { UpstreamRequest, UpstreamResponse } from "../../test/host/exchange.ts";
import type { ProxyVm, PluginOptions } from "../../test/host/vm.ts";
import { moduleEntry } from "./module-scenario.ts";
import { ROOT } from "./paths.ts";

/** Builds the scenario's module with function names kept (release optimizations) into .tmp/profile; returns its path. */
export function namedBuild(scenario: Scenario): string {
  const target = scenario.build[0];
  const outDir = join(ROOT, ".tmp", "profile");
  mkdirSync(outDir, { recursive: true });
  const wasm = join(outDir, `${target}.named.wasm`);
  const asc = spawnSync(process.execPath, [join(ROOT, "node_modules", "assemblyscript", "bin", "asc.js"), moduleEntry(ROOT, target), "--config", "asconfig.json", "--target", "release", "--debug", "--outFile", wasm], { cwd: ROOT, encoding: "utf8" });
  if (asc.status !== 0) throw new Error(`asc failed:\n${asc.stdout}${asc.stderr}`);
  return wasm;
}

/** A VM of `wasm` with the scenario's configuration. */
export function scenarioVm(scenario: Scenario, wasm: string | Uint8Array, extra: PluginOptions = {}): ProxyVm {
  const target = scenario.build[0];
  return new Host().startVm(wasm, { name: target, rootId: target, vmId: target, configuration: String(scenario.vars.PLUGIN_CONFIG), allowOnHeadersStopIteration: true, ...extra });
}

const USAGE = { prompt_tokens: 200, completion_tokens: 20, total_tokens: 220 };

/** Answers the bench request: a JSON completion, or (stream: true) ten delta events, a usage event and [DONE]. */
export function benchUpstream(req: UpstreamRequest): UpstreamResponse {
  if (!JSON.parse(req.bodyText).stream) {
    const body = { object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: "Raise connect_timeout to 1s and cap retries." } }], usage: USAGE };
    return { status: 200, headers: [["content-type", "application/json"]], body: JSON.stringify(body) };
  }
  const words = "Raise connect_timeout to 1s and cap retries .".split(" ");
  const chunks = words.map((w) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: `${w} ` } }] })}\n\n`);
  chunks.push(`data: ${JSON.stringify({ choices: [], usage: USAGE })}\n\n`, "data: [DONE]\n\n");
  return { status: 200, headers: [["content-type", "text/event-stream"]], body: chunks };
}

/** The bench's chat request of `bytes` bytes (mode sse: stream true), with the scenario's request headers. */
export function benchRequest(scenario: Scenario, bytes: number, mode: "json" | "sse") {
  const headers: [string, string][] = [["host", "gw"], ["content-type", "application/json"], ...Object.entries(scenario.requestHeaders?.() ?? {})];
  return { method: "POST", path: "/v1/chat/completions", headers, body: chatBody(bytes, mode) };
}
