/**
 * Label context: a value that follows a label such as "Email:" or "Wallet" is PII of the
 * label's type even when OCR damaged its pattern. Value shapes here are loose on purpose;
 * they only keep a label from swallowing text that cannot be its value (a chat line after
 * "Customer:" that starts in lower case is not a name).
 */
import { unknownCapitals } from './names.js';
import { DATE_LIKE, type Span } from './patterns.js';
import type { PiiType } from './types.js';

interface Label {
  words: string[];
  type: PiiType;
  value: (rest: string) => [number, number] | null;
  /** The value's shape is strict enough for the label to count mid-sentence without a colon ("device ip 10.42.67"). */
  inline?: boolean;
}

/**
 * Words that join two things in a sentence ("IP 203.0.113.42 and card 5555..."): a value
 * ends before them, so a label does not take the next value of another type with its own.
 */
const CONNECTOR = /\s(?:and|or|to|from|via|with|then|but|for|at|on|by|is|was|were|plus|und|et|y)\b/i;

/** The rest of the line up to a connecting word, if it holds at least `n` digits. */
const hasDigits = (n: number) => (rest: string) => {
  const cut = CONNECTOR.exec(rest);
  const head = cut ? rest.slice(0, cut.index) : rest;
  const digits = head.replace(/\D/g, '').length;
  if (digits < n) return null;
  const v = wholeValue(head);
  // "#50221" is a ticket or order number in a UI (as read from the next column when the
  // label's own value is masked), never a phone, an account or an identity number.
  return v && /^#\d+$/.test(head.slice(v[0], v[1]).trim()) ? null : v;
};

/** An account's value: digits, and no date among them (a "Created" cell read under an "IBAN" column). */
const accountValue = (rest: string) => {
  const v = hasDigits(4)(rest);
  return v && DATE_LIKE.test(rest.slice(v[0], v[1])) ? null : v;
};

/** The whole rest of the line, trimmed, if it holds at least two letters or digits. */
export function wholeValue(rest: string): [number, number] | null {
  const start = rest.length - rest.trimStart().length;
  const end = rest.trimEnd().length;
  if (end <= start) return null;
  return (rest.slice(start, end).match(/[\p{L}\p{N}]/gu)?.length ?? 0) >= 2 ? [start, end] : null;
}

