// Turns libphonenumber's metadata (npm libphonenumber-js, metadata.max.json)
// for a set of regions into the compact tables content-audit's phone
// detector is compiled with: per region its calling code, trunk prefix and
// a prefix trie of valid national numbers (leading digits up to DEPTH, and
// at each node the lengths a valid number through it can have).
//
//   npx tsx scripts/phone-tables.ts            write the tables (build runs this)
//   PHONE_REGIONS=DE,AT,CH npm run build       compile other regions in
//
// The output is deterministic for a given metadata version and region list.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { ROOT } from "./lib/paths.ts";

/** The regions compiled in unless PHONE_REGIONS says otherwise: the most used phone-number locales. */
export const DEFAULT_REGIONS = "CN US IN GB DE FR JP KR BR RU ES IT MX ID TR NL PL SE TW AU CA VN TH PH SA AE EG NG ZA AR".split(" ");
/** Leading digits the trie looks at; after them only the length is checked. */
const DEPTH = 5;
const OUT = join(ROOT, "assembly", "content-audit", "pii", "phone-tables.generated.ts");

type Country = [string, string, string, number[], unknown, string | 0, ...unknown[]];

// --- libphonenumber's pattern subset: digits, \d, [..], (?:..), (..), |, ?, {n}, {n,m}

interface Nfa {
  /** per state: transitions (digit set bits, target) */
  edges: Array<Array<[number, number]>>;
  eps: number[][];
}

function parsePattern(src: string, nfa: Nfa): [number, number] {
  let pos = 0;
  const newState = (): number => {
    nfa.edges.push([]);
    nfa.eps.push([]);
    return nfa.edges.length - 1;
  };
  type Frag = (from: number) => number; // builds the fragment from `from`, returns its end state
  const alt = (): Frag[] => {
    const branches: Frag[][] = [[]];
    while (pos < src.length && src[pos] !== ")") {
      if (src[pos] === "|") {
        pos++;
        branches.push([]);
        continue;
      }
      branches[branches.length - 1].push(quantified());
    }
    return branches.map((seq) => (from: number) => seq.reduce((s, f) => f(s), from));
  };
  const altFrag = (): Frag => {
    const branches = alt();
    return (from: number) => {
      const end = newState();
      for (const b of branches) {
        const start = newState();
        nfa.eps[from].push(start);
        nfa.eps[b(start)].push(end);
      }
      return end;
    };
  };
  const atom = (): Frag => {
    const c = src[pos];
    if (c === "(") {
      pos++;
      if (src.startsWith("?:", pos)) pos += 2;
      const inner = altFrag();
      if (src[pos] !== ")") throw new Error(`unclosed group in ${src}`);
      pos++;
      return inner;
    }
    let set = 0;
    if (c === "\\") {
      if (src[pos + 1] !== "d") throw new Error(`unsupported escape in ${src}`);
      set = 0x3ff;
      pos += 2;
    } else if (c === "[") {
      pos++;
      while (src[pos] !== "]") {
        const lo = src.charCodeAt(pos) - 48;
        if (src[pos + 1] === "-") {
          const hi = src.charCodeAt(pos + 2) - 48;
          for (let d = lo; d <= hi; d++) set |= 1 << d;
          pos += 3;
        } else {
          set |= 1 << lo;
          pos++;
        }
      }
      pos++;
    } else if (c >= "0" && c <= "9") {
      set = 1 << (c.charCodeAt(0) - 48);
      pos++;
    } else {
      throw new Error(`unsupported ${c} at ${pos} in ${src}`);
    }
    return (from: number) => {
      const to = newState();
      nfa.edges[from].push([set, to]);
      return to;
    };
  };
  const quantified = (): Frag => {
    const a = atom();
    let min = 1;
    let max = 1;
    if (src[pos] === "?") {
      min = 0;
      pos++;
    } else if (src[pos] === "{") {
      const close = src.indexOf("}", pos);
      const [lo, hi] = src.slice(pos + 1, close).split(",");
      min = Number(lo);
      max = hi === undefined ? min : Number(hi);
      pos = close + 1;
    }
    return (from: number) => {
      let s = from;
      for (let k = 0; k < min; k++) s = a(s);
      const end = newState();
      nfa.eps[s].push(end);
      for (let k = min; k < max; k++) {
        s = a(s);
        nfa.eps[s].push(end);
      }
      return end;
    };
  };
  const start = newState();
  const end = altFrag()(start);
  if (pos !== src.length) throw new Error(`trailing ${src.slice(pos)} in ${src}`);
  return [start, end];
}

