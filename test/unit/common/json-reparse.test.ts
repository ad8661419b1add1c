// Reused documents (reparseJson) serve a stream's many small events with no
// allocation per parse. Each parse must give what a fresh parseJson gives,
// whatever came before it in the same document: valid and malformed inputs,
// a large one whose tape is then let go, and through a root handle made on
// the first parse. The member lookup without a new handle (find) must agree
// with get().
import { beforeAll, describe, expect, it } from "vitest";
import type { Kit } from "../../host/kit.ts";
import { loadJsonKit, parse } from "./corpus/json-kit.ts";
import { mutate } from "./corpus/malformed.ts";
import { Prng } from "./corpus/prng.ts";
import { sampleBodies } from "./corpus/samples.ts";

let kit: Kit;

beforeAll(async () => {
  kit = await loadJsonKit();
}, 120_000);

function framed(docs: Buffer[]): Buffer {
  return Buffer.concat(docs.flatMap((d) => {
    const head = Buffer.alloc(4);
    head.writeUInt32LE(d.length, 0);
    return [head, d];
  }));
}

function randomValue(rng: Prng, depth: number): unknown {
  const pick = rng.int(depth > 3 ? 4 : 7);
  if (pick === 0) return rng.int(1000) - 500;
  if (pick === 1) return ["delta", "héllo", "a\"b\\c\n", "🙂", ""][rng.int(5)];
  if (pick === 2) return [true, false, null][rng.int(3)];
  if (pick === 3) return rng.next() * 1e6;
  if (pick === 4) return Array.from({ length: rng.int(5) }, () => randomValue(rng, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = rng.int(6); i > 0; i--) o[["choices", "delta", "content", "index", "type", "k" + rng.int(9)][rng.int(6)]] = randomValue(rng, depth + 1);
  return o;
}

describe("reparseJson: one document reused", () => {
  it("gives what parseJson gives, parse after parse, for 601 valid, malformed and large inputs in turn, and keeps no large tape once released", () => {
    const rng = new Prng(0xd0c5);
    const bodies = sampleBodies().map((s) => s.body);
    const docs: Buffer[] = [];
    for (let i = 0; i < 600; i++) {
      const valid = Buffer.from(JSON.stringify(randomValue(rng, 0)));
      const r = rng.int(10);
      if (r < 5) docs.push(valid);
      else if (r < 8) docs.push(mutate(valid, rng));
      else if (r < 9) docs.push(rng.pick(bodies));
      // Large enough for a tape over the kept size: the next parse starts on a fresh one.
      else docs.push(Buffer.from(JSON.stringify(Array.from({ length: 6000 }, (_, k) => k))));
    }
    // Last, a large document: its tape must not stay once the document is released.
    docs.push(Buffer.from(JSON.stringify(Array.from({ length: 6000 }, (_, k) => k))));
    const lines = kit.callText("json_reparse", framed(docs)).split("\n");
    expect(lines).toHaveLength(docs.length + 1);
    expect(Number(lines.pop()!.replace("kept ", ""))).toBeLessThanOrEqual(64 << 10);
    let failures = 0;
    docs.forEach((doc, i) => {
      const fresh = parse(kit, doc);
      if (!fresh.ok) failures++;
      expect(lines[i], `input ${i}: ${doc.subarray(0, 80).toString()}`).toBe(fresh.ok ? `OK ${fresh.json}` : "ERR");
    });
    // Both outcomes must be well represented.
    expect(failures).toBeGreaterThan(60);
    expect(failures).toBeLessThan(400);
  });
});

describe("JsonValue.find: a member without a new handle", () => {
  it("agrees with get() and has() on 500 random objects and names, repeated names included", () => {
    const rng = new Prng(0xf1d);
    for (let i = 0; i < 500; i++) {
      const name = ["choices", "delta", "content", "index", "type", "k3", "missing"][rng.int(7)];
      let doc = JSON.stringify(randomValue(rng, 0));
      if (i % 5 === 0) doc = `{"${name}":1,"x":[],"${name}":{"a":"last"}}`;
      const [got, found, has] = kit.callText("json_find", Buffer.concat([Buffer.from(name), Buffer.from([0]), Buffer.from(doc)])).split(" ");
      const value = JSON.parse(doc);
      const own = value !== null && typeof value === "object" && !Array.isArray(value) && Object.hasOwn(value, name);
      expect(found, doc).toBe(got);
      expect(has, doc).toBe(own ? "has" : "lacks");
      expect(got === "none" ? undefined : JSON.parse(got), doc).toEqual(own ? value[name] : undefined);
    }
  });
});
