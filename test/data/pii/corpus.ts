// A corpus of chat texts generated at test time with a fixed seed: PII as
// people in many locales write it (Faker) and hard negatives. Phones count
// as positives only when libphonenumber (the oracle) says they are valid in
// the locale's region; cards are Faker's (Luhn-valid, issuer ranges), some
// followed by an expiry or a CVV. `npx tsx test/data/pii/corpus.ts > x.json`
// exports it (scripts/presidio-compare.py reads that).
import { allFakers, type Faker } from "@faker-js/faker";
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";
import validator from "validator";

export type PiiType = "phone" | "credit_card" | "email" | "iban" | "ip_address";

export interface CorpusText {
  locale: string;
  /** The PII type in it, or null for a negative text (nothing may be found). */
  type: PiiType | null;
  text: string;
  /** Where the PII value lies in `text` ([start, end)), for positives. */
  start: number;
  end: number;
  /** What the negative is (order number, version, ...), for the report. */
  kind: string;
}

/** Faker locale and the region its phone numbers belong to. */
export const LOCALES: Record<string, string> = {
  en_US: "US", zh_CN: "CN", en_IN: "IN", en_GB: "GB", de: "DE", fr: "FR", ja: "JP", ko: "KR", pt_BR: "BR", ru: "RU",
  es: "ES", it: "IT", es_MX: "MX", id_ID: "ID", tr: "TR", nl: "NL", pl: "PL", sv: "SE", zh_TW: "TW", en_AU: "AU",
  en_CA: "CA", vi: "VN", th: "TH", en_NG: "NG", en_ZA: "ZA",
};

// How people introduce a phone number, in the locale's language ({} is the number).
const PHONE_SENTENCES: Record<string, string[]> = {
  en: ["You can reach me at {} any time.", "Call me on {} after 5pm.", "My phone: {}", "Contact {} for details, thanks!", "tel {}"],
  zh: ["我的电话是{}，谢谢", "请拨打 {} 联系我", "手机：{}", "订单已发货，快递员电话{}"],
  de: ["Sie erreichen mich unter Telefon {}.", "Meine Handynummer: {}", "Bitte rufen Sie {} an.", "Tel. {}"],
  fr: ["Appelez-moi au {} demain.", "Mon téléphone : {}", "Tél. {}"],
  ja: ["電話番号は{}です。", "携帯 {} までご連絡ください。"],
  ko: ["제 전화번호는 {}입니다.", "연락처: {}"],
  pt: ["Meu telefone é {}.", "Ligue para {}, por favor.", "celular {}"],
  ru: ["Мой телефон {}.", "Звоните по номеру {}", "тел. {}"],
  es: ["Mi teléfono es {}.", "Llámame al {} por favor.", "móvil {}"],
  it: ["Il mio numero di telefono è {}.", "Chiamami al {}."],
  id: ["Hubungi saya di {}.", "No HP: {}", "telp {}"],
  tr: ["Telefonum: {}", "Beni {} numaradan arayın."],
  nl: ["Mijn telefoonnummer is {}.", "Bel me op {}."],
  pl: ["Mój numer telefonu to {}.", "Zadzwoń: {}"],
  sv: ["Ring mig på {}.", "Mitt telefonnummer är {}."],
  vi: ["Số điện thoại của tôi là {}.", "Gọi cho tôi: {}"],
  th: ["เบอร์โทรของฉันคือ {} ค่ะ", "โทร {}"],
};

const CARD_SENTENCES = ["Charge card {} please.", "my card is {}", "卡号 {} 谢谢", "Karte: {}", "номер карты {}"];
const EMAIL_SENTENCES = ["write to {} please", "邮箱：{}", "E-Mail {} bitte", "email me: {}."];
// Top-level domains in the locale's script (IANA's IDN ccTLDs), for internationalized addresses.
const NATIVE_TLDS: Record<string, string> = { zh: "中国", ru: "рф", ko: "한국", th: "ไทย", ja: "jp", de: "de", fr: "fr", es: "es", pl: "pl", tr: "tr", sv: "se", vi: "vn" };

/**
 * An internationalized address (RFC 6531) from the locale's own names, e.g.
 * jürgen.müller@münchen.de, иван@москва.рф, 张伟@北京.中国; null when
 * validator.js (the oracle) does not call it an address.
 */
