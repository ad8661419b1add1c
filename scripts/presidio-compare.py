"""Scores Microsoft Presidio's pattern recognizers on content-audit's PII corpus.

    npx tsx test/data/pii/corpus.ts > .tmp/pii-corpus.json
    .tools/presidio/bin/python scripts/presidio-compare.py .tmp/pii-corpus.json

(scripts/presidio-compare.sh does both, with the pinned venv.) The
recognizers are called directly, without a spaCy model. A positive counts
when a result of its type covers exactly its value (the same rule as
test/unit/content-audit/pii-differential.test.ts); any other result is a
false positive of its type. Phone numbers are looked for with each
locale's region (PhoneRecognizer's supported_regions), which gives Presidio
the region content-audit has to do without.
"""
import json
import sys
from collections import defaultdict

from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
    PhoneRecognizer,
)

TYPES = {"PHONE_NUMBER": "phone", "CREDIT_CARD": "credit_card", "EMAIL_ADDRESS": "email", "IBAN_CODE": "iban", "IP_ADDRESS": "ip_address"}
LOCALES = json.load(open(sys.argv[1], encoding="utf8"))
REGION = {"en_US": "US", "zh_CN": "CN", "en_IN": "IN", "en_GB": "GB", "de": "DE", "fr": "FR", "ja": "JP", "ko": "KR", "pt_BR": "BR", "ru": "RU",
          "es": "ES", "it": "IT", "es_MX": "MX", "id_ID": "ID", "tr": "TR", "nl": "NL", "pl": "PL", "sv": "SE", "zh_TW": "TW", "en_AU": "AU",
          "en_CA": "CA", "vi": "VN", "th": "TH", "en_NG": "NG", "en_ZA": "ZA"}

others = [CreditCardRecognizer(), EmailRecognizer(), IbanRecognizer(), IpRecognizer()]
phones = {}
artifacts = NlpArtifacts(entities=[], tokens=[], tokens_indices=[], lemmas=[], nlp_engine=None, language="en")


def analyze(text, locale):
    region = REGION[locale]
    if region not in phones:
        phones[region] = PhoneRecognizer(supported_regions=[region])
    results = []
    for r in others + [phones[region]]:
        results += r.analyze(text, r.supported_entities, artifacts)
    return [(TYPES[x.entity_type], x.start, x.end) for x in results if x.entity_type in TYPES and x.score >= 0.3]


by_type = defaultdict(lambda: [0, 0, 0])  # tp, fn, fp
by_locale = defaultdict(lambda: [0, 0])
negatives_hit = 0
negatives = 0
for c in LOCALES:
    found = analyze(c["text"], c["locale"])
    if c["type"] is None:
        negatives += 1
        negatives_hit += 1 if found else 0
        for t, _, _ in found:
            by_type[t][2] += 1
        continue
    hit = any(t == c["type"] and s == c["start"] and e == c["end"] for t, s, e in found)
    by_type[c["type"]][0 if hit else 1] += 1
    if c["type"] == "phone":
        by_locale[c["locale"]][0 if hit else 1] += 1
    for t, s, e in found:
        if not (hit and t == c["type"] and s == c["start"] and e == c["end"]):
            by_type[t][2] += 1

ratio = lambda a, b: 1.0 if b == 0 else a / b
print(f"{len(LOCALES)} texts, {negatives} negatives, {negatives_hit} negatives with a finding ({100 * negatives_hit / negatives:.2f}%)")
print("| type | positives | precision | recall |\n| --- | --- | --- | --- |")
for t, (tp, fn, fp) in by_type.items():
    print(f"| {t} | {tp + fn} | {ratio(tp, tp + fp):.3f} | {ratio(tp, tp + fn):.3f} |")
print("\n| locale | phones | recall |\n| --- | --- | --- |")
for l, (tp, fn) in by_locale.items():
    print(f"| {l} | {tp + fn} | {ratio(tp, tp + fn):.3f} |")
