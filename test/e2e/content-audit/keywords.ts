// Synthetic keyword lists for load tests and the bench: n distinct terms,
// English-like and Chinese mixed, deterministic, none of them a word that
// occurs in ordinary prose (so a benchmark measures matching, not masking).
const SYLLABLES = ["zor", "vak", "qel", "mib", "tru", "xan", "pof", "dre", "kul", "wix", "gah", "nep", "sob", "yil", "fum", "jex"];
const HAN = "禁词敏感违规暗号密语黑名单测试样本内容审核过滤规则条目";

export function syntheticKeywords(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let x = i;
    let word = "";
    do {
      word += SYLLABLES[x % SYLLABLES.length];
      x = Math.floor(x / SYLLABLES.length);
    } while (x > 0);
    if (i % 4 === 3) {
      const a = HAN[i % HAN.length];
      const b = HAN[(i * 7 + 3) % HAN.length];
      out.push(`${a}${b}${word}`);
    } else out.push(`${word}q${i % 97}`);
  }
  return out;
}

/** The bench's configuration: `keywords` terms to block and every PII detector masking. */
export function benchAuditConfig(keywords = 10_000): Record<string, unknown> {
  return {
    rules: [
      { id: "keywords", type: "keywords", keywords: syntheticKeywords(keywords), action: "block" },
      { id: "secrets", type: "pii", detectors: ["secret"], action: "block" },
      { id: "pii", type: "pii", detectors: ["email", "phone", "credit_card", "cn_resident_id", "ip_address", "iban", "us_ssn"], action: "mask" },
    ],
  };
}