function nativeEmail(f: Faker, locale: string): string | null {
  const tld = NATIVE_TLDS[lang(locale)];
  if (!tld) return null;
  const word = (s: string) => s.toLowerCase().replace(/[\s'’.-]+/g, "");
  const local = f.datatype.boolean() ? word(f.person.firstName()) : `${word(f.person.firstName())}.${word(f.person.lastName())}`;
  const email = `${local}@${word(f.location.city())}.${tld}`;
  return validator.isEmail(email, { allow_utf8_local_part: true }) ? email : null;
}

const IBAN_SENTENCES = ["IBAN {} for the refund", "Überweisung an {} bitte", "compte {}"];
const IP_SENTENCES = ["the server at {} is down", "ssh into {} now", "服务器地址 {}"];

function lang(locale: string): string {
  return locale.split("_")[0];
}

function place(sentence: string, value: string): { text: string; start: number; end: number } {
  const start = sentence.indexOf("{}");
  return { text: sentence.slice(0, start) + value + sentence.slice(start + 2), start, end: start + value.length };
}

/** Whether libphonenumber calls `number` a valid phone number of `region`. */
export function phoneValid(number: string, region: string): boolean {
  const p = parsePhoneNumberFromString(number, region as CountryCode);
  return !!p && p.isValid();
}

function luhnBreak(digits: string): string {
  const last = Number(digits[digits.length - 1]);
  return digits.slice(0, -1) + String((last + 1) % 10);
}

export function generateCorpus(seed = 20261206, perLocale = 40): CorpusText[] {
  const out: CorpusText[] = [];
  for (const [locale, region] of Object.entries(LOCALES)) {
    const f: Faker = allFakers[locale as keyof typeof allFakers] as Faker;
    f.seed(seed);
    const sentences = PHONE_SENTENCES[lang(locale)] ?? PHONE_SENTENCES.en;
    let made = 0;
    for (let tries = 0; made < perLocale && tries < perLocale * 6; tries++) {
      const style = (["human", "national", "international"] as const)[tries % 3];
      const number = f.phone.number({ style });
      if (!phoneValid(number, region)) continue;
      const p = place(f.helpers.arrayElement(sentences), number);
      out.push({ locale, type: "phone", ...p, kind: style });
      made++;
    }
    const positives: Array<[PiiType, string[], () => string]> = [
      ["credit_card", CARD_SENTENCES, () => {
        const card = f.finance.creditCardNumber(f.helpers.arrayElement(["visa", "mastercard", "american_express", "discover", "jcb", "diners_club"]));
        return f.datatype.boolean() ? card : card.replace(/-/g, f.helpers.arrayElement(["", " "]));
      }],
      ["email", EMAIL_SENTENCES, () => f.internet.email()],
      ["iban", IBAN_SENTENCES, () => f.finance.iban({ formatted: f.datatype.boolean() })],
      ["ip_address", IP_SENTENCES, () => (f.datatype.boolean() ? f.internet.ipv4() : f.internet.ipv6())],
    ];
    for (const [type, templates, value] of positives) {
      for (let k = 0; k < 4; k++) {
        const p = place(f.helpers.arrayElement(templates), value());
        out.push({ locale, type, ...p, kind: type });
      }
    }
    for (let k = 0; k < 3; k++) {
      const email = nativeEmail(f, locale);
      if (email === null) continue;
      out.push({ locale, type: "email", ...place(f.helpers.arrayElement(EMAIL_SENTENCES), email), kind: "internationalized email" });
    }
    // A card followed by its expiry or CVV: the card is found, the rest stays.
    const card = f.finance.creditCardNumber("visa").replace(/-/g, " ");
    const tail = f.datatype.boolean() ? ` ${String(f.number.int({ min: 1, max: 12 })).padStart(2, "0")}/${f.number.int({ min: 26, max: 31 })}` : ` ${f.finance.creditCardCVV()}`;
    const p = place("card {}" + tail + " ok", card);
    out.push({ locale, type: "credit_card", ...p, kind: "card+expiry/cvv" });
    for (const [kind, text] of negatives(f)) out.push({ locale, type: null, text, start: 0, end: 0, kind });
  }
  return out;
}

/** Texts that hold numbers and tokens of PII shapes, and no PII. */
function negatives(f: Faker): Array<[string, string]> {
  const digits = (n: number) => f.string.numeric({ length: n, allowLeadingZeros: false });
  const card = f.finance.creditCardNumber("visa").replace(/-/g, "");
  const version = () => `${f.number.int(9)}.${f.number.int(9)}.${f.number.int(9)}.${f.number.int(9)}`;
  const date = f.date.between({ from: "2000-01-01", to: "2030-12-31" });
  return [
    ["order", `Order #${digits(10)} has shipped.`],
    ["order", `订单号：${digits(11)}，请查收`],
    ["order", `Bestellnummer ${digits(9)} wurde versandt.`],
    ["tracking", `Tracking number ${digits(12)} via DHL`],
    ["invoice", `Invoice ${digits(8)} is due on Friday.`],
    ["version", `Firmware ${version()} fixes the bug.`],
    ["version", `See section ${version()} of the spec.`],
    ["version", `Upgrade to v${version()} today.`],
    ["uuid", `request id ${f.string.uuid()}`],
    ["timestamp", `created ${date.toISOString()}`],
    ["timestamp", `ts=${Math.floor(date.getTime() / 1000)}`],
    ["date", `due ${date.toISOString().slice(0, 10)} or ${date.toLocaleDateString("de-DE")}`],
    ["price", `Total: ${f.finance.currencySymbol()}${f.commerce.price({ min: 1000, max: 99999 })} incl. tax`],
    ["isbn", `ISBN ${f.commerce.isbn()}`],
    ["luhn-failing card", `card ${luhnBreak(card)}`],
    ["prose", f.lorem.paragraph()],
    ["prose", f.word.words(12)],
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(JSON.stringify(generateCorpus(), null, 1));
}
