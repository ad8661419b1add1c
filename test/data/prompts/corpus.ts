// A multilingual prompt corpus, generated at test time from a fixed seed:
// prose in many scripts (words.ts), code, JSON, tables and numbers,
// whitespace runs, random keys, emoji and mixes of them. Each class has the
// same number of prompts, their lengths spread from a few characters to
// several thousand. Used to calibrate the prompt estimator
// (assembly/common/token-estimate.ts) against real tokenizers.
import { LANGUAGES, type Language } from "./words.ts";

export interface Prompt {
  cls: string;
  text: string;
}

/** mulberry32: a small seeded generator, the same sequence on every run. */
export class Rng {
  constructor(private state: number) {}
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(a: readonly T[]): T {
    return a[Math.floor(this.next() * a.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** A length spread evenly on a log scale between lo and hi. */
  logLength(lo: number, hi: number): number {
    return Math.round(Math.exp(Math.log(lo) + this.next() * (Math.log(hi) - Math.log(lo))));
  }
}

const ENGLISH = LANGUAGES.english.words;

function capitalize(w: string): string {
  return w.charAt(0).toUpperCase() + w.slice(1);
}

/** A made-up word from the letters of the language's words: names and rare words cost more tokens than common ones. */
function pseudoWord(r: Rng, lang: Language): string {
  let w = "";
  const n = r.int(2, lang.unspaced ? 4 : 9);
  for (let i = 0; i < n; i++) {
    const chars = [...r.pick(lang.words)];
    w += chars[r.int(0, chars.length - 1)];
  }
  return w;
}

function sentence(r: Rng, lang: Language): string {
  const n = r.int(3, 16);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    let w = r.chance(0.1) ? pseudoWord(r, lang) : r.pick(lang.words);
    if (i === 0) w = capitalize(w);
    parts.push(w);
    if (i < n - 1 && r.chance(0.12)) parts[parts.length - 1] += lang.comma;
  }
  if (r.chance(0.08)) parts.splice(r.int(0, parts.length), 0, String(r.int(1, 2030)));
  return parts.join(lang.unspaced ? "" : " ") + (r.chance(0.1) ? (lang.unspaced && lang.stop !== " " ? "？" : "?") : lang.stop);
}

function prose(r: Rng, langs: Language[], length: number): string {
  let out = "";
  while (out.length < length) {
    const lang = r.pick(langs);
    const s = sentence(r, lang);
    if (out.length > 0) out += r.chance(0.1) ? "\n\n" : lang.unspaced ? "" : " ";
    out += s;
  }
  return out;
}

const camel = (ws: string[]) => ws[0] + ws.slice(1).map(capitalize).join("");
const snake = (ws: string[]) => ws.join("_");
const identifier = (r: Rng) => {
  const ws = Array.from({ length: r.int(1, 3) }, () => r.pick(ENGLISH).toLowerCase().replace(/[^a-z]/g, "") || "x");
  return r.chance(0.5) ? camel(ws) : snake(ws);
};

function codeLine(r: Rng, lang: string, depth: number): string {
  const indent = lang === "go" ? "\t".repeat(depth) : " ".repeat((lang === "python" ? 4 : 2) * depth);
  const a = identifier(r);
  const b = identifier(r);
  const n = r.chance(0.5) ? String(r.int(0, 100000)) : (r.next() * 1000).toFixed(r.int(1, 4));
  const str = JSON.stringify(Array.from({ length: r.int(1, 6) }, () => r.pick(ENGLISH)).join(" "));
  const lines: Record<string, string[]> = {
    js: [`const ${a} = ${b}(${n}, ${str});`, `if (${a} >= ${n} && !${b}) return null;`, `${a}.${b} = await fetch(\`/api/v1/\${${b}}\`);`, `// ${Array.from({ length: r.int(2, 8) }, () => r.pick(ENGLISH)).join(" ")}`, `for (let i = 0; i < ${a}.length; i++) ${b}[i] += ${n};`, `export function ${a}(${b}: number[]): Map<string, number> {`, `}`],
    python: [`${a} = ${b}(${n}, ${str})`, `if ${a} is None or ${b} > ${n}:`, `    return [x ** 2 for x in ${a} if x % 3 == 0]`, `# ${Array.from({ length: r.int(2, 8) }, () => r.pick(ENGLISH)).join(" ")}`, `def ${a}(self, ${b}: dict[str, int]) -> list[str]:`, `print(f"{${a}=} {${b}!r}")`],
    go: [`${a} := ${b}(${n}, ${str})`, `if err != nil {`, `return nil, fmt.Errorf("${a}: %w", err)`, `}`, `func (s *${capitalize(a)}) ${capitalize(b)}(ctx context.Context) ([]byte, error) {`, `// ${capitalize(a)} ${Array.from({ length: r.int(2, 8) }, () => r.pick(ENGLISH)).join(" ")}`],
    sql: [`SELECT ${a}, COUNT(*) AS n FROM ${b} WHERE ${a} > ${n} GROUP BY ${a} ORDER BY n DESC;`, `INSERT INTO ${a} (${b}, created_at) VALUES (${str.replace(/"/g, "'")}, NOW());`, `UPDATE ${a} SET ${b} = ${b} + ${n} WHERE id = ${r.int(1, 99999)};`],
    shell: [`curl -sS -X POST "http://127.0.0.1:${r.int(1024, 65535)}/v1/${a}" -H 'content-type: application/json' -d '{"${b}": ${n}}'`, `for f in ./${a}/*.log; do grep -c "${b}" "$f"; done | sort -n | tail -${r.int(1, 20)}`, `export ${a.toUpperCase()}=${n} && npm run ${b} -- --verbose`],
  };
  return indent + r.pick(lines[lang]);
}

function code(r: Rng, length: number): string {
  const lang = r.pick(["js", "python", "go", "sql", "shell"]);
  let out = "";
  let depth = 0;
  while (out.length < length) {
    depth = Math.max(0, Math.min(4, depth + r.int(-1, 1)));
    out += codeLine(r, lang, depth) + (r.chance(0.05) ? "\n\n" : "\n");
  }
  return out;
}

function jsonValue(r: Rng, depth: number): unknown {
  const k = r.int(0, depth > 2 ? 5 : 7);
  switch (k) {
    case 0: return r.int(-1000, 1_000_000);
    case 1: return Math.round(r.next() * 1e6) / 100;
    case 2: return r.chance(0.5);
    case 3: return null;
    case 4: return Array.from({ length: r.int(1, 8) }, () => r.pick(ENGLISH)).join(" ");
    case 5: return r.pick(Object.values(LANGUAGES)).words.slice(0, 5).join(" ");
    case 6: return Array.from({ length: r.int(0, 5) }, () => jsonValue(r, depth + 1));
    default: return Object.fromEntries(Array.from({ length: r.int(1, 6) }, () => [identifier(r), jsonValue(r, depth + 1)]));
  }
}

function json(r: Rng, length: number): string {
  const items: unknown[] = [];
  const pretty = r.chance(0.5);
  let text = "";
  while (text.length < length) {
    items.push(Object.fromEntries(Array.from({ length: r.int(2, 8) }, () => [identifier(r), jsonValue(r, 0)])));
    text = JSON.stringify(items.length === 1 ? items[0] : items, null, pretty ? 2 : undefined);
  }
  return text;
}

function table(r: Rng, length: number): string {
  const cols = r.int(2, 7);
  const head = Array.from({ length: cols }, () => identifier(r));
  const csv = r.chance(0.4);
  const cell = () => {
    switch (r.int(0, 5)) {
      case 0: return String(r.int(0, 99999));
      case 1: return (r.next() * 10000 - 2000).toFixed(2);
      case 2: return `${(r.next() * 100).toFixed(1)}%`;
      case 3: return `2026-${String(r.int(1, 12)).padStart(2, "0")}-${String(r.int(1, 28)).padStart(2, "0")}`;
      case 4: return `$${r.int(1, 999)},${String(r.int(0, 999)).padStart(3, "0")}.${String(r.int(0, 99)).padStart(2, "0")}`;
      default: return r.pick(ENGLISH);
    }
  };
  const row = (cells: string[]) => (csv ? cells.join(",") : `| ${cells.join(" | ")} |`);
  let out = row(head) + "\n" + (csv ? "" : row(head.map(() => "---")) + "\n");
  while (out.length < length) out += row(Array.from({ length: cols }, cell)) + "\n";
  return out;
}

function spacedNumbers(r: Rng, length: number): string {
  const sep = r.pick([" ", " ", ", ", "\n", "\t", "  ", ";"]);
  const max = r.pick([9, 99, 999, 99999, 1e9]);
  const parts: string[] = [];
  let n = 0;
  while (n < length) {
    const v = r.chance(0.15) ? (r.next() * max).toFixed(r.int(1, 3)) : String(r.int(0, max));
    parts.push(r.chance(0.1) ? "-" + v : v);
    n += v.length + sep.length;
  }
  return parts.join(sep);
}

function whitespace(r: Rng, length: number): string {
  const units = ["\n", " ", "\t", "\r\n", "\n ", " \n", "\n\n\t", "    "];
  if (r.chance(0.5)) return r.pick(units).repeat(Math.max(1, Math.round(length / 2)));
  let out = "";
  while (out.length < length) out += r.pick(units).repeat(r.int(1, 40));
  return out;
}

const HEX = "0123456789abcdef";
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const ALNUM = B64.slice(0, 62);
const chars = (r: Rng, set: string, n: number) => Array.from({ length: n }, () => set[r.int(0, set.length - 1)]).join("");

function randomKey(r: Rng): string {
  switch (r.int(0, 6)) {
    case 0: return chars(r, HEX, r.pick([32, 40, 64, 128]));
    case 1: {
      const s = chars(r, B64, 4 * r.int(4, 150));
      return r.chance(0.5) ? s.slice(0, -2) + "==" : s;
    }
    case 2: return [8, 4, 4, 4, 12].map((n) => chars(r, HEX, n)).join("-");
    case 3: return "sk-" + chars(r, ALNUM, r.int(32, 64));
    case 4: return [r.int(20, 60), r.int(60, 300), 43].map((n) => chars(r, ALNUM + "-_", n)).join(".");
    case 5: return chars(r, ALNUM + "!@#$%^&*()-_=+[]{};:,.<>?", r.int(12, 40));
    default: return chars(r, HEX.toUpperCase(), r.int(16, 64)).replace(/(..)(?!$)/g, r.pick(["$1:", "$1 ", "$1"]));
  }
}

function keys(r: Rng, length: number): string {
  const lines: string[] = [];
  let n = 0;
  while (n < length) {
    const k = randomKey(r);
    const line = r.chance(0.4) ? `${identifier(r).toUpperCase()}=${k}` : k;
    lines.push(line);
    n += line.length + 1;
  }
  return lines.join(r.pick(["\n", " ", "\n\n"]));
}

const EMOJI = [
  "😀", "😂", "🥲", "😍", "🤔", "🙏", "🔥", "✨", "🎉", "🚀", "💡", "📈", "✅", "❌", "⚠️", "❤️", "☀️", "✈️",
  "👍🏽", "👋🏿", "🤝🏻", "💪🏼", "👩🏾‍💻", "🧑🏻‍🚀", "👨‍👩‍👧‍👦", "👩‍❤️‍👨", "🏳️‍🌈", "🏴‍☠️", "🐕‍🦺", "😶‍🌫️",
  "🇯🇵", "🇧🇷", "🇩🇪", "🇮🇳", "🇺🇦", "🇰🇷", "🇺🇸", "🇫🇷", "1️⃣", "#️⃣", "©️", "🫠", "🪿", "🧌", "🦩", "🥟",
];

function emoji(r: Rng, length: number): string {
  let out = "";
  const words = r.chance(0.5);
  while (out.length < length) {
    out += r.pick(EMOJI);
    if (words && r.chance(0.3)) out += " " + r.pick(ENGLISH) + " ";
    else if (r.chance(0.2)) out += " ";
  }
  return out;
}

type Generator = (r: Rng, length: number) => string;

const byGroup = (group: string) => Object.values(LANGUAGES).filter((l) => l.group === group);
const proseOf = (group: string): Generator => (r, n) => prose(r, byGroup(group), n);

/** Corpus classes and how each writes a prompt of about `length` characters. */
export const CLASSES: Record<string, Generator> = {
  english: proseOf("english"),
  "latin-languages": proseOf("latin-languages"),
  "latin-diacritics": proseOf("latin-diacritics"),
  cyrillic: proseOf("cyrillic"),
  greek: proseOf("greek"),
  arabic: proseOf("arabic"),
  hebrew: proseOf("hebrew"),
  indic: proseOf("indic"),
  thai: proseOf("thai"),
  chinese: proseOf("chinese"),
  japanese: proseOf("japanese"),
  korean: proseOf("korean"),
  code,
  json,
  tables: table,
  "spaced-numbers": spacedNumbers,
  whitespace,
  "random-keys": keys,
  emoji,
  mixed: (r, n) => {
    const names = Object.keys(CLASSES).filter((c) => c !== "mixed");
    const pieces: string[] = [];
    let total = 0;
    while (total < n) {
      const piece = CLASSES[r.pick(names)](r, r.logLength(5, Math.max(6, n / 2)));
      pieces.push(piece);
      total += piece.length;
    }
    return pieces.join(r.pick(["\n\n", " ", "\n"]));
  },
};

/** `perClass` prompts of each class, 3 to 6000 characters long, the same on every run for the same seed. */
export function promptCorpus(perClass = 60, seed = 20261206): Prompt[] {
  const r = new Rng(seed);
  const out: Prompt[] = [];
  for (const [cls, gen] of Object.entries(CLASSES)) {
    for (let i = 0; i < perClass; i++) out.push({ cls, text: gen(r, r.logLength(3, 6000)) });
  }
  return out;
}
