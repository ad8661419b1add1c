// What the words just before a number say it is. One rule for every path
// (prompts, JSON completions, streams): the nearest label in the same clause
// within CONTEXT_WINDOW characters decides. "订单已发货，快递员电话138…" is a
// phone (电话 is nearer, and the comma ends the clause with 订单); "order
// #12345678" is not. A stream passes the text sent before a piece as
// `context`, so a label in an earlier delta counts the same.
import { normalize, NormalizedText } from "../../common/text/normalize";
import { isAlpha } from "./chars";

/** Characters before a number that are read for a label (streams keep this many: rules.ts). */
export const CONTEXT_WINDOW: i32 = 24;

export enum Label {
  None = 0,
  /** tel, phone, call, 电话 …: a number here is a phone number. */
  Phone = 1,
  /** order, invoice, tracking, ref, #, 订单 …: a number here is not a phone number. */
  NotPhone = 2,
  /** version, firmware, section, § …: a dotted number here is not an IP address. */
  Version = 3,
}

// Lower-case labels, each ended by "|". ASCII labels match at word edges (a
// trailing * allows more letters: "telefon*" is also "telefonnummer"); others
// anywhere.
const PHONE_LABELS = (
  "tel|tel.|phone*|llám*|llama*|ligue*|ligar|appel*|chiam*|bel|zadzwo*|ara*|hubungi|no hp|nomor|telephone*|mobile*|mob|cell*|call*|ring|text me|sms|whatsapp|fax|contact*|" +
  "reach*|dial*|telefon*|tél|téléphone*|telefone*|teléfono*|telefono*|celular|móvil|movil|handy*|" +
  "portable|cellulare|rufnummer|anruf*|telefoon*|mobiel*|komórk*|numer telefonu|cep|gsm|telp|hp|" +
  "wa|sđt|điện thoại|liên hệ|gọi|телефон*|тел|моб*|звони*|позвони*|电话|手机|联系|致电|拨打|電話|手機|聯絡|聯繫|携帯|" +
  "連絡|전화|휴대폰|연락|โทร|เบอร์|هاتف|جوال|اتصل|"
);
const NOT_PHONE_LABELS = (
  "order*|tracking|track|invoice*|ref|ref.|reference|id|id:|#|account*|acct|transaction*|" +
  "confirmation|ticket*|booking|serial|sku|isbn|iban|po|customer|receipt|parcel|shipment|awb|" +
  "pedido|factura|commande|facture|bestell*|rechnung*|auftrag*|kundennummer|sendungsnummer|ordine|" +
  "fattura|заказ*|накладн*|счет|счёт|sipariş*|fatura|kargo|zamówieni*|faktur*|订单|单号|编号|运单|訂單|單號|" +
  "編號|注文|伝票|주문|송장|快递单|" +
  // identity numbers: a number named as one is not a phone number
  "ssn|ssn#|social security*|passport*|national id|tax id|tin|itin|nif|nie|dni|cpf|curp|pesel|bsn|aadhaar|" +
  "身份证*|身份證*|身分證*|护照|護照|マイナンバー|주민등록*|паспорт*|"
);
const VERSION_LABELS = (
  "v|ver|ver.|version*|firmware|release|build|section*|sec.|§|chapter|clause|article|art.|paragraph*|para.|" +
  "step|rule|item|table|figure|fig.|rfc|iso|abschnitt|kapitel|versión|versione|sección|раздел|" +
  "версия|sürüm|bölüm|版本|章节|固件|第|"
);

/** The label nearest before `i` in `text` (continued by `context`, the text before it), within the window and the clause. */
export function labelBefore(text: string, i: i32, context: string): Label {
  const window = lowerWindow(text, i, context);
  let best = Label.None;
  let bestEnd = -1;
  bestEnd = nearest(window, PHONE_LABELS, bestEnd);
  if (bestEnd >= 0) best = Label.Phone;
  const notPhone = nearest(window, NOT_PHONE_LABELS, bestEnd);
  if (notPhone > bestEnd) {
    bestEnd = notPhone;
    best = Label.NotPhone;
  }
  const version = nearest(window, VERSION_LABELS, bestEnd);
  if (version > bestEnd) best = Label.Version;
  return best;
}

