// Checks that a change to semantic-router leaves every decision the same to
// the bit: builds the lexical and embed modules of two source trees (a git
// revision and the working tree) with every decision logging its exact
// scores (final score and complexity score as f64 bits; per route the
// score, its nearest example and the linear model's probability), sends
// the same texts through both in the emulator and compares, per request,
// those lines, the route and score headers and the model written into the
// body. The texts: CLINC150's train, validation, test and out-of-scope
// queries, the Chinese set, and generated ones (word salads, random code
// points from many scripts, long repeats with code and math marks); the
// configurations: every scoring mode, 150 intents, a short scan budget,
// keywords and a complexity route, and the embed module with and without
// `classifier: "embeddings"`.
//
//   npx tsx scripts/router/compare-scores.ts [--base REV] [--generated N]
//   (REV defaults to HEAD: compare uncommitted changes; e.g. --base main)
//
// The logging is added to copies of the sources under .tmp/compare-scores
// by plain text edits of decide.ts and model.ts; the script stops with a
// message when those files no longer have the lines it edits.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileInTree } from "../lib/asc-tree.ts";
import { ROOT, TMP } from "../lib/paths.ts";
import { ensureTable, staticTableHook } from "./static/build-table.ts";
import { PROMPT_2K } from "./prompt-2k.ts";
import { Prng } from "../../test/unit/common/corpus/prng.ts";
import { clincConfig, loadClinc } from "../../test/unit/semantic-router/clinc-config.ts";
import { zhSet } from "../../test/unit/semantic-router/zh.ts";
import { GATEWAY_CONFIG } from "../../test/unit/semantic-router/fixtures.ts";
import { chat, routerVm } from "../../test/unit/semantic-router/support.ts";
import { Host } from "../../test/host/host.ts";
import type { ProxyVm } from "../../test/host/vm.ts";

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}

const BASE = flag("base", "HEAD");
const GENERATED = Number(flag("generated", "1500"));
const WORK = join(TMP, "compare-scores");

/** Replaces `from` by `to` in a file, or stops: the sources changed shape. */
function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, "utf8");
  if (!text.includes(from)) throw new Error(`${file} no longer has ${JSON.stringify(from.slice(0, 60))}: update compare-scores.ts`);
  writeFileSync(file, text.replace(from, to));
}

const TRACE = `
const scoreBits = new ScoreBitsLogger("score-bits");
export function decide(cfg: RouterConfig, text: string): Decision {
  const d = decideUntraced(cfg, text);
  let s = "BITS " + d.target.name + " " + d.outcomeName + " " + reinterpret<u64>(d.score).toString(16) + " " + reinterpret<u64>(d.complexityScore).toString(16);
  const m = cfg.model;
  if (m !== null && m.examples > 0 && text.length > 0 && d.outcome != Outcome.Keyword) {
    const rs = m.routeBuf;
    for (let i = 0; i < rs.scores.length; i++) s += " " + reinterpret<u64>(rs.scores[i]).toString(16) + ":" + rs.nearest[i].toString();
    const p = m.probabilities;
    if (p !== null) for (let i = 0; i < p.length; i++) s += " p" + reinterpret<u64>(p[i]).toString(16);
  }
  scoreBits.info(s);
  return d;
}
`;

/** The two modules of a source tree under WORK (its assembly/ and asconfig.json), with the score log. */
function buildTraced(name: string): { lexical: string; embed: string } {
  const tree = join(WORK, name);
  const decide = join(tree, "assembly/semantic-router/decide.ts");
  edit(decide, "export function decide(cfg: RouterConfig, text: string): Decision {", "function decideUntraced(cfg: RouterConfig, text: string): Decision {");
  writeFileSync(decide, `import { Logger as ScoreBitsLogger } from "../common/log";\n${readFileSync(decide, "utf8")}${TRACE}`);
  edit(join(tree, "assembly/semantic-router/model.ts"), "private routeBuf: RouteScores", "routeBuf: RouteScores");
  if (!existsSync(join(tree, "node_modules"))) symlinkSync(join(ROOT, "node_modules"), join(tree, "node_modules"));
  const out = { lexical: join(WORK, `${name}-lexical.wasm`), embed: join(WORK, `${name}-embed.wasm`) };
  compileInTree(tree, "assembly/semantic-router/index.ts", out.lexical);
  compileInTree(tree, "assembly/semantic-router-embed/index.ts", out.embed, staticTableHook.prepare() ?? []);
  staticTableHook.finish(out.embed);
  return out;
}

function prepareTrees(): void {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(join(WORK, "base"), { recursive: true });
  const archive = execFileSync("git", ["archive", BASE, "assembly", "asconfig.json"], { cwd: ROOT, maxBuffer: 1 << 30 });
  execFileSync("tar", ["-x", "-C", join(WORK, "base")], { input: archive });
  mkdirSync(join(WORK, "change"), { recursive: true });
  cpSync(join(ROOT, "assembly"), join(WORK, "change", "assembly"), { recursive: true });
  cpSync(join(ROOT, "asconfig.json"), join(WORK, "change", "asconfig.json"));
  // Generated sources git does not track (content-audit's phone tables) are not compiled here.
}

