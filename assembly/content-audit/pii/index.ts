// The built-in PII detectors by name: each finds spans in normalized text
// and validates what it finds (checksums, ranges, lengths), so a match is
// data of that kind, not just text of that shape.
import { Span } from "../../common/text/regex";
import { findCards } from "./card";
import { findCnIds } from "./cn-id";
import { findEmails } from "./email";
import { findIbans } from "./iban";
import { findIps } from "./ip";
import { findPhones } from "./phone";
import { findSecrets } from "./secrets";
import { findSsns } from "./ssn";

export enum Pii {
  Email = 0,
  Phone = 1,
  CreditCard = 2,
  CnResidentId = 3,
  IpAddress = 4,
  Iban = 5,
  UsSsn = 6,
  Secret = 7,
}

/** Config names, in Pii order. */
export const PII_NAMES: Array<string> = ["email", "phone", "credit_card", "cn_resident_id", "ip_address", "iban", "us_ssn", "secret"];
/** Default mask placeholders, in Pii order. */
export const PII_LABELS: Array<string> = ["[EMAIL]", "[PHONE]", "[CREDIT_CARD]", "[CN_ID]", "[IP]", "[IBAN]", "[SSN]", "[SECRET]"];

export function piiByName(name: string): i32 {
  return PII_NAMES.indexOf(name);
}

/** `context`: the text just before `text` when it continues one (streams), read by the label rules. */
export function findPii(kind: Pii, text: string, out: Array<Span>, context: string = ""): void {
  switch (kind) {
    case Pii.Email:
      findEmails(text, out);
      break;
    case Pii.Phone:
      findPhones(text, out, context);
      break;
    case Pii.CreditCard:
      findCards(text, out);
      break;
    case Pii.CnResidentId:
      findCnIds(text, out);
      break;
    case Pii.IpAddress:
      findIps(text, out, context);
      break;
    case Pii.Iban:
      findIbans(text, out);
      break;
    case Pii.UsSsn:
      findSsns(text, out);
      break;
    case Pii.Secret:
      findSecrets(text, out);
      break;
    default:
      break;
  }
}
