// Writes labeled.json: the labeled set the PII detectors are measured on
// (test/unit/content-audit/pii-quality.test.ts). Every sample is synthetic,
// made here from a seeded generator: valid numbers get real checksums,
// tricky negatives are near misses (a wrong check digit, an impossible date,
// a number labelled as an order id, a version string ...).
//
//   npx tsx test/data/pii/generate.ts
import { writeFileSync } from "node:fs";
import { join } from "node:path";

interface Sample {
  detector: string;
  text: string;
  /** The PII in `text`, or null for a negative. */
  match: string | null;
  note?: string;
}

let seed = 20261129;
function rand(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const digits = (n: number) => Array.from({ length: n }, () => int(0, 9)).join("");
const pick = <T>(a: readonly T[]): T => a[int(0, a.length - 1)];
const alnum = (n: number, set = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") =>
  Array.from({ length: n }, () => set[int(0, set.length - 1)]).join("");

function luhnDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}
const card = (prefix: string, len: number) => {
  const body = prefix + digits(len - prefix.length - 1);
  return body + luhnDigit(body);
};
const group = (s: string, sep: string, sizes: number[]) => {
  const out: string[] = [];
  let i = 0;
  for (const n of sizes) {
    out.push(s.slice(i, i + n));
    i += n;
  }
  return out.join(sep);
};

const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
function cnId(valid = true): string {
  const region = pick(["110105", "310104", "440305", "330106", "510107", "320102"]);
  const y = int(1950, 2005);
  const m = int(1, 12);
  const d = int(1, 28);
  const body = region + y + String(m).padStart(2, "0") + String(d).padStart(2, "0") + digits(3);
  const sum = [...body].reduce((a, c, i) => a + Number(c) * W[i], 0);
  const check = "10X98765432"[sum % 11];
  if (valid) return body + check;
  const wrong = "10X98765432".replace(check, "")[int(0, 9)];
  return body + wrong;
}

function ibanCheck(country: string, bban: string): string {
  const rearranged = bban + country + "00";
  const num = [...rearranged].map((c) => (/[A-Z]/.test(c) ? String(c.charCodeAt(0) - 55) : c)).join("");
  let r = 0;
  for (const ch of num) r = (r * 10 + Number(ch)) % 97;
  return String(98 - r).padStart(2, "0");
}
function iban(country: string, bban: string, valid = true): string {
  let check = ibanCheck(country, bban);
  if (!valid) check = String((Number(check) + int(1, 40)) % 97).padStart(2, "0");
  return country + check + bban;
}
const IBAN_SHAPES: [string, () => string][] = [
  ["DE", () => digits(18)],
  ["GB", () => alnum(4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") + digits(14)],
  ["FR", () => digits(23)],
  ["NL", () => alnum(4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") + digits(10)],
  ["ES", () => digits(20)],
];

function ssn(): string {
  let area = int(1, 899);
  if (area === 666) area = 665;
  return `${String(area).padStart(3, "0")}-${String(int(1, 99)).padStart(2, "0")}-${String(int(1, 9999)).padStart(4, "0")}`;
}

const EN = ["Please contact", "My details:", "Send it to", "Reach me at", "Record:", "FYI", "for the form,"];
const ZH = ["请联系", "我的信息：", "发送到", "客户资料", "备注："];
const wrap = (s: string) => (rand() < 0.3 ? `${pick(ZH)} ${s} 谢谢` : `${pick(EN)} ${s} thanks.`);

const samples: Sample[] = [];
const pos = (detector: string, match: string, text = wrap(match)) => samples.push({ detector, text, match });
const neg = (detector: string, text: string, note: string) => samples.push({ detector, text, match: null, note });

// ---- email
for (let i = 0; i < 30; i++) {
  const user = pick(["john.doe", "a.b-c", "x_y", "li.wei88", "ops+alerts", "Mary.Smith"]) + (i % 3 ? String(i) : "");
  pos("email", `${user}@${pick(["example.com", "mail.example.org", "corp.example.co.uk", "qq.com", "163.com"])}`);
}
for (const t of ["user@localhost", "ping @here in chat", "a@b", "name@domain.c0m", "see foo@bar.", "email me at john at example dot com", "twitter @openai", "price 5@10.00", "git@ssh"]) neg("email", t, "not an address with a real domain");

// ---- phone
for (let i = 0; i < 12; i++) pos("phone", "1" + pick(["38", "39", "50", "86", "77", "99"]) + digits(8));
for (let i = 0; i < 6; i++) pos("phone", `+86 1${pick(["38", "58"])} ${digits(4)} ${digits(4)}`);
// NANP: area and exchange codes start with 2-9 and are not N11.
const nxx = () => `${int(2, 9)}${int(0, 9)}${int(2, 9)}`;
for (let i = 0; i < 8; i++) pos("phone", `(${nxx()}) ${nxx()}-${digits(4)}`);
for (let i = 0; i < 6; i++) pos("phone", `${nxx()}-${nxx()}-${digits(4)}`);
for (let i = 0; i < 8; i++) pos("phone", `+${pick(["44", "49", "33", "81", "61"])} ${digits(3)} ${digits(3)} ${digits(4)}`);
for (let i = 0; i < 6; i++) neg("phone", `订单号 1${pick(["38", "39"])}${digits(8)} 已发货`, "order id that looks like a CN mobile");
for (let i = 0; i < 6; i++) neg("phone", `order #1${pick(["38", "50"])}${digits(8)} shipped`, "order id that looks like a CN mobile");
for (let i = 0; i < 4; i++) neg("phone", `tracking 1${digits(14)} in transit`, "longer digit run");
for (let i = 0; i < 4; i++) neg("phone", `timestamp ${Date.UTC(2025, int(0, 11), int(1, 28))} ms`, "epoch milliseconds");
for (const t of ["call 555-123-456", "area (123) 456-7890", "dial 911-555-1212", "1-800-FLOWERS", "version 10.20.30.40", "ISBN 978-3-16-148410-0"]) neg("phone", t, "not a valid phone number");

// ---- credit card
const CARD_KINDS: [string, number, number[]][] = [
  ["4", 16, [4, 4, 4, 4]], ["51", 16, [4, 4, 4, 4]], ["55", 16, [4, 4, 4, 4]], ["2221", 16, [4, 4, 4, 4]],
  ["34", 15, [4, 6, 5]], ["37", 15, [4, 6, 5]], ["6011", 16, [4, 4, 4, 4]], ["35", 16, [4, 4, 4, 4]], ["62", 16, [4, 4, 4, 4]],
];
for (let i = 0; i < 36; i++) {
  const [prefix, len, sizes] = CARD_KINDS[i % CARD_KINDS.length];
  const n = card(prefix, len);
  pos("credit_card", pick(["plain", "space", "dash"]) === "plain" ? n : group(n, i % 2 ? " " : "-", sizes));
}
for (let i = 0; i < 16; i++) {
  const n = card("4", 16);
  const bad = n.slice(0, 15) + String((Number(n[15]) + int(1, 9)) % 10);
  neg("credit_card", wrap(group(bad, " ", [4, 4, 4, 4])), "Luhn-invalid");
}
for (let i = 0; i < 6; i++) neg("credit_card", `order ${"9" + digits(15)} placed`, "16 digits, no issuer");
for (let i = 0; i < 4; i++) neg("credit_card", `uuid-ish 1${digits(19)}`, "20 digits");

// ---- CN resident id
for (let i = 0; i < 24; i++) pos("cn_resident_id", cnId());
for (let i = 0; i < 12; i++) neg("cn_resident_id", wrap(cnId(false)), "wrong check character");
for (let i = 0; i < 4; i++) neg("cn_resident_id", `编号 110105${int(1950, 2000)}1340${digits(3)}1`, "impossible date (month 13)");
for (let i = 0; i < 4; i++) neg("cn_resident_id", `流水号 99${digits(16)}`, "unknown province");

// ---- IP
for (let i = 0; i < 16; i++) pos("ip_address", `${int(1, 223)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`);
for (const ip of ["2001:db8::1", "fe80::1ff:fe23:4567:890a", "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "::1", "::ffff:192.0.2.128", "2606:4700:4700::1111"]) pos("ip_address", ip);
for (const t of ["version 1.2.3.4.5", "v2.10.3.1 released", "score 300.1.2.3", "ip 192.168.01.1", "time 12:30:45", "mac 00:1a:2b:3c:4d:5e", "std::vector<int>", "ratio 1.5.2"]) neg("ip_address", t, "not an address");

// ---- IBAN
for (let i = 0; i < 20; i++) {
  const [c, bban] = IBAN_SHAPES[i % IBAN_SHAPES.length];
  const v = iban(c, bban());
  pos("iban", i % 2 ? v : v.replace(/(.{4})(?=.)/g, "$1 "));
}
for (let i = 0; i < 10; i++) {
  const [c, bban] = IBAN_SHAPES[i % IBAN_SHAPES.length];
  neg("iban", wrap(iban(c, bban(), false)), "wrong check digits");
}
for (const t of ["code XX12 3456 7890 1234 56", "part DE12345", "SKU AB12CD34EF56GH78IJ"]) neg("iban", t, "unknown country or too short");

// ---- US SSN
for (let i = 0; i < 20; i++) pos("us_ssn", ssn());
for (const t of ["000-12-3456", "666-12-3456", "912-34-5678", "123-00-4567", "123-45-0000", "078-05-1120", "date 2024-05-1234", "phone 555-12-34567"]) neg("us_ssn", wrap(t), "invalid range or shape");

// ---- secrets
for (let i = 0; i < 6; i++) pos("secret", "sk-proj-" + alnum(40));
for (let i = 0; i < 4; i++) pos("secret", "sk-ant-api03-" + alnum(48));
for (let i = 0; i < 4; i++) pos("secret", "AKIA" + alnum(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"));
for (let i = 0; i < 4; i++) pos("secret", "ghp_" + alnum(36));
for (let i = 0; i < 3; i++) pos("secret", "AIza" + alnum(35));
for (let i = 0; i < 3; i++) pos("secret", "xoxb-" + digits(12) + "-" + alnum(24));
for (let i = 0; i < 3; i++) pos("secret", "sk_live_" + alnum(24));
const b64 = (s: string) => Buffer.from(s).toString("base64url");
for (let i = 0; i < 4; i++) pos("secret", `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64(`{"sub":"${digits(8)}","name":"user${i}"}`)}.${alnum(43)}`);
pos("secret", "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA" + alnum(64) + "\n" + alnum(64) + "\n-----END RSA PRIVATE KEY-----");
pos("secret", "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC" + alnum(64) + "\n-----END PRIVATE KEY-----");
for (const t of ["sk-this-is-not-a-key-at-all", "use scikit-learn (sk-learn)", "AKIA123", "ghp_short", "eyJhbGciOi.notajwt.atall", "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----", "task-1234567890abcdefghij", "risk-assessment-2024-final-v2"]) neg("secret", t, "not a credential");

writeFileSync(join(import.meta.dirname, "labeled.json"), JSON.stringify(samples, null, 1) + "\n");
console.log(`${samples.length} samples`);