function closure(nfa: Nfa, states: Set<number>): Set<number> {
  const out = new Set(states);
  const stack = [...states];
  while (stack.length) for (const t of nfa.eps[stack.pop()!]) if (!out.has(t)) (out.add(t), stack.push(t));
  return out;
}

// --- the trie

interface Node {
  mask: number; // bit L: a valid number of L digits passes through this node
  children: (Node | null)[]; // by digit; all null: a leaf (only the length is checked from here)
  id?: number;
}

function buildTrie(patterns: string[]): Node {
  const nfa: Nfa = { edges: [], eps: [] };
  const starts = new Set<number>();
  const accepts = new Set<number>();
  for (const p of patterns) {
    const [s, e] = parsePattern(p, nfa);
    starts.add(s);
    accepts.add(e);
  }
  // rem[state]: lengths (bit k) of digit strings that lead from it to an accept.
  const rem = new Array<number>(nfa.edges.length).fill(0);
  const closures = nfa.edges.map((_, s) => closure(nfa, new Set([s])));
  for (let s = 0; s < rem.length; s++) for (const t of closures[s]) if (accepts.has(t)) rem[s] |= 1;
  for (let k = 1; k <= 17; k++) {
    const next = rem.slice();
    for (let s = 0; s < rem.length; s++)
      for (const t of closures[s]) for (const [, to] of nfa.edges[t]) if (rem[to] & (1 << (k - 1))) next[s] |= 1 << k;
    rem.splice(0, rem.length, ...next);
  }
  const memo = new Map<string, Node>();
  const build = (states: Set<number>, depth: number): Node => {
    const key = depth + ":" + [...states].sort((a, b) => a - b).join(",");
    const known = memo.get(key);
    if (known) return known;
    const node = buildNode(states, depth);
    memo.set(key, node);
    return node;
  };
  const buildNode = (states: Set<number>, depth: number): Node => {
    let mask = 0;
    for (const s of states) mask |= rem[s] << depth;
    const node: Node = { mask, children: new Array(10).fill(null) };
    if (depth === DEPTH) return node;
    for (let d = 0; d < 10; d++) {
      const next = new Set<number>();
      for (const s of states) for (const [set, to] of nfa.edges[s]) if (set & (1 << d)) next.add(to);
      if (next.size) node.children[d] = build(closure(nfa, next), depth + 1);
    }
    // Every digit leads to the same lengths and no deeper check: a leaf.
    const first = node.children[0];
    if (first && node.children.every((c) => c && c.mask === first.mask && c.children.every((g) => g === null)) && !(mask & (1 << depth)))
      node.children.fill(null);
    return node;
  };
  return build(closure(nfa, starts), 0);
}

// --- encoding: one byte blob of u16 words. A node starts with its length word: bit L-4 for a
// valid length L (4..17), bit 14 LEAF (only the length is checked from here), bit 15 ANY (every
// digit goes to the one child whose offset follows). Otherwise two words follow: the digits that
// have a child, and the digits that start a run of digits sharing one child; then the offsets of
// the runs' children.

const LEAF = 1 << 14;
const ANY = 1 << 15;

function encode(roots: Node[]): { bytes: number[]; offsets: number[] } {
  const bytes: number[] = [];
  const byKey = new Map<string, number>();
  const u16 = (v: number) => bytes.push(v & 0xff, v >> 8);
  const place = (n: Node): number => {
    const kids = n.children.map((c) => (c ? place(c) : -1));
    const present = kids.filter((k) => k >= 0);
    const lengths = (n.mask >> 4) & 0x3fff;
    const same = present.length === 10 && present.every((k) => k === present[0]);
    let words: number[];
    if (present.length === 0) words = [lengths | LEAF];
    else if (same) words = [lengths | ANY, present[0]];
    else {
      let bits = 0;
      let runs = 0;
      const targets: number[] = [];
      let prev = -1;
      kids.forEach((k, d) => {
        if (k < 0) return;
        bits |= 1 << d;
        if (k !== prev) {
          runs |= 1 << d;
          targets.push(k);
        }
        prev = k;
      });
      words = [lengths, bits, runs, ...targets];
    }
    const key = words.join(",");
    const known = byKey.get(key);
    if (known !== undefined) return known;
    const at = bytes.length;
    if (at > 0xffff) throw new Error("phone tables exceed 64 KiB");
    words.forEach(u16);
    byKey.set(key, at);
    return at;
  };
  return { bytes, offsets: roots.map(place) };
}

