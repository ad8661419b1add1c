// Member names in other spellings (host emulator). Go MCP servers decode
// requests with encoding/json, which matches member names to fields without
// case (and reads the Kelvin sign as k, the long s as s), the last copy
// winning: `{"method":"ping","METHOD":"tools/call",...}` is a tools/call to
// them. The oracle is Go itself (go-reader/main.go): whatever the filter
// forwards, Go must read as something the policy allows, and a list request
// Go reads must carry the filter's tag.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { goBinary } from "../../../scripts/lib/go-install.ts";
import type { ProxyVm } from "../../host/index.ts";
import { Prng } from "../common/corpus/prng.ts";
import { buildMcpAuth, RESOURCE, rpc, startVm } from "./support.ts";

const KEY = "caller-key-0123456789";
const CONFIG = { resource: RESOURCE, apiKeys: { consumers: [{ name: "caller", key: KEY }] }, policies: [{ allow: { methods: ["ping", "tools/list", "tools/call"], tools: ["echo"] } }] };

interface GoReading {
  method: string;
  hasId: boolean;
  id: unknown;
  name: string;
  error?: string;
}

/** How Go reads each message (one per line). */
function goRead(messages: string[]): GoReading[] {
  const go = goBinary();
  if (!go) throw new Error("the Go toolchain is needed for this oracle; none on PATH");
  const r = spawnSync(go, ["run", join(import.meta.dirname, "go-reader", "main.go")], { input: messages.join("\n") + "\n", encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) throw new Error("go-reader failed: " + r.stderr);
  return r.stdout.trim().split("\n").map((l) => JSON.parse(l));
}

/** A spelling of `name` Go reads as `name`: letters in random case, k and s sometimes as their Unicode folds, sometimes escaped. */
function spell(rng: Prng, name: string): string {
  let out = "";
  for (const c of name) {
    let ch = rng.int(2) ? c.toUpperCase() : c;
    if (c === "k" && rng.int(3) === 0) ch = "\u212a";
    if (c === "s" && rng.int(3) === 0) ch = "\u017f";
    out += rng.int(6) === 0 ? "\\u" + ch.charCodeAt(0).toString(16).padStart(4, "0") : ch;
  }
  return out;
}

const q = (s: string) => JSON.stringify(s);

/** A message that looks allowed under exact names and smuggles another reading under other spellings. */
function smuggling(rng: Prng): string {
  const before = rng.int(2) === 0;
  const pair = (exact: string, other: string) => (before ? [other, exact] : [exact, other]).join(",");
  switch (rng.int(4)) {
    case 0: // ping, and a tools/call of a denied tool under another spelling of method
      return `{"jsonrpc":"2.0","id":1,${pair(`"method":"ping"`, `"${spell(rng, "method")}":"tools/call"`)},"params":{"name":"get-env"}}`;
    case 1: // an allowed tool, and a denied one under another spelling of name
      return `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{${pair(`"name":"echo"`, `"${spell(rng, "name")}":"get-env"`)}}}`;
    case 2: // a list "notification" that has an id under another spelling
      return `{"jsonrpc":"2.0","${spell(rng, "id")}":3,"method":"tools/list"}`;
    default: // params under another spelling
      return `{"jsonrpc":"2.0","id":4,"method":"tools/call",${pair(`"params":{"name":"echo"}`, `"${spell(rng, "params")}":{"name":"get-env"}`)}}`;
  }
}

let vm: ProxyVm;
beforeAll(async () => {
  vm = startVm(await buildMcpAuth(), CONFIG);
}, 120_000);

async function forwarded(body: string): Promise<string | null> {
  const res = await rpc(vm, body, { headers: { "x-api-key": KEY }, options: { upstream: () => ({ status: 202 }) } });
  return res.upstream ? res.upstream.bodyText : null;
}

function allowedToGo(r: GoReading): boolean {
  if (r.error) return true; // Go refuses it: nothing runs
  if (r.method === "tools/call") return r.name === "echo";
  if (r.method === "tools/list") return !r.hasId || (typeof r.id === "string" && r.id.startsWith("mcp-auth:tools/list:"));
  return r.method === "ping";
}

describe("member names in other spellings", () => {
  it("forwards nothing a Go server reads as a call the policy refuses (300 seeded messages)", async () => {
    const rng = new Prng(2119);
    // Every third message is plain: other spellings only inside the tool's arguments, which it must forward.
    const plain = (i: number) => `{"jsonrpc":"2.0","id":${i},"method":"tools/call","params":{"name":"echo","arguments":{"${spell(rng, "name")}":"get-env"}}}`;
    const bodies = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? plain(i) : smuggling(rng)));
    const sent: string[] = [];
    for (const [i, b] of bodies.entries()) {
      const f = await forwarded(b);
      if (f !== null) sent.push(f);
      else expect(i % 3, `plain message refused: ${b}`).not.toBe(0);
    }
    expect(sent.length).toBeGreaterThanOrEqual(100);
    const readings = goRead(sent);
    sent.forEach((body, i) => expect(allowedToGo(readings[i]), `${body} reads ${JSON.stringify(readings[i])} in Go`).toBe(true));
    expect(vm.trapped).toBe(false);
  });

  it("refuses the spellings with a JSON-RPC -32600, and still forwards messages spelled exactly", async () => {
    for (const body of [
      '{"jsonrpc":"2.0","id":1,"method":"ping","METHOD":"tools/call","params":{"name":"get-env"}}',
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","Name":"get-env"}}',
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","\\u004eame":"get-env"}}',
      '{"jsonrpc":"2.0","Id":1,"method":"tools/list"}',
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo"},"param\u017f":{"name":"get-env"}}',
      '{"jsonrpc":"2.0","id":1,"result":{},"Method":"tools/call","params":{"name":"get-env"}}',
    ]) {
      const res = await rpc(vm, body, { headers: { "x-api-key": KEY }, options: { upstream: () => ({ status: 202 }) } });
      expect(res.upstream ?? null, body).toBeNull();
      expect(res.status, body).toBe(400);
      expect(JSON.parse(res.body).error.code, body).toBe(-32600);
    }
    for (const body of ['{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"Name":"x","METHOD":"y"}},"_meta":{}}', '{"jsonrpc":"2.0","id":"k","method":"ping"}']) {
      expect(await forwarded(body), body).not.toBeNull();
    }
  });
});
