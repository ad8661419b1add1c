// Resource policies against every spelling of a URI (host emulator): scheme
// case, `localhost`, escapes of unreserved characters, repeated slashes, dot
// segments, escaped separators. The oracle is what Node reads the URI as
// (WHATWG URL and fileURLToPath, as a file-serving MCP server would): a URI
// the filter lets through must name a file the policy allows, in a request
// and in a listing, and every plainly spelled URI of an allowed file passes.
import { beforeAll, describe, expect, it } from "vitest";
import { posix } from "node:path";
import { fileURLToPath } from "node:url";
import type { ProxyVm } from "../../host/index.ts";
import { Prng } from "../common/corpus/prng.ts";
import { buildMcpAuth, RESOURCE, rpc, startVm } from "./support.ts";

const KEY = "reader-key-0123456789";
const CONFIG = {
  resource: RESOURCE,
  apiKeys: { consumers: [{ name: "reader", key: KEY }] },
  policies: [{ allow: { methods: ["*"], resources: ["file:///srv/public/", "demo://static/"] }, deny: { resources: ["file:///srv/public/secret/", "demo://static/secret/"] } }],
};

let vm: ProxyVm;
beforeAll(async () => {
  vm = startVm(await buildMcpAuth(), CONFIG);
}, 120_000);

/** The file a server reads for `uri`; null when it reads none (Node refuses the URI). */
function fileOf(uri: string): string | null {
  try {
    return posix.resolve(fileURLToPath(new URL(uri)));
  } catch {
    return null;
  }
}

const allowedFile = (f: string | null) => f !== null && f.startsWith("/srv/public/") && !f.startsWith("/srv/public/secret/");

const DIRS = [["srv", "public"], ["srv", "public", "secret"], ["etc"], ["srv", "publicity"]];
const NAMES = ["a.md", "notes~1.txt", "key_2.pem", "x-y"];

/** A random spelling of a random file URI. */
function spelling(rng: Prng): { uri: string; plain: boolean } {
  const segs = [...rng.pick(DIRS), rng.pick(NAMES)];
  let plain = true;
  const out: string[] = [];
  for (const seg of segs) {
    const r = rng.int(12);
    if (r === 0) {
      out.push(".", seg); // ./seg
      plain = false;
    } else if (r === 1) {
      out.push(rng.pick(["tmp", "srv", ".."]), rng.pick(["..", "%2e%2e", "%2E."]), seg);
      plain = false;
    } else if (r === 2) {
      out.push("", seg); // a repeated slash
    } else {
      out.push(seg);
    }
  }
  let path = "/" + out.join("/");
  // Escape some unreserved characters, in either hex case.
  path = [...path].map((c) => (/[A-Za-z0-9._~-]/.test(c) && rng.int(8) === 0 ? "%" + c.charCodeAt(0).toString(16)[rng.int(2) ? "toUpperCase" : "toLowerCase"]() : c)).join("");
  if (rng.int(10) === 0) {
    path = path.replace(/\/(?=[^/]*$)/, rng.pick(["%2F", "%2f", "\\", "%5C"]));
    plain = false;
  }
  const scheme = rng.pick(["file", "FILE", "File"]);
  const host = rng.pick(["", "", "localhost", "LocalHost"]);
  return { uri: `${scheme}://${host}${path}`, plain };
}

const read = (uri: string) =>
  rpc(vm, { jsonrpc: "2.0", id: 1, method: "resources/read", params: { uri } }, { headers: { "x-api-key": KEY }, options: { upstream: () => ({ status: 200, headers: { "content-type": "application/json" }, body: '{"jsonrpc":"2.0","id":1,"result":{"contents":[]}}' }) } });

describe("resource URIs in every spelling", () => {
  it("lets through only URIs that name an allowed file, and every plain spelling of one (600 seeded spellings)", async () => {
    const rng = new Prng(9728);
    let passed = 0, refusedPlain = 0;
    for (let i = 0; i < 600; i++) {
      const { uri, plain } = spelling(rng);
      const res = await read(uri);
      const through = res.upstream !== undefined && res.upstream !== null;
      const file = fileOf(uri);
      if (through) {
        // A URI Node cannot read (a broken escape) names no file: passing it exposes nothing.
        expect(file === null || allowedFile(file), `${uri} reads ${file}`).toBe(true);
        passed++;
      } else if (plain && allowedFile(file)) {
        refusedPlain++;
        expect.fail(`${uri} (${file}) refused`);
      }
    }
    expect(refusedPlain).toBe(0);
    expect(passed).toBeGreaterThan(50);
    expect(vm.trapped).toBe(false);
  });

  it("refuses the classic escapes from an allowed prefix, and denied paths in other spellings", async () => {
    for (const uri of [
      "file:///srv/public/../../etc/passwd",
      "file:///srv/public/%2e%2e/secret.txt",
      "file:///srv/public/..%2Fsecret/k",
      "file:///srv/public\\..\\..\\etc\\passwd",
      "file:///srv/public/secret%00/k",
      "FILE:///srv/public/SECRET/../secret/k",
      "file://localhost/srv/public/secret/k",
      "file:///srv/public//secret/k",
      "file:///srv/public/%73ecret/k",
      "demo://static/../private/keys",
      "demo://static/secret/../a",
      "DEMO://Static/%73ecret/k",
    ]) {
      const res = await read(uri);
      expect(res.upstream ?? null, uri).toBeNull();
      expect(JSON.parse(res.body).error.code, uri).toBe(-32003);
    }
    for (const uri of ["file:///srv/public/a.md", "FILE://localhost/srv/public//a.md", "file:///srv/%70ublic/a.md", "DEMO://STATIC/a.md"]) {
      expect((await read(uri)).upstream?.path, uri).toBe("/mcp");
    }
  });

  it("filters listings by the same form: an item is listed exactly when reading it would pass", async () => {
    const rng = new Prng(8707);
    const uris = Array.from({ length: 80 }, () => spelling(rng).uri);
    const listing = { jsonrpc: "2.0", id: "x", result: { resources: uris.map((uri) => ({ uri, name: "r" })) } };
    const upstream = (req: { bodyText: string }) => ({ status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ ...listing, id: JSON.parse(req.bodyText).id }) });
    const res = await rpc(vm, { jsonrpc: "2.0", id: 2, method: "resources/list" }, { headers: { "x-api-key": KEY }, options: { upstream } });
    const listed = (JSON.parse(res.body).result.resources as { uri: string }[]).map((r) => r.uri);
    const readable: string[] = [];
    for (const uri of uris) if ((await read(uri)).upstream) readable.push(uri);
    expect(listed).toEqual(readable);
    for (const uri of listed) expect(fileOf(uri) === null || allowedFile(fileOf(uri)), uri).toBe(true);
  });
});