function texts() {
  const data = loadClinc();
  const rng = new Prng(20261207);
  const clinc = [...data.train.map(([t]) => t), ...data.val.map(([t]) => t), ...data.test.map(([t]) => t), ...data.oos_val, ...data.oos_test];
  const zh = [...zhSet("test").inScope, ...zhSet("test").oos, ...zhSet("val").inScope, ...zhSet("val").oos].map((i) => i.text);
  const words = data.train.flatMap(([t]) => t.split(" "));
  const generated: string[] = [PROMPT_2K, PROMPT_2K.slice(700, 1900), PROMPT_2K.toUpperCase(), ""];
  const ranges = [[0x20, 0x7f], [0xa0, 0x250], [0x370, 0x400], [0x400, 0x500], [0x4e00, 0x9fff], [0x3040, 0x30ff], [0xac00, 0xd7a3], [0xff00, 0xffef], [0x2000, 0x2bff], [0x3000, 0x303f], [0xd800, 0xdfff], [0x0, 0x20]];
  for (let i = 0; i < GENERATED; i++) {
    if (i % 3 === 0) {
      const n = 1 + rng.int(500);
      generated.push(Array.from({ length: n }, () => (rng.next() < 0.1 ? zh[rng.int(zh.length)] : words[rng.int(words.length)])).join(rng.next() < 0.5 ? " " : ",  "));
    } else if (i % 3 === 1) {
      let s = "";
      for (let j = 1 + rng.int(3000); j > 0; j--) {
        const [a, b] = ranges[rng.int(ranges.length)];
        s += String.fromCharCode(a + rng.int(b - a));
      }
      generated.push(s);
    } else {
      generated.push((clinc[rng.int(clinc.length)] + " ").repeat(1 + rng.int(40)) + "? {x = y; } ∑ prove the theorem step by step, compare and explain why");
    }
  }
  const every = (list: string[], n: number, k: number) => list.filter((_, i) => i % n === k);
  const sets: [string, "lexical" | "embed", Record<string, unknown>, string[]][] = [
    ["lexical, domains, mixed", "lexical", clincConfig(data, "domains", { threshold: 0.2, input: { max_scan_bytes: 2048 } }), [...clinc, ...zh, ...generated]],
    ["lexical, domains, nearest 3", "lexical", clincConfig(data, "domains", { scoring: "nearest", neighbors: 3, input: { max_scan_bytes: 2048 } }), [...every(clinc, 4, 0), ...generated]],
    ["lexical, domains, centroid", "lexical", clincConfig(data, "domains", { scoring: "centroid" }), [...every(clinc, 4, 1), ...generated]],
    ["lexical, 150 intents", "lexical", clincConfig(data, "intents", { threshold: 0 }), [...every(clinc, 4, 2), ...generated]],
    ["lexical, 150 intents, nearest 3", "lexical", clincConfig(data, "intents", { scoring: "nearest", neighbors: 3, threshold: 0 }), [...every(clinc, 4, 3), ...zh, ...generated]],
    ["lexical, Chinese routes", "lexical", zhSet("test").config, [...zh, ...every(generated, 2, 0)]],
    ["lexical, max_scan_bytes 64", "lexical", clincConfig(data, "domains", { threshold: 0.1, input: { max_scan_bytes: 64 } }), [...every(clinc, 2, 1), ...generated]],
    ["lexical, keywords and a complexity route", "lexical", { ...GATEWAY_CONFIG, model_policy: "always" }, [...every(clinc, 8, 3), ...zh, ...generated]],
    ["embed module, classifier embeddings", "embed", clincConfig(data, "domains", { classifier: "embeddings", input: { max_scan_bytes: 2048 } }), [...every(clinc, 3, 0), ...zh, ...generated]],
    ["embed module, lexical", "embed", clincConfig(data, "domains", { threshold: 0.2 }), [...every(clinc, 8, 5), ...every(generated, 3, 0)]],
  ];
  return sets;
}

async function decisions(vm: ProxyVm, list: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const t of list) {
    vm.logs.length = 0;
    const res = await chat(vm, t);
    const bits = vm.logs.map((l) => l.message).filter((m) => m.includes("BITS "));
    const up = res.upstream;
    out.push(`${res.status} ${up?.headers.get("x-semantic-route") ?? "-"} ${up?.headers.get("x-semantic-score") ?? "-"} ${up ? JSON.parse(up.bodyText).model : "-"} | ${bits.join(" / ")}`);
  }
  if (vm.trapped) throw new Error("the VM trapped");
  return out;
}

ensureTable();
prepareTrees();
const base = buildTraced("base");
const change = buildTraced("change");
let total = 0;
let differ = 0;
for (const [name, module, config, list] of texts()) {
  const a = await decisions(routerVm(config, new Host(), base[module]), list);
  const b = await decisions(routerVm(config, new Host(), change[module]), list);
  let n = 0;
  for (let i = 0; i < list.length; i++) {
    if (!a[i].includes("BITS ")) throw new Error(`${name}: no score line for ${JSON.stringify(list[i].slice(0, 60))}`);
    if (a[i] === b[i]) continue;
    if (n < 3) console.log(`  differs: ${JSON.stringify(list[i].slice(0, 60))}\n    ${BASE}: ${a[i].slice(0, 240)}\n    change: ${b[i].slice(0, 240)}`);
    n++;
  }
  console.log(`${name}: ${list.length} requests, ${n} differ`);
  total += list.length;
  differ += n;
}
console.log(`${total} requests through each module, ${differ} differ (${BASE} against the working tree)`);
process.exit(differ === 0 ? 0 : 1);
