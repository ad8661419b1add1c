// The shared parse (assembly/common/json/shared-parse.ts), which lets the
// filters of one VM (the ai-gateway bundle) parse a body once. Many streams'
// parses and releases interleave at random: every stream must get exactly
// the parse of its own bytes under its own limits (what an unshared parse
// gives, and what JSON.parse reads), the kept entries stay within their
// bounds, and none is left once every stream has been released.
import { beforeAll, describe, expect, it } from "vitest";
import type { Kit } from "../../host/kit.ts";
import { decodeParsed, loadJsonKit, parseWith, type Parsed } from "./corpus/json-kit.ts";
import { Prng } from "./corpus/prng.ts";

const MAX_ENTRIES = 64;
const MAX_BYTES = 8 << 20;

let kit: Kit;

beforeAll(async () => {
  kit = await loadJsonKit();
}, 120_000);

function parseShared(holder: number, body: string, maxDepth: number, maxBytes: number): Parsed {
  const head = Buffer.alloc(12);
  head.writeUInt32LE(holder, 0);
  head.writeUInt32LE(maxDepth, 4);
  head.writeUInt32LE(maxBytes, 8);
  return decodeParsed(kit.callText("json_parse_shared", Buffer.concat([head, Buffer.from(body)])));
}

/** Releases a stream's parses; returns what is still kept. */
function release(holder: number): { entries: number; bytes: number } {
  const head = Buffer.alloc(4);
  head.writeUInt32LE(holder, 0);
  const [entries, bytes] = kit.callText("json_release_shared", head).split(" ").map(Number);
  return { entries, bytes };
}

/** Nesting depth of a JSON text as JSON.parse reads it (0 for a scalar). */
function depthOf(v: unknown): number {
  if (v === null || typeof v !== "object") return 0;
  const children = Array.isArray(v) ? v : Object.values(v as object);
  return 1 + children.reduce((d: number, c) => Math.max(d, depthOf(c)), 0);
}

/**
 * Chat bodies that collide on purpose: the same length with one character
 * masked (as content-audit masks), deeper and shallower shapes of the same
 * text, malformed ones, and byte-identical copies.
 */
function bodyPool(rng: Prng): string[] {
  const pool: string[] = [];
  for (let i = 0; i < 24; i++) {
    const email = `user${rng.int(10)}@example.com`;
    const text = `ticket ${rng.int(1000)} for ${email}`;
    const flat = JSON.stringify({ model: "m", messages: [{ role: "user", content: text }] });
    pool.push(flat);
    pool.push(flat.replace(email, "*".repeat(email.length)));
    pool.push(JSON.stringify({ model: "m", messages: [{ role: "user", content: [{ type: "text", text: [[text]] }] }] }));
    pool.push(flat.slice(0, rng.int(flat.length)));
  }
  return pool;
}

describe("shared parse", () => {
  it("gives every stream the parse of its own bytes and limits, whatever the interleaving, and frees every entry", () => {
    const rng = new Prng(20261206);
    const pool = bodyPool(rng);
    let nextHolder = 1000;
    const live: number[] = [];
    for (let step = 0; step < 4000; step++) {
      if (live.length > 0 && (rng.next() < 0.35 || live.length > 120)) {
        const holder = live.splice(rng.int(live.length), 1)[0];
        const kept = release(holder);
        expect(kept.entries).toBeLessThanOrEqual(MAX_ENTRIES);
        expect(kept.bytes).toBeLessThanOrEqual(MAX_BYTES);
        continue;
      }
      // A new stream, or one that parses again (a request body, then its response).
      const holder = live.length > 0 && rng.next() < 0.4 ? rng.pick(live) : nextHolder++;
      if (!live.includes(holder)) live.push(holder);
      const body = rng.pick(pool);
      const maxDepth = 2 + rng.int(5);
      const maxBytes = rng.next() < 0.1 ? rng.int(body.length + 1) : 1 << 20;
      const got = parseShared(holder, body, maxDepth, maxBytes);
      expect(got).toEqual(parseWith(kit, body, maxDepth, maxBytes));
      let oracle: unknown;
      let valid = true;
      try {
        oracle = JSON.parse(body);
      } catch {
        valid = false;
      }
      const fits = valid && depthOf(oracle) <= maxDepth && Buffer.byteLength(body) <= maxBytes;
      expect(got.ok).toBe(fits);
      if (got.ok) expect(JSON.parse(got.json)).toEqual(oracle);
    }
    let kept = { entries: -1, bytes: -1 };
    for (const holder of live) kept = release(holder);
    expect(kept).toEqual({ entries: 0, bytes: 0 });
  });

  it("keeps at most 64 parses and parses the others unshared", () => {
    const bodies = Array.from({ length: 100 }, (_, i) => JSON.stringify({ n: i, text: "x".repeat(i) }));
    bodies.forEach((b, i) => expect(parseShared(1 + i, b, 64, 1 << 20)).toEqual(parseWith(kit, b, 64, 1 << 20)));
    // A second stream per body: the ones kept are shared, the others parsed again, all alike.
    bodies.forEach((b, i) => expect(parseShared(201 + i, b, 64, 1 << 20)).toEqual(parseWith(kit, b, 64, 1 << 20)));
    let kept = release(1);
    expect(kept.entries).toBe(MAX_ENTRIES);
    for (let i = 1; i <= 300; i++) kept = release(i);
    expect(kept).toEqual({ entries: 0, bytes: 0 });
  });

  it("lets more streams than it has holds for use a kept parse, and still frees it with the last holder", () => {
    const body = JSON.stringify({ model: "m", messages: [{ role: "user", content: "the same prompt" }] });
    for (let holder = 1; holder <= 300; holder++) expect(parseShared(holder, body, 64, 1 << 20)).toEqual(parseWith(kit, body, 64, 1 << 20));
    let kept = release(300);
    expect(kept.entries).toBe(1);
    for (let holder = 1; holder < 300; holder++) kept = release(holder);
    expect(kept).toEqual({ entries: 0, bytes: 0 });
  });

  it("ignores a release of a stream that parsed nothing, or a second release", () => {
    parseShared(7, '{"a":[1,2]}', 64, 1 << 20);
    const kept = release(8);
    expect(kept.entries).toBe(1);
    // The body and its tape.
    expect(kept.bytes).toBeGreaterThan(11);
    expect(release(7)).toEqual({ entries: 0, bytes: 0 });
    expect(release(7)).toEqual({ entries: 0, bytes: 0 });
  });
});