/**
 * The first two digits of national numbers that libphonenumber formats
 * without the trunk prefix (no prefix in the format's rule, or the prefix
 * optional): a number written nationally without it is read as this region's
 * only then ("2125551234" is no German number missing its 0).
 */
function withoutTrunk(c: Country, trunk: string, main: Country): number[] {
  const bits = new Array<number>(13).fill(0);
  const all = () => bits.fill(0xff).splice(12, 1, 0x0f);
  // Regions that share a calling code (CA with US) use the main region's formats.
  const formats = Array.isArray(c[4]) ? (c[4] as Array<[string, string, string[]?, (string | 0)?, (number | 0)?]>) : Array.isArray(main[4]) ? (main[4] as Array<[string, string, string[]?, (string | 0)?, (number | 0)?]>) : [];
  if (!trunk) {
    all();
    return bits;
  }
  for (const f of formats) {
    const rule = f[3] === undefined ? c[6] : f[3];
    const optional = !!f[4] || !!c[9];
    if (optional || !rule || !String(rule).includes(trunk)) {
      const leading = f[2]?.[0];
      for (let p = 0; p < 100; p++) if (!leading || startsLanguage(leading, p)) bits[p >> 3] |= 1 << (p & 7);
    }
  }
  return bits;
}

/** Some string of the leading-digits pattern starts with the two digits of p, or is p's first digit. */
function startsLanguage(pattern: string, p: number): boolean {
  const nfa: Nfa = { edges: [], eps: [] };
  const [s, e] = parsePattern(pattern, nfa);
  let states = closure(nfa, new Set([s]));
  for (const d of [Math.floor(p / 10), p % 10]) {
    if (states.has(e)) return true;
    const next = new Set<number>();
    for (const t of states) for (const [set, to] of nfa.edges[t]) if (set & (1 << d)) next.add(to);
    if (!next.size) return false;
    states = closure(nfa, next);
  }
  return true;
}

export function generate(regions: string[]): string {
  const require = createRequire(import.meta.url);
  const meta = require("libphonenumber-js/metadata.max.json") as { countries: Record<string, Country>; country_calling_codes: Record<string, string[]> };
  const version = (require("libphonenumber-js/package.json") as { version: string }).version;
  const roots: Node[] = [];
  const rows: string[] = [];
  const bare: number[] = [];
  for (const region of regions) {
    const c = meta.countries[region];
    if (!c) throw new Error(`libphonenumber has no region ${region}`);
    const types = (c[11] as Array<[string] | 0> | undefined) ?? [];
    const patterns = types.filter((t): t is [string] => Array.isArray(t) && typeof t[0] === "string" && t[0].length > 0).map((t) => t[0]);
    roots.push(buildTrie(patterns.length ? patterns : [c[2]]));
    const trunk = typeof c[5] === "string" ? c[5] : "";
    rows.push(`  ["${region}", "${c[0]}", "${trunk}"],`);
    bare.push(...withoutTrunk(c, trunk, meta.countries[meta.country_calling_codes[c[0]][0]]));
  }
  const { bytes, offsets } = encode(roots);
  const hex = bytes.map((b) => b.toString()).join(",");
  return `// Generated by scripts/phone-tables.ts from libphonenumber-js ${version} (metadata.max.json). Do not edit.
// ${regions.length} regions, ${bytes.length} bytes of trie.

/** Region, calling code, trunk prefix (national form). */
export const PHONE_REGIONS: StaticArray<StaticArray<string>> = [
${rows.join("\n")}
];
/** Offset of each region's trie root in PHONE_TRIE. */
export const PHONE_ROOTS: StaticArray<u16> = [${offsets.join(", ")}];
/** Per region 13 bytes: bit 10a+b set when national numbers starting with digits a, b are written without the trunk prefix. */
export const PHONE_BARE = memory.data<u8>([${bare.join(",")}]);
export const PHONE_TRIE = memory.data<u8>([${hex}]);
`;
}

export function writePhoneTables(): boolean {
  const list = process.env.PHONE_REGIONS ? process.env.PHONE_REGIONS.split(",").map((s) => s.trim().toUpperCase()) : DEFAULT_REGIONS;
  const text = generate(list);
  if (existsSync(OUT) && readFileSync(OUT, "utf8") === text) return false;
  writeFileSync(OUT, text);
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writePhoneTables();
  console.log(readFileSync(OUT, "utf8").split("\n")[1]);
}