// Capitalised words; a capital OCR read as a digit (5ofia, 0kafor) still counts, and so does a
// dotted or small capital read as i or l ("İkiçitoyun" as "ikicitoyun") before a capitalised word.
const NAME = /^\s*((?:[\p{Lu}0158]|[il](?=[\p{Ll}]+\s+[\p{Lu}]))[\p{L}0158'’.-]*(?:\s+(?:[\p{Lu}0158][\p{L}0158'’.-]*|de|da|van|von|del|der|la|le|bin|al)){0,4})/u;
/** A version or build number next to a product name ("Chrome 126.0", "Desktop v2.14.3"). */
const VERSION = /^\s*\(?v?\d+(?:[.,]\d+)+/i;

function nameValue(rest: string): [number, number] | null {
  const m = NAME.exec(rest);
  if (!m) return null;
  const start = m[0].length - m[1].length;
  // A name is not a product with its version, nor words that are mostly digits, nor
  // capitals only that are no known name (OCR noise under a pointer: "Sd AFITINCY TA").
  if (VERSION.test(rest.slice(m[0].length))) return null;
  if (unknownCapitals(m[1].replace(/\b[\p{Ll}]{1,2}\b/gu, ''))) return null;
  if (m[1].split(/\s+/).some((w) => (w.match(/\d/g)?.length ?? 0) >= 2)) return null;
  return m[1].replace(/[^\p{L}]/gu, '').length >= 2 ? [start, m[0].length] : null;
}

/** A login or e-mail value: one token with a dot or an at sign in it (not "login ok"). */
const identity = (rest: string): [number, number] | null => {
  const v = wholeValue(rest);
  return v && /[@©®.]/.test(rest.slice(v[0], v[1])) ? v : null;
};

/**
 * An IP address as OCR reads it: hex digits and confusable letters with dots, commas or
 * colons, a space put in here and there; at least three dots or two colons (a version
 * "4.12.3" has two dots).
 */
const ipValue = (rest: string): [number, number] | null => {
  const lead = rest.length - rest.trimStart().length;
  const m = /^[0-9a-fA-FOlISZ.,:;]+(?=\s|$)(?: [0-9a-fA-FOlISZ.,:;]+(?=\s|$))*/.exec(rest.slice(lead));
  if (!m || !/\d/.test(m[0])) return null;
  const dots = (m[0].match(/[.,]/g) ?? []).length;
  const colons = (m[0].match(/[:;]/g) ?? []).length;
  if (dots >= 3 || colons >= 2) return [lead, lead + m[0].trimEnd().length];
  // An address OCR cut short ("10.42.67") or whose small text lost a dot ("12.58.4411"):
  // digit groups only, too many digits for a version, each group one octet or two run together.
  const groups = m[0].trim().split(/[.,]/);
  const octet = (g: string) => /^\d{1,3}$/.test(g) && Number(g) <= 255;
  const twoOctets = (g: string) => /^\d{2,6}$/.test(g) && [1, 2, 3].some((k) => k < g.length && octet(g.slice(0, k)) && octet(g.slice(k)));
  const joined = groups.filter((g) => !octet(g));
  const cut = dots === 2 && joined.length <= 1 && joined.every(twoOctets) && groups.join('').length >= 6;
  return cut ? [lead, lead + m[0].trimEnd().length] : null;
};

const withDigit = (rest: string) => (/\d/.test(rest) ? wholeValue(rest) : null);

/**
 * A town, with or without its postcode: a few words that start with a capital or a digit
 * ("Leeds", "98500 Eskmora"), not a sentence, and with a name in them: a number alone is the
 * next column's (an order count read beside a masked city, its box widened by the pointer).
 */
const placeValue = (rest: string) => {
  const v = wholeValue(rest);
  if (!v) return null;
  const value = rest.slice(v[0], v[1]);
  return /^[\p{Lu}\d]/u.test(value) && value.split(/\s+/).length <= 5 && /\p{L}{2}/u.test(value) ? v : null;
};

const longToken = (rest: string) => (rest.replace(/[^\p{L}\p{N}]/gu, '').length >= 8 ? wholeValue(rest) : null);

/** A wallet address: a long token with digits in it (a label such as "Last login IP" is not one). */
const walletToken = (rest: string) => {
  const v = longToken(rest);
  return v && /\d/.test(rest.slice(v[0], v[1])) ? v : null;
};

/** A date as written or as OCR damages it: two or more groups of digits apart, or a month's name with digits. */
const dateValue = (rest: string) => {
  const v = hasDigits(2)(rest);
  if (!v) return null;
  const value = rest.slice(v[0], v[1]);
  const dated = /[\dOlISZB]{1,4}\s?[./-]\s?[\dOlISZB]{1,2}\s?[./-]\s?[\dOlISZB]{2,4}|\d{1,2}\.? ?\p{L}{3,9}\.?,? ?\d{2,4}|\p{L}{3,9}\.? \d{1,2},? \d{2,4}/u.test(value);
  return dated ? v : null;
};

export const LABELS: Label[] = [
  { words: ['account holder', 'account name', 'cardholder', 'card holder', 'full name', 'customer name', 'contact name', 'beneficiary', 'counterparty', 'recipient', 'payee', 'payer', 'sender', 'name', 'customer', 'holder', 'client'], type: 'person_name', value: nameValue },
  { words: ['deposit address', 'withdrawal address', 'wallet address', 'btc wallet', 'eth wallet', 'wallet', 'btc address', 'eth address', 'destination'], type: 'crypto_address', value: walletToken },
  // An address has a number somewhere (house or postcode): "Address book" is not one.
  { words: ['billing address', 'home address', 'mailing address', 'street address', 'address', 'street', 'residence', 'postcode', 'post code', 'zip'], type: 'postal_address', value: withDigit },
  { words: ['city', 'town', 'locality'], type: 'postal_address', value: placeValue },
  { words: ['e-mail', 'email', 'mail', 'username', 'user'], type: 'email', value: identity },
  { words: ['telephone', 'phone', 'mobile', 'tel', 'cell'], type: 'phone', value: hasDigits(5) },
  { words: ['available balance', 'balance', 'available', 'equity', 'holdings', 'total assets'], type: 'money', value: hasDigits(1) },
  { words: ['iban', 'account number', 'account no', 'acct', 'bank account', 'routing number', 'routing', 'sort code', 'account'], type: 'iban', value: accountValue },
  { words: ['card number', 'card', 'pan'], type: 'card_number', value: hasDigits(4) },
  { words: ['national id', 'ssn', 'passport', 'tax id', 'id number', 'sin', 'national insurance', 'ni number', 'nino', 'nhs number', 'nhs', 'dni', 'nie', 'codice fiscale', 'aadhaar', 'pan card', 'cpf', 'pesel', 'bsn', 'id document', 'document number', 'personal number'], type: 'national_id', value: hasDigits(4) },
  { words: ['date of birth', 'birth date', 'dob', 'born', 'birthday', 'geburtsdatum', 'date de naissance', 'fecha de nacimiento', 'data di nascita'], type: 'date_of_birth', value: dateValue },
  { words: ['api key', 'access key', 'secret key', 'api secret', 'secret', 'token', 'key', 'authorization', 'password'], type: 'api_key', value: longToken },
  { words: ['ip address', 'last ip', 'login ip', 'ip'], type: 'ip_address', value: ipValue, inline: true },
];

export interface ExtraLabel {
  words: string[];
  type: PiiType;
}

interface CompiledLabels {
  re: RegExp;
  lookup: (found: string) => Label | undefined;
}

/** "no.", "nr." or "number" after a label word: the number of what the label names. */
const NUMBER_SUFFIX = /\s+(?:no|nr|num)\.?|\s+number/;

function compile(labels: Label[]): CompiledLabels {
  const all = labels.flatMap((l) => l.words.map((w) => ({ word: w.toLowerCase(), label: l }))).sort((a, b) => b.word.length - a.word.length);
  const escape = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/-/g, '-?').replace(/\s+/g, '\\s*');
  return {
    // A "#" separates only right after the label ("Account #1234"), not across a column gap.
    // A label may be followed by "no." or "number" ("Passport no.", "Account number").
    re: new RegExp(`(?<![\\p{L}\\p{N}])(${all.map((a) => escape(a.word)).join('|')})(?:${NUMBER_SUFFIX.source})?(\\s*[:=]| ?#|(?=\\s))`, 'giu'),
    lookup: (found) => {
      const key = found.toLowerCase().replace(/\s+/g, ' ');
      return all.find((a) => a.word === key || a.word.replace(/-/g, '') === key)?.label;
    },
  };
}

