// The secret detector against gitleaks (its public rule set, built from its
// Go module by scripts/gitleaks/setup.ts) as the oracle: keys of each
// provider, generated here with a fixed seed in the formats the providers
// publish, inside chat sentences, code and config lines, plus hard negatives
// (UUIDs, hashes, base64 blobs in code, words that start like prefixes). Both
// scan the same texts; every secret gitleaks finds under a rule we cover
// must be masked by content-audit. Prints recall per provider for both and
// the false positives on the negatives.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureGitleaks } from "../../../scripts/gitleaks/setup.ts";
import type { ProxyVm } from "../../host/vm.ts";
import { auditVm, buildFilter, chatBody, post } from "./helpers.ts";

let seed = 20261206;
function rand(): number {
  // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = LOWER.toUpperCase();
const DIGITS = "0123456789";
const ALNUM = LOWER + UPPER + DIGITS;
const HEX = "0123456789abcdef";

/** n characters of `alphabet`, with at least one of each of `must` (random keys mix their classes). */
function chars(alphabet: string, n: number, must: string[] = []): string {
  for (;;) {
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
    if (must.every((m) => [...s].some((c) => m.includes(c)))) return s;
  }
}
const mixed = (alphabet: string, n: number) => chars(alphabet, n, [LOWER + UPPER, DIGITS]);
const b64url = (s: string) => Buffer.from(s).toString("base64url");

/** Each provider: the gitleaks rules that find it, and a generator of its keys. */
const PROVIDERS: Record<string, { rules: string[]; make: () => string }> = {
  "OpenAI (sk-proj-)": { rules: ["openai-api-key"], make: () => `sk-proj-${mixed(ALNUM + "_-", 74)}T3BlbkFJ${mixed(ALNUM + "_-", 74)}` },
  "OpenAI (sk-)": { rules: ["openai-api-key"], make: () => `sk-${mixed(ALNUM, 20)}T3BlbkFJ${mixed(ALNUM, 20)}` },
  Anthropic: { rules: ["anthropic-api-key"], make: () => `sk-ant-api03-${mixed(ALNUM + "_-", 93)}AA` },
  "Anthropic admin": { rules: ["anthropic-admin-api-key"], make: () => `sk-ant-admin01-${mixed(ALNUM + "_-", 93)}AA` },
  "AWS access key id": { rules: ["aws-access-token"], make: () => `${pick(["AKIA", "ASIA", "ABIA", "ACCA"])}${chars(UPPER + "234567", 16, [UPPER, "234567"])}` },
  "GitHub PAT": { rules: ["github-pat"], make: () => `ghp_${mixed(ALNUM, 36)}` },
  "GitHub OAuth": { rules: ["github-oauth"], make: () => `gho_${mixed(ALNUM, 36)}` },
  "GitHub app": { rules: ["github-app-token"], make: () => `${pick(["ghu", "ghs"])}_${mixed(ALNUM, 36)}` },
  "GitHub refresh": { rules: ["github-refresh-token"], make: () => `ghr_${mixed(ALNUM, 36)}` },
  "GitHub fine-grained": { rules: ["github-fine-grained-pat"], make: () => `github_pat_${mixed(ALNUM + "_", 82)}` },
  GitLab: { rules: ["gitlab-pat"], make: () => `glpat-${mixed(ALNUM + "_-", 20)}` },
  "Slack bot": { rules: ["slack-bot-token"], make: () => `xoxb-${chars(DIGITS, int(10, 13))}-${chars(DIGITS, int(10, 13))}-${mixed(ALNUM, 24)}` },
  "Slack user": { rules: ["slack-user-token"], make: () => `xoxp-${chars(DIGITS, 12)}-${chars(DIGITS, 12)}-${chars(DIGITS, 13)}-${mixed(ALNUM, 32)}` },
  "Slack app": { rules: ["slack-app-token"], make: () => `xapp-1-A${chars(UPPER + DIGITS, 10)}-${chars(DIGITS, 13)}-${chars(HEX, 64)}` },
  "Slack webhook": { rules: ["slack-webhook-url"], make: () => `https://hooks.slack.com/services/T${chars(UPPER + DIGITS, 8)}/B${chars(UPPER + DIGITS, 8)}/${mixed(ALNUM, 24)}` },
  "Google API key": { rules: ["gcp-api-key"], make: () => `AIza${mixed(ALNUM + "_-", 35)}` },
  Stripe: { rules: ["stripe-access-token"], make: () => `${pick(["sk", "rk"])}_${pick(["live", "test"])}_${mixed(ALNUM, int(24, 99))}` },
  "Hugging Face": { rules: ["huggingface-access-token"], make: () => `hf_${chars(LOWER + UPPER, 34, [LOWER, UPPER])}` },
  npm: { rules: ["npm-access-token"], make: () => `npm_${mixed(LOWER + DIGITS, 36)}` },
  SendGrid: { rules: ["sendgrid-api-token"], make: () => `SG.${mixed(ALNUM + "_-", 22)}.${mixed(ALNUM + "_-", 43)}` },
  Twilio: { rules: ["twilio-api-key"], make: () => `SK${chars(HEX, 32, ["abcdef", DIGITS])}` },
  Mailgun: { rules: ["mailgun-private-api-token"], make: () => `key-${chars(HEX, 32, ["abcdef", DIGITS])}` },
  Shopify: {
    rules: ["shopify-access-token", "shopify-custom-access-token", "shopify-private-app-access-token", "shopify-shared-secret"],
    make: () => `${pick(["shpat", "shpca", "shppa", "shpss"])}_${chars(HEX, 32, ["abcdef", DIGITS])}`,
  },
  DigitalOcean: { rules: ["digitalocean-access-token", "digitalocean-pat", "digitalocean-refresh-token"], make: () => `${pick(["doo", "dop", "dor"])}_v1_${chars(HEX, 64, ["abcdef", DIGITS])}` },
  Databricks: { rules: ["databricks-api-token"], make: () => `dapi${chars(HEX, 32, ["abcdef", DIGITS])}` },
  Atlassian: { rules: ["atlassian-api-token"], make: () => `ATATT3${mixed(ALNUM + "_-=", 186)}` },
  JWT: {
    rules: ["jwt"],
    make: () => `${b64url(JSON.stringify({ alg: pick(["HS256", "RS256", "ES256"]), typ: "JWT" }))}.${b64url(JSON.stringify({ sub: chars(DIGITS, 10), name: chars(LOWER, 8), iat: int(1e9, 2e9) }))}.${mixed(ALNUM + "_-", 43)}`,
  },
  "Private key (PEM)": {
    rules: ["private-key"],
    make: () => {
      const kind = pick(["", "RSA ", "EC ", "OPENSSH ", "ENCRYPTED "]);
      const body = Array.from({ length: int(4, 12) }, () => chars(ALNUM + "+/", 64)).join("\n");
      return `-----BEGIN ${kind}PRIVATE KEY-----\n${body}\n-----END ${kind}PRIVATE KEY-----`;
    },
  },
  "Private key (PGP)": {
    rules: ["private-key"],
    make: () => {
      const body = Array.from({ length: int(4, 12) }, () => chars(ALNUM + "+/", 64)).join("\n");
      return `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n${body}\n=${chars(ALNUM, 4)}\n-----END PGP PRIVATE KEY BLOCK-----`;
    },
  },
};

/** How a key appears in a chat: prose in a few languages, shell, JSON, YAML, code. */
const CONTEXTS: ((k: string, provider: string) => string)[] = [
  (k) => `Here is the key you asked for: ${k} - keep it safe.`,
  (k) => `我的密钥是 ${k} ，请不要分享。`,
  (k) => `Der Schlüssel lautet ${k}\nBitte nicht weitergeben.`,
  (k, p) => `export ${p.replace(/[^A-Za-z]/g, "_").toUpperCase()}_TOKEN="${k}"`,
  (k) => `{"credentials": {"token": "${k}", "region": "eu-west-1"}}`,
  (k, p) => (p == "Mailgun" ? `mailgun_api_key: ${k}` : `api_key: '${k}'`),
  (k) => `client = Client(token='${k}')  # from the dashboard`,
];

/** Hard negatives: values that look random but are not secrets of any provider. */
function negatives(): string[] {
  const uuid = () => `${chars(HEX, 8)}-${chars(HEX, 4)}-4${chars(HEX, 3)}-a${chars(HEX, 3)}-${chars(HEX, 12)}`;
  const out: string[] = [];
  for (let i = 0; i < 40; i++) {
    out.push(`Request ${uuid()} failed; retry with id ${uuid()}.`);
    out.push(`commit ${chars(HEX, 40)}\nAuthor: dev <dev@example.com>`);
    out.push(`sha256: ${chars(HEX, 64)}  release.tar.gz`);
    out.push(`md5 ${chars(HEX, 32)} and short hash ${chars(HEX, 7)}`);
    out.push(`const data = "${Buffer.from(chars(ALNUM, int(40, 150))).toString("base64")}";`);
    out.push(`<img src="data:image/png;base64,${Buffer.from(chars(ALNUM, 90)).toString("base64")}">`);
    out.push(`Use scikit-learn's task-force of key-value pairs; the sk-learn docs and the SKU ${chars(UPPER + DIGITS, 12)} help.`);
    out.push(`npm_config_cache=/tmp/npm and hf_hub_download("${chars(LOWER, 8)}/${chars(LOWER, 10)}") then dapi docs.`);
    out.push(`The AIza prefix marks Google keys; sk_live_ marks Stripe ones; ghp_ GitHub ones (none here).`);
    out.push(`key-value store at shard ${chars(HEX, 8)}, token count ${int(1000, 99999)}, SG.${chars(LOWER, 6)} group.`);
  }
  return out;
}

type Case = { provider: string | null; key: string | null; text: string };

function corpus(): Case[] {
  const cases: Case[] = [];
  for (const [provider, p] of Object.entries(PROVIDERS)) {
    for (let i = 0; i < 14; i++) {
      const key = p.make();
      cases.push({ provider, key, text: CONTEXTS[i % CONTEXTS.length](key, provider) });
    }
  }
  for (const text of negatives()) cases.push({ provider: null, key: null, text });
  return cases;
}

interface GitleaksFinding {
  RuleID: string;
  Secret: string;
  File: string;
}

/** gitleaks' findings per case index (each case in a file of its own). */
function runGitleaks(cases: Case[]): Map<number, GitleaksFinding[]> {
  const bin = ensureGitleaks();
  const dir = mkdtempSync(join(tmpdir(), "gitleaks-corpus-"));
  const files = join(dir, "texts");
  mkdirSync(files);
  cases.forEach((c, i) => writeFileSync(join(files, `${i}.txt`), c.text));
  const report = join(dir, "report.json");
  try {
    execFileSync(bin, ["dir", files, "--report-format", "json", "--report-path", report, "--no-banner", "--exit-code", "0", "--redact=0", "--log-level", "error"], { stdio: "pipe" });
    const found: GitleaksFinding[] = JSON.parse(readFileSync(report, "utf8"));
    const byCase = new Map<number, GitleaksFinding[]>();
    for (const f of found) {
      const i = Number(f.File.split("/").pop()!.replace(".txt", ""));
      byCase.set(i, [...(byCase.get(i) ?? []), f]);
    }
    return byCase;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The long runs of a secret (its body lines for a key block): none may be left in a masked text. */
const runsOf = (secret: string) => secret.match(/[A-Za-z0-9+/=_.-]{12,}/g) ?? [secret];
const leaks = (masked: string, secret: string) => runsOf(secret).some((r) => masked.includes(r));

const COVERED = new Set(Object.values(PROVIDERS).flatMap((p) => p.rules));

let vm: ProxyVm;
beforeAll(async () => {
  await buildFilter();
  vm = auditVm({ rules: [{ id: "secrets", type: "pii", detectors: ["secret"], action: "mask" }] });
}, 600_000);
afterAll(() => expect(vm.trapped).toBe(false));

async function masked(text: string): Promise<string> {
  const res = await post(vm, chatBody(text));
  return JSON.parse(res.upstream!.bodyText).messages[0].content;
}

describe("secrets against gitleaks", () => {
  it("masks every secret gitleaks finds under the rules it covers; few findings on hard negatives", async () => {
    const cases = corpus();
    const oracle = runGitleaks(cases);
    const rows = new Map<string, { n: number; ours: number; gitleaks: number; missedOfGitleaks: number }>();
    const missed: string[] = [];
    let negatives = 0;
    let ourFalse = 0;
    let gitleaksFalse = 0;
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i];
      const out = await masked(c.text);
      const found = (oracle.get(i) ?? []).filter((f) => COVERED.has(f.RuleID));
      if (c.provider === null) {
        negatives++;
        if (out != c.text) ourFalse++;
        if (found.length > 0) gitleaksFalse++;
        continue;
      }
      const row = rows.get(c.provider) ?? { n: 0, ours: 0, gitleaks: 0, missedOfGitleaks: 0 };
      row.n++;
      if (!leaks(out, c.key!)) row.ours++;
      const gitleaksFound = found.some((f) => runsOf(f.Secret).some((r) => c.key!.includes(r)) || c.key!.includes(f.Secret));
      if (gitleaksFound) row.gitleaks++;
      for (const f of found) {
        if (leaks(out, f.Secret)) {
          row.missedOfGitleaks++;
          missed.push(`${f.RuleID}: ${JSON.stringify(c.text)} -> ${JSON.stringify(out)}`);
        }
      }
      rows.set(c.provider, row);
    }
    const table = ["| provider | keys | content-audit recall | gitleaks recall |", "| --- | --- | --- | --- |"];
    for (const [p, r] of rows) table.push(`| ${p} | ${r.n} | ${(r.ours / r.n).toFixed(2)} | ${(r.gitleaks / r.n).toFixed(2)} |`);
    table.push(`| hard negatives with a finding | ${negatives} | ${ourFalse} | ${gitleaksFalse} |`);
    console.log(table.join("\n"));
    // Every secret the oracle finds (covered rules) is masked.
    expect(missed).toEqual([]);
    // And every generated key, whether gitleaks found it or not.
    for (const [p, r] of rows) expect(r.ours, p).toBe(r.n);
    expect(ourFalse / negatives).toBeLessThanOrEqual(0.01);
  }, 600_000);
});
