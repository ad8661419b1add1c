import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkModule, REQUIRED_EXPORTS } from "../../../scripts/lib/wasm-check.ts";

// A minimal wasm encoder: function imports, no-op function exports, and a memory.
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}
const str = (s: string) => [...leb(Buffer.byteLength(s)), ...Buffer.from(s)];
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
const vec = (items: number[][]) => [...leb(items.length), ...items.flat()];

function moduleBytes(imports: [string, string][], exports: string[]): Uint8Array {
  const funcs = exports.filter((e) => e !== "memory");
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, 0x00, 0x00]])),
    ...section(2, vec(imports.map(([m, n]) => [...str(m), ...str(n), 0x00, 0x00]))),
    ...section(3, vec(funcs.map(() => [0x00]))),
    ...section(5, vec([[0x00, 0x01]])),
    ...section(7, vec(exports.map((e) => (e === "memory" ? [...str(e), 0x02, 0x00] : [...str(e), 0x00, ...leb(imports.length + funcs.indexOf(e))])))),
    ...section(10, vec(funcs.map(() => [0x02, 0x00, 0x0b]))),
  ];
  return new Uint8Array(bytes);
}

const dir = mkdtempSync(join(tmpdir(), "wasm-check-"));
function check(name: string, bytes: Uint8Array): string[] {
  const path = join(dir, `${name}.wasm`);
  writeFileSync(path, bytes);
  return checkModule(path);
}

describe("wasm-check (what Envoy can load)", () => {
  it("accepts a module with the ABI exports and allowed imports", () => {
    const problems = check("ok", moduleBytes([["env", "proxy_log"], ["wasi_snapshot_preview1", "fd_write"]], REQUIRED_EXPORTS));
    expect(problems).toEqual([]);
  });

  it("rejects the empty module the json-as pitfall produces", () => {
    const problems = check("empty", new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    expect(problems).toContain("missing export proxy_abi_version_0_2_1");
    expect(problems).toContain("missing export malloc");
  });

  it("rejects ABI 0.1.0-only and unknown host imports", () => {
    const problems = check("bad-imports", moduleBytes(
      [["env", "proxy_clear_route_cache"], ["env", "proxy_redis_call"], ["env", "abort"], ["wasi_snapshot_preview1", "sock_accept"]],
      REQUIRED_EXPORTS,
    ));
    expect(problems).toEqual([
      "imports env.proxy_clear_route_cache, which Envoy does not provide under ABI 0.2.1",
      "imports env.proxy_redis_call, which Envoy does not provide under ABI 0.2.1",
      "imports env.abort, which Envoy does not provide under ABI 0.2.1",
      "imports wasi_snapshot_preview1.sock_accept, which Envoy does not provide under ABI 0.2.1",
    ]);
  });

  it("reports bytes that are not wasm", () => {
    expect(check("garbage", new Uint8Array([1, 2, 3]))[0]).toMatch(/^not a valid wasm module/);
  });
});