/** Largest end of an occurrence in `w` of a label of `labels` that is greater than `than`, or `than`. */
function nearest(w: string, labels: string, than: i32): i32 {
  let best = than;
  let a = 0;
  while (a < labels.length) {
    let b = labels.indexOf("|", a);
    const next = b + 1;
    const stem = labels.charCodeAt(b - 1) == 0x2a;
    if (stem) b--;
    const len = b - a;
    for (let from = w.length - len; from >= 0; from--) {
      if (!sameAt(w, from, labels, a, len)) continue;
      let end = from + len;
      if (stem) while (end < w.length && isLetter(w.charCodeAt(end))) end++;
      if (end <= best) break;
      if (edged(w, from, end, labels.charCodeAt(a), labels.charCodeAt(b - 1))) {
        best = end;
        break;
      }
    }
    a = next;
  }
  return best;
}

function sameAt(w: string, from: i32, labels: string, a: i32, len: i32): bool {
  for (let k = 0; k < len; k++) if (w.charCodeAt(from + k) != labels.charCodeAt(a + k)) return false;
  return true;
}

/** ASCII-letter labels need word edges: "preference" holds no "ref", "idea" no "id". */
function edged(w: string, from: i32, end: i32, first: i32, last: i32): bool {
  if (isAlpha(first) && from > 0 && isLetter(w.charCodeAt(from - 1))) return false;
  if (isAlpha(last) && end < w.length && isLetter(w.charCodeAt(end))) return false;
  return true;
}

function isLetter(c: i32): bool {
  return isAlpha(c) || (c >= 0xc0 && c <= 0x24f) || (c >= 0x400 && c <= 0x4ff);
}

/** The lower-cased text before i (up to the window), cut after the last clause end. */
function lowerWindow(text: string, i: i32, context: string): string {
  let from = i - CONTEXT_WINDOW;
  let w: string;
  if (from >= 0) {
    w = text.substring(from, i);
  } else {
    const more = -from;
    w = (more >= context.length ? context : context.substring(context.length - more)) + text.substring(0, i);
  }
  let cut = -1;
  for (let k = w.length - 1; k >= 0; k--) {
    if (endsClause(w.charCodeAt(k))) {
      cut = k;
      break;
    }
  }
  return (cut >= 0 ? w.substring(cut + 1) : w).toLowerCase();
}

/** Clause ends: a label before one of these says nothing about what follows. */
function endsClause(c: i32): bool {
  return c == 0x0a || c == 0x2c || c == 0x3b || c == 0x21 || c == 0x3f || c == 0x3002 || c == 0xff0c || c == 0xff1b || c == 0xff01 || c == 0xff1f || c == 0x3001;
}

/** contextAfter()'s normalized tail, reused. */
const tailNorm = new NormalizedText();

/** A stream's context after `sent` went on: the last CONTEXT_WINDOW characters, normalized (one new string at most). */
export function contextAfter(context: string, sent: string): string {
  const tail = sent.length > 2 * CONTEXT_WINDOW ? sent.substring(sent.length - 2 * CONTEXT_WINDOW) : sent;
  const t = normalize(tail, tailNorm).text;
  const n = t.length;
  if (n == 0) return context;
  if (n >= CONTEXT_WINDOW) return n == CONTEXT_WINDOW ? t : t.substring(n - CONTEXT_WINDOW);
  const kept = min(context.length, CONTEXT_WINDOW - n);
  if (kept == context.length) return context + t;
  const out = __new(<usize>CONTEXT_WINDOW << 1, idof<string>());
  memory.copy(out, changetype<usize>(context) + (<usize>(context.length - kept) << 1), <usize>kept << 1);
  memory.copy(out + (<usize>kept << 1), changetype<usize>(t), <usize>n << 1);
  return changetype<string>(out);
}