const BUILT_IN = compile(LABELS);
const compiledWithExtras = new Map<string, CompiledLabels>();

/** The built-in labels, plus a configuration's extra label words (each value shape: the rest of the column). */
function labelsWith(extra: readonly ExtraLabel[]): CompiledLabels {
  if (!extra.length) return BUILT_IN;
  const key = JSON.stringify(extra);
  let c = compiledWithExtras.get(key);
  if (!c) {
    c = compile([...LABELS, ...extra.map((e) => ({ words: e.words, type: e.type, value: wholeValue }))]);
    compiledWithExtras.set(key, c);
  }
  return c;
}

/** Spans of values that follow a label on the same line. */
export function labelSpans(text: string, extra: readonly ExtraLabel[] = []): Span[] {
  const { re, lookup } = labelsWith(extra);
  const out: Span[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const label = lookup(m[1]);
    if (!label) continue;
    const separated = m[2].trim().length > 0;
    const atStart = text.slice(0, m.index).trim().length === 0;
    if (!separated && !atStart && !label.inline) continue;
    const restStart = m.index + m[0].length;
    // The value may sit across one column gap from its label; it ends at the next one.
    const rest = text.slice(restStart);
    const lead = rest.length - rest.trimStart().length;
    // A value is next to its label; text half a screen away (after two tabs) is not it.
    if (rest.slice(0, lead).includes('\t\t')) continue;
    const columnEnd = rest.indexOf('\t', lead);
    let segment = columnEnd < 0 ? rest : rest.slice(0, columnEnd);
    // ...and before the next "key=" or "Label:" in it (log lines, key=value lists).
    // (Hex groups of an IPv6 address, "db8:", are no key.)
    const nextKey = /\s(?![0-9a-fA-F]{1,4}:)[\p{L}_][\p{L}\p{N}_-]*\s?[=:]/u.exec(segment.slice(lead));
    if (nextKey) segment = segment.slice(0, lead + nextKey.index);
    const value = label.value(segment);
    if (!value) continue;
    out.push({
      type: label.type,
      detector: `label:${m[1].toLowerCase()}`,
      confidence: separated ? 0.8 : 0.6,
      start: restStart + value[0],
      end: restStart + value[1],
    });
  }
  return out;
}

/** Whether `text` begins with a label word ("Email", "IBAN:", "Last IP") rather than a value. */
export function startsWithLabel(text: string, extra: readonly ExtraLabel[] = []): boolean {
  const { re, lookup } = labelsWith(extra);
  re.lastIndex = 0;
  const m = re.exec(text);
  if (m && m.index === text.length - text.trimStart().length && lookup(m[1])) return true;
  return labelAlone(text.split('\t')[0], extra) !== undefined;
}

/** The label a line consists of alone ("Email", "Wallet address:"), whose value is on the line below. */
const MULTI_WORD = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:${LABELS.flatMap((l) => l.words).filter((w) => w.includes(' ')).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+')).join('|')})(?![\\p{L}\\p{N}])`,
  'iu',
);

/** Whether `text` holds a label of two or more words ("Last login IP", "Date of birth"): a label's line, not a value. */
export function holdsLabel(text: string): boolean {
  return MULTI_WORD.test(text);
}

export function labelAlone(text: string, extra: readonly ExtraLabel[] = []): Label | undefined {
  const m = /^\s*([\p{L}\s-]{2,30}?)\s*[:=]?\s*$/u.exec(text);
  if (m) return labelsWith(extra).lookup(m[1]);
  const numbered = new RegExp(`^\\s*([\\p{L}\\s-]{2,30}?)(?:${NUMBER_SUFFIX.source})\\s*[:=]?\\s*$`, 'iu').exec(text);
  return numbered ? labelsWith(extra).lookup(numbered[1]) : undefined;
}
