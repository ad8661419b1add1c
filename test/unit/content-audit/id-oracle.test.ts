// Chinese resident ID and US SSN detectors against libraries we did not
// write: stdnum (a port of python-stdnum) decides which numbers are valid,
// validator.js which Chinese province codes exist. Seeded random candidates,
// valid and invalid in every part (province, birth date, check character;
// SSN area, group, serial and published example numbers), sit in sentences;
// with the PII rule masking, a candidate must be masked with its placeholder
// exactly when the oracle calls it valid, and nothing else may be masked.
import { describe, expect, it } from "vitest";
import { stdnum } from "stdnum";
import validator from "validator";
import { auditVm, buildFilter, chatBody, post, upstreamBody } from "./helpers.ts";

let seed = 61206;
const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), Math.floor((seed / 2147483648) * n));
const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)];
const digits = (n: number) => Array.from({ length: n }, () => String(rand(10))).join("");
const pad = (n: number, w: number) => String(n).padStart(w, "0");

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
function checkChar(front: string): string {
  let s = 0;
  for (let i = 0; i < 17; i++) s += WEIGHTS[i] * Number(front[i]);
  return "10X98765432"[s % 11];
}

function cnCandidate(): string {
  // Real province codes mostly, and two-digit codes that are none.
  // validator.js also lists 91 (residents abroad), which the national standard GB/T 2260 does not: skipped.
  let province = rand(4) ? pick(["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83"]) : pad(rand(100), 2);
  if (province === "91") province = "11";
  const year = 1900 + rand(125);
  const month = rand(8) ? 1 + rand(12) : rand(14);
  const day = rand(8) ? 1 + rand(28) : rand(33);
  const front = province + digits(4) + pad(year, 4) + pad(month, 2) + pad(day, 2) + digits(3);
  const check = rand(5) ? checkChar(front) : pick("0123456789X".split(""));
  return front + check;
}

/** stdnum's verdict, restricted to province codes validator.js knows (plus 83, Taiwan residents' permits, newer than its list). */
function cnValid(id: string): boolean {
  if (!stdnum.CN.ric.validate(id).isValid) return false;
  return id.startsWith("83") || validator.isIdentityCard(id, "zh-CN");
}

const PUBLISHED = ["078-05-1120", "219-09-9999", "457-55-5462", "987-65-4320", "987-65-4329", "123-45-6789"];
function ssnCandidate(): string {
  if (rand(12) === 0) return pick(PUBLISHED);
  const area = rand(2) ? pad(1 + rand(899), 3) : pick(["000", "666", pad(900 + rand(100), 3), pad(rand(1000), 3)]);
  const group = rand(6) ? pad(1 + rand(99), 2) : "00";
  const serial = rand(6) ? pad(1 + rand(9999), 4) : "0000";
  const sep = pick(["-", " "]);
  return area + sep + group + sep + serial;
}

const CN_SENTENCES = ["我的身份证号码是{}，请核对。", "Resident ID: {}", "身分證 {} 已登記", "please verify {} for the account holder"];
// Each names the number: without a label, 933-17-7722 is also a valid Spanish phone number.
const SSN_SENTENCES = ["My SSN is {}.", "social security number {} on file", "SSN: {}", "Form W-2 lists SSN {} for the employee."];

/**
 * stdnum's verdict, with two additions: serial 0000 is never issued (the SSA's
 * rule; python-stdnum checks it, its JavaScript port does not), and
 * 123-45-6789, the common placeholder, counts as published.
 */
function ssnValid(v: string): boolean {
  const d = v.replace(/\D/g, "");
  return stdnum.US.ssn.validate(v).isValid && !d.endsWith("0000") && d !== "123456789";
}

interface Case {
  text: string;
  value: string;
  valid: boolean;
}

function cases(n: number, make: () => string, valid: (v: string) => boolean, sentences: string[]): Case[] {
  return Array.from({ length: n }, () => {
    const value = make();
    return { text: pick(sentences).replace("{}", value), value, valid: valid(value) };
  });
}

async function masked(texts: string[], detectors: string[]): Promise<string[]> {
  await buildFilter();
  const vm = auditVm({ rules: [{ id: "pii", type: "pii", action: "mask", detectors }] });
  const res = await post(vm, JSON.stringify({ model: "m", messages: texts.map((content) => ({ role: "user", content })) }));
  expect(vm.trapped).toBe(false);
  return JSON.parse(upstreamBody(res)).messages.map((m: { content: string }) => m.content);
}

async function agreement(all: Case[], placeholder: string): Promise<{ valid: number; invalid: number; disagreements: string[] }> {
  // Every detector on: a valid ID must come out as its own type, not as a card or a phone.
  const out = await masked(all.map((c) => c.text), ["email", "phone", "credit_card", "cn_resident_id", "ip_address", "iban", "us_ssn", "secret"]);
  const disagreements: string[] = [];
  all.forEach((c, i) => {
    const expected = c.valid ? c.text.replace(c.value, placeholder) : c.text;
    // A number that is no valid ID but passes the card checks is a card (README, credit_card).
    const asCard = !c.valid && validator.isLuhnNumber(c.value) && out[i] === c.text.replace(c.value, "[CREDIT_CARD]");
    if (out[i] !== expected && !asCard) disagreements.push(`${c.valid ? "valid" : "invalid"} ${JSON.stringify(c.text)} -> ${JSON.stringify(out[i])}`);
  });
  return { valid: all.filter((c) => c.valid).length, invalid: all.filter((c) => !c.valid).length, disagreements };
}

describe("identity numbers against stdnum and validator.js", () => {
  it("masks exactly the Chinese resident IDs the oracle calls valid (3,000 candidates)", async () => {
    const r = await agreement(cases(3000, cnCandidate, cnValid, CN_SENTENCES), "[CN_ID]");
    console.log(`cn_resident_id: ${r.valid} valid, ${r.invalid} invalid, ${r.disagreements.length} disagreements`);
    expect(r.valid).toBeGreaterThan(1000);
    expect(r.invalid).toBeGreaterThan(600);
    expect(r.disagreements.slice(0, 10)).toEqual([]);
  }, 120_000);

  it("masks exactly the US SSNs the oracle calls valid (3,000 candidates)", async () => {
    const r = await agreement(cases(3000, ssnCandidate, ssnValid, SSN_SENTENCES), "[SSN]");
    console.log(`us_ssn: ${r.valid} valid, ${r.invalid} invalid, ${r.disagreements.length} disagreements`);
    expect(r.valid).toBeGreaterThan(1000);
    expect(r.invalid).toBeGreaterThan(600);
    expect(r.disagreements.slice(0, 10)).toEqual([]);
  }, 120_000);
});
