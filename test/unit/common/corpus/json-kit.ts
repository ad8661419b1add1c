// Typed wrappers over the kit-json fixture's exports.
import { builtFixture } from "../../../host/fixtures.ts";
import { loadKit, type Kit } from "../../../host/kit.ts";

export type Parsed = { ok: true; json: string } | { ok: false; code: string; offset: number; message: string };

export async function loadJsonKit(): Promise<Kit> {
  return loadKit(await builtFixture("kit-json"));
}

export function decodeParsed(out: string): Parsed {
  if (out.startsWith("OK ")) return { ok: true, json: out.slice(3) };
  const m = /^ERR (\S+) (\d+) (.*)$/s.exec(out);
  if (!m) throw new Error(`unexpected kit output: ${out.slice(0, 200)}`);
  return { ok: false, code: m[1], offset: Number(m[2]), message: m[3] };
}

export function parse(kit: Kit, input: Uint8Array | string): Parsed {
  return decodeParsed(kit.callText("json_parse", input));
}

export function parseWith(kit: Kit, input: Uint8Array | string, maxDepth: number, maxBytes: number): Parsed {
  const body = typeof input === "string" ? Buffer.from(input) : Buffer.from(input);
  const head = Buffer.alloc(8);
  head.writeUInt32LE(maxDepth, 0);
  head.writeUInt32LE(maxBytes, 4);
  return decodeParsed(kit.callText("json_parse_with", Buffer.concat([head, body])));
}
