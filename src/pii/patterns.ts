/**
 * Pattern recognizers over one line of text. Each returns spans (JavaScript string
 * indices) with a type and a confidence; checksums raise confidence but a candidate of
 * the right shape is kept, since OCR damages checksums more often than it invents shapes.
 */
import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js';
import { base58CheckValid, bech32Valid, eip55Valid, ibanValid, IBAN_LENGTHS, luhnValid } from './checksums.js';
import { findNames } from './names.js';
import type { PiiType } from './types.js';

export interface Span {
  type: PiiType;
  detector: string;
  confidence: number;
  start: number;
  end: number;
}

type Recognizer = (text: string) => Span[];

function matches(
  text: string,
  re: RegExp,
  type: PiiType,
  detector: string,
  score: (m: RegExpExecArray) => number | null,
): Span[] {
  const out: Span[] = [];
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  for (let m = g.exec(text); m; m = g.exec(text)) {
    if (m[0].length === 0) {
      g.lastIndex++;
      continue;
    }
    const confidence = score(m);
    if (confidence !== null) out.push({ type, detector, confidence, start: m.index, end: m.index + m[0].length });
  }
  return out;
}

const TLD = 'com|org|net|io|co|de|uk|fr|es|it|nl|ru|info|biz|me|app|dev|edu|gov|ch|at|be|pl|se|jp|cn|in|br|ca|au';
const email: Recognizer = (t) => [
  // OCR inserts a space after dots and reads "@" as a copyright or registered sign.
  ...matches(t, /[\w.,+%-]+ ?[@©®] ?[\w-]+(?: ?\. ?[\w-]+)*\. ?[a-z]{2,}/i, 'email', 'pattern:email', (m) =>
    m[0].includes('@') ? 0.95 : 0.7,
  ),
  // "@" lost altogether: name.name<x>domain.tld, a dotted local part before a known TLD.
  ...matches(t, new RegExp(`(?<![\\w@.])[a-z0-9_%+-]+\\.[a-z0-9_%+-]+[a-z0-9.-]*\\.(?:${TLD})(?![\\w.])`, 'i'), 'email', 'pattern:email-damaged', (m) =>
    m[0].length >= 12 && !m[0].includes('@') ? 0.45 : null,
  ),
];

/** A calendar date with separators (2026-03-02, 2026-03-02T14:10:00Z, 02.03.2026), as OCR runs a column of them together. */
const SEPARATED_DATE = /(?:19|20)\d\d[-/.](?:0[1-9]|1[0-2])[-/.](?:0[1-9]|[12]\d|3[01])(?:T\d\d:\d\d(?::\d\d)?(?:\.\d+)?Z?)?|(?:0[1-9]|[12]\d|3[01])[./](?:0[1-9]|1[0-2])[./](?:19|20)\d\d/g;

const CARD = /(?<![\w.,-])\d(?:[ -]?\d){12,18}(?![\w]|[.,]\d)/;

const card: Recognizer = (t) => {
  const out: Span[] = [];
  for (const span of matches(t, CARD, 'card_number', 'pattern:card', () => 1)) {
    const text = t.slice(span.start, span.end);
    const digits = text.replace(/\D/g, '');
    if (digits.length < 13 || digits.length > 19) continue;
    if (luhnValid(digits)) {
      out.push({ ...span, confidence: 0.95 });
      continue;
    }
    // Dates stacked in a column and read as one line are not a card; a card after a date
    // ("2026-03-02 4111 1111 ...") is looked for in what follows the dates.
    const dates = [...text.matchAll(SEPARATED_DATE)];
    if (!dates.length) {
      out.push({ ...span, confidence: 0.5 });
      continue;
    }
    const last = dates[dates.length - 1];
    const restStart = span.start + last.index + last[0].length;
    for (const inner of card(' '.repeat(restStart) + t.slice(restStart))) out.push(inner);
  }
  return out;
};

const TO_LETTER: Record<string, string> = { '0': 'O', '1': 'I', '2': 'Z', '5': 'S', '6': 'G', '8': 'B' };
const TO_DIGIT: Record<string, string> = { O: '0', I: '1', l: '1', Z: '2', S: '5', G: '6', B: '8' };

const iban: Recognizer = (t) => [
  ...matches(t, /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/, 'iban', 'pattern:iban', (m) => {
    const compact = m[0].replace(/ /g, '');
    if (ibanValid(compact)) return 0.97;
    return IBAN_LENGTHS[compact.slice(0, 2)] ? 0.55 : 0.35;
  }),
  // Country code and check digits as OCR misreads them: "G85O GOUH ...", "FR6l ...", "NL7B ...".
  ...matches(t, /\b[A-Z0-9]{2}[0-9OIlZSGB]{2}(?: ?[A-Za-z0-9]){11,30}\b/, 'iban', 'pattern:iban-damaged', (m) => {
    const country = [...m[0].slice(0, 2)].map((c) => TO_LETTER[c] ?? c).join('');
    const check = [...m[0].slice(2, 4)].map((c) => TO_DIGIT[c] ?? c).join('');
    // A country read from digits alone ("15745 547 ERROR api", "15" as "IS") is a log
    // line's timestamp and words, not an account.
    const shaped = /[A-Z]/.test(m[0].slice(0, 2));
    return shaped && IBAN_LENGTHS[country] && /^\d\d$/.test(check) && /\d{4}/.test(m[0].replace(/ /g, '')) ? 0.5 : null;
  }),
];

const BASE58 = '[1-9A-HJ-NP-Za-km-z]';
const crypto: Recognizer = (t) => [
  // OCR reads the separator 1 as l, I or |, and a 0 inside as @ or O.
  ...matches(t, /\b(?:bc|tb|ltc)[1lI|i][a-z0-9@]{20,90}\b/i, 'crypto_address', 'pattern:bech32', (m) =>
    bech32Valid(m[0]) ? 0.98 : 0.75,
  ),
  // Any letters, not only base58's: OCR reads l as I and o as 0.
  ...matches(t, /\b[13][A-Za-z0-9]{25,34}\b/, 'crypto_address', 'pattern:base58', (m) =>
    base58CheckValid(m[0]) ? 0.97 : /\d/.test(m[0]) && /[a-z]/.test(m[0]) && /[A-Z]/.test(m[0]) ? 0.55 : null,
  ),
  ...matches(t, /\b0[xX][0-9a-fA-F]{40}\b/, 'crypto_address', 'pattern:eth', (m) => (eip55Valid(m[0]) ? 0.98 : 0.8)),
  ...matches(t, new RegExp(`\\b[LM]${BASE58}{26,33}\\b`), 'crypto_address', 'pattern:ltc', (m) =>
    base58CheckValid(m[0]) ? 0.95 : null,
  ),
  ...matches(t, new RegExp(`\\bT${BASE58}{33}\\b`), 'crypto_address', 'pattern:tron', (m) =>
    base58CheckValid(m[0]) ? 0.95 : /\d/.test(m[0]) ? 0.5 : null,
  ),
  ...matches(t, /\br[1-9A-HJ-NP-Za-km-z]{24,34}\b/, 'crypto_address', 'pattern:xrp', (m) =>
    /\d/.test(m[0]) && /[A-Z]/.test(m[0]) ? 0.6 : null,
  ),
];

const ip: Recognizer = (t) => [
  // A dot read as a comma now and then.
  ...matches(t, /(?<![\w.,])(?:\d{1,3}[.,]){3}\d{1,3}(?![\w]|[.,]\d)/, 'ip_address', 'pattern:ipv4', (m) =>
    m[0].split(/[.,]/).every((p) => Number(p) <= 255) ? (m[0].includes(',') ? 0.6 : 0.9) : null,
  ),
  // Hex groups, with O, l, I, S, Z read for 0, 1, 1, 5, 2; OCR breaks a "::" into ":;", ";:" or ": :".
  ...matches(t, /(?<![\w:])(?:[0-9a-fOlISZ]{1,4}(?::;? ?:|;:|:;|:)){1,7}:?(?:[0-9a-fOlISZ]{1,4}:?){0,7}[0-9a-fOlISZ]{1,4}(?![\w:])/i, 'ip_address', 'pattern:ipv6', (m) => {
    const s = m[0].replace(/[; ]+/g, ':').replace(/:{3,}/g, '::').replace(/[OlISZ]/g, (c) => TO_DIGIT[c] ?? '1');
    const groups = s.split(':').length;
    if (!s.includes('::') && groups < 6) return null;
    return /[a-f]/i.test(s) || s.includes('::') ? 0.85 : null;
  }),
];

/**
 * A full calendar date at least 16 years back: on a support screen that is a customer's
 * date of birth (an exchange's own records are younger), with or without a label. Year
 * first only with two-digit month and day: "1998.11.3" is a version.
 */
const MONTH_NAME = 'Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?';
const DATE_WITH_YEAR = new RegExp(
  `(?<![\\w.])(?:(?:19|20)\\d\\d[-/.](?:0[1-9]|1[0-2])[-/.](?:0[1-9]|[12]\\d|3[01])|(?:0?[1-9]|[12]\\d|3[01])[-/.](?:0?[1-9]|1[0-2])[-/.](?:19|20)\\d\\d|(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\\d|3[01])/(?:19|20)\\d\\d|(?:0?[1-9]|[12]\\d|3[01]) (?:${MONTH_NAME})\\.?,? (?:19|20)\\d\\d|(?:${MONTH_NAME})\\.? (?:0?[1-9]|[12]\\d|3[01]),? (?:19|20)\\d\\d)(?![\\w]|[.]\\d)`,
);
const birthDate: Recognizer = (t) => {
  const latest = new Date().getUTCFullYear() - 16;
  return matches(t, DATE_WITH_YEAR, 'date_of_birth', 'pattern:birth-date', (m) => {
    const year = Number(/\d{4}/.exec(m[0])?.[0]);
    return year >= 1900 && year <= latest ? 0.6 : null;
  });
};

// With the usual misreadings: U5DT, 8TC, EUK...
const CURRENCY = 'U[S5]DT|U[S5]DC|U[S5]D|EUR|GBP|CHF|JPY|CAD|AUD|[B8]TC|ETH|[S5]OL|XRP|LTC|TRX|BNB|DOGE|ADA|DAI';
/**
 * The date and hour of an ISO timestamp, and what OCR made of the minutes, just before a
 * match: anything short ("11:" comes back as "1b", "1k", "ills", "1 LES"), but not a "Z",
 * which ends a time that was read, nor a column's gap.
 */
const ISO_TIME_BEFORE = /\d{4}-\d{2}-\d{2}[T ]\d{1,2} ?[:;] ?[^\tZ]{0,7}$/;
/**
 * A time read whole just before a match, so what follows is not the time's place: an ISO
 * time with its seconds ("T14:10:42 $743.01"), or a table's "14:10 £3 427". Read whole
 * means no space at the colons, where OCR damage shows ("T14: 16" is "T14:11:17Z").
 */
const TIME_READ_BEFORE = /(?:T\d{1,2}:\d\d:\d\d(?:\.\d+)?Z?| \d{1,2}:\d\d(?::\d\d)?) $/;
/** A match in the place of an ISO timestamp's minutes and seconds, which OCR reads as anything. */
const inTimesPlace = (t: string, at: number) => {
  const before = t.slice(Math.max(0, at - 26), at);
  return ISO_TIME_BEFORE.test(before) && !TIME_READ_BEFORE.test(before);
};

const money: Recognizer = (t) => [
  // The sign starts a token ("US$" and "A$" aside): "T€71076-07" is OCR noise on a clipped
  // line, and digits that go on after a dash are a date or an id, not an amount.
  // Nor is a sign in the time of an ISO timestamp: OCR reads the colons of a log line's
  // "T14:10:42Z" as "T14: 101 £3 427" or "T14: $743 017".
  ...matches(t, /(?:\b(?:US|A|C|HK|NZ|R)\$|(?<![\p{L}\p{N}])[-+]?[$€£¥]) ?\d(?:[\d,. ]*\d)?(?![\d]|-\d)/u, 'money', 'pattern:money', (m) =>
    inTimesPlace(t, m.index) ? null : 0.9,
  ),
  // A space inside the number only before a group of three digits ("1 250.00 EUR"), so a
  // neighbouring number ("TX-90233  3.66 BTC") is not taken in.
  ...matches(t, new RegExp(`(?<![\\w.])[-+]?\\d(?:[\\d,.]| (?=\\d{3}(?!\\d)))*(?:\\d)? ?(?:${CURRENCY})\\b`, 'i'), 'money', 'pattern:money', () => 0.85),
  ...matches(t, new RegExp(`\\b(?:${CURRENCY}) ?[-+]?\\d[\\d,.]*\\d`, 'i'), 'money', 'pattern:money', () => 0.85),
  // An amount whose leading digits OCR lost (a thin "1" or "7" before the point or the
  // thousands separator): ".6251 BTC", ".377,94 EUR".
  ...matches(t, new RegExp(`(?<![\\w.,])[.,]\\d(?:[\\d,.]*\\d)? ?(?:${CURRENCY})\\b`, 'i'), 'money', 'pattern:money', () => 0.7),
];

const nationalId: Recognizer = (t) =>
  matches(t, /(?<![\w-])\d{3}[- ]\d{2}[- ]\d{4}(?![\w-])/, 'national_id', 'pattern:ssn', (m) =>
    /^(000|666|9)/.test(m[0]) ? 0.4 : 0.8,
  );

const apiKey: Recognizer = (t) => [
  ...matches(t, /\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{8,}/, 'api_key', 'pattern:stripe-key', () => 0.97),
  ...matches(t, /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, 'api_key', 'pattern:aws-key', () => 0.97),
  ...matches(t, /\bgh[pousr]_[A-Za-z0-9]{20,}/, 'api_key', 'pattern:github-token', () => 0.97),
  ...matches(t, /\bxox[abpr]-[A-Za-z0-9-]{10,}/, 'api_key', 'pattern:slack-token', () => 0.95),
  ...matches(t, /\bBearer\s+[\w.~+/-]{12,}=*/i, 'api_key', 'pattern:bearer', () => 0.95),
  ...matches(t, /\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}/, 'api_key', 'pattern:jwt', () => 0.95),
];

const STREET_SUFFIX = 'St|Street|Ave|Avenue|Rd|Road|Dr|Drive|Ln|Lane|Blvd|Boulevard|Way|Ct|Court|Pl|Place|Sq|Square|Pkwy|Hwy|Terrace|Kingsway|Close|Crescent|Gardens|Grove|Mews|Row|Walk|Hill|Park|Green|Parade';
/** A UK postcode (SW1A 2AA, M1 2AB, EC1A 1BB). */
const UK_POSTCODE = '(?:[A-Z]{1,2}\\d[A-Z\\d]?|GIR) ?\\d[A-Z]{2}';
/** The postcode areas of the United Kingdom (the letters before the first digit). */
const UK_AREAS = new Set(
  ('AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E EC EH EN EX FK FY G GL GU GY ' +
    'HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR ' +
    'RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE').split(' '),
);
/** After a street: the town and a postcode, US/UK order (", London SW1A 2AA", ", Springfield, IL 62704"). */
// State codes and postcodes as OCR reads them too ("lL 62704", "M1 2A8").
const TAIL_AFTER = `(?:,? (?:[A-Z][\\w'.-]+ ?){1,3},? (?:[A-Za-z]{2} \\d{5}(?:-\\d{4})?|(?:[A-Z]{1,2}\\d[A-Z\\d]?) ?\\d[A-Z][A-Z\\d])\\b)`;
/** ...or the postcode first, as on the continent (", 10115 Berlin", ", 1012 JS Amsterdam"). */
const TAIL_BEFORE = "(?:,? (?:\\d{4} ?[A-Z]{2}|\\d{4,5}) [\\p{Lu}][\\p{L}'-]+(?: [\\p{Lu}][\\p{L}'-]+)?)";
const TAIL = `(?:${TAIL_AFTER}|${TAIL_BEFORE})?`;
/** A flat, unit or suite before the house number ("Flat 4, 27 Kings Road"). */
const UNIT = "(?:(?:Flat|Apt\\.?|Apartment|Suite|Unit|Floor) \\w{1,5},? )?";
// NW, SE...; OCR reads "NW" as "Ni" now and then.
const DIRECTION = '(?: (?:N|S|E|W|NE|NW|SE|SW|Ni|Sl|Nl)\\b)?';
const STREET_WORD_DE = 'väg|vägen|gränd|gade|vei|veg|straße|strasse|straGe|strabe|strafe|str\\.|weg|gasse|platz|allee|ring|damm|ufer|plein|laan|straat|gracht|kade|vej|gatan|gata|veien|tie|katu|utca|ulica';
const STREET_ROMANCE = "(?:rue|avenue|av\\.|boulevard|bd|place|chemin|allée|impasse|quai|Calle|C/|Avenida|Avda\\.|Plaza|Paseo|Carrer|Via|Viale|Piazza|Corso|Rua|Travessa|Largo|Praça|Ulica|ul\\.)";

/** `word` with its first letter in either case ("Str." and "str.", "Rue" and "rue"). */
const eitherCase = (word: string) => (/^\p{L}/u.test(word) ? `[${word[0].toUpperCase()}${word[0].toLowerCase()}]${word.slice(1)}` : word);
/**
 * Street words written before the street's name, in the languages an exchange's customers
 * write addresses in: "ul. Długa 5", "droga Polna 3", "Passage des Panoramas 11", "Via Roma 15".
 */
const STREET_BEFORE = ['ul.', 'ulica', 'al.', 'aleja', 'pl.', 'plac', 'os.', 'osiedle', 'droga', 'rynek', 'wyspa', 'skwer', 'rondo', 'bulwar',
  'rue', 'avenue', 'av.', 'boulevard', 'bd', 'chemin', 'allée', 'impasse', 'quai', 'sentier', 'voie',
  'calle', 'avenida', 'avda.', 'plaza', 'paseo', 'carrer', 'camino', 'carretera', 'ronda', 'rambla', 'travesía',
  'viale', 'piazza', 'piazzale', 'corso', 'largo', 'vicolo', 'strada', 'rua', 'travessa', 'praça', 'estrada', 'alameda',
  'bulevardul', 'calea', 'aleea', 'ulitsa', 'ulice', 'náměstí', 'trg']
  .map((w) => eitherCase(w).replace(/\./g, '\\.'))
  .join('|');
/**
 * Street words that are English words too ("Place order", "Route 66", "via email"): a street
 * only in the French order, the number first and a connector after ("12 route de Lyon"),
 * or as the Italian "Via Roma 15" with a capital.
 */
const STREET_BEFORE_FR = ['place', 'route', 'passage', 'cours'].map(eitherCase).join('|');
const CONNECTOR = "(?:de la|de l['’]|de|du|des|d['’]|l['’]|la|le|les|aux?)";
/**
 * Street words written after the name as a word of their own: "Grüner Weg 40", "Lange Str. 3",
 * "Atatürk Caddesi 12", "Ergenekon Sokak 9", "Östra Storgatan 5" (the compound form is STREET_WORD_DE).
 */
const STREET_AFTER = ['weg', 'str.', 'straße', 'strasse', 'allee', 'platz', 'gasse', 'damm', 'ufer', 'chaussee', 'steig', 'pfad', 'markt',
  'sokak', 'sokağı', 'sok.', 'sk.', 'caddesi', 'cad.', 'cd.', 'bulvarı', 'blv.', 'yolu', 'mahallesi', 'mah.',
  'gatan', 'gata', 'vägen', 'väg', 'gränd', 'gränden', 'stigen', 'backe', 'backen', 'torget', 'allén', 'gade', 'vej', 'vei', 'veien',
  'straat', 'laan', 'plein', 'kade', 'gracht', 'dijk', 'singel', 'utca', 'út', 'tér', 'katu', 'polku']
  .map((w) => eitherCase(w).replace(/\./g, '\\.'))
  .join('|');
/** The street words that end a one-word street name ("Johannes-Dott-Str.", "Åkergränden"): the longer, unmistakable ones. */
const STREET_END = ['straße', 'strasse', 'str.', 'weg', 'allee', 'platz', 'gasse', 'damm', 'chaussee', 'gatan', 'vägen', 'gränd', 'gränden', 'stigen',
  'backen', 'torget', 'veien', 'straat', 'laan', 'plein', 'gracht', 'singel', 'utca', 'katu', 'polku']
  .map((w) => eitherCase(w).replace(/\./g, '\\.'))
  .join('|');
/** What a count is of, in a UI ("10-100 Employees", "250 00 Users" is no postcode and town). */
const COUNT_NOUNS = '(?:Employees|Staff|Users|Members|People|Seats|Items|Orders|Tickets|Requests|Calls|Records|Rows|Results|Days|Hours|Minutes|Seconds|Weeks|Months|Years|Points|Credits|Units|Files|Pages)(?![\\p{L}])';
/** A house number: "12", "40b", "12/3", "7-9". */
const HOUSE = '\\d{1,4}[a-zA-Z]?(?:[/-]\\d{1,4}[a-zA-Z]?)?';
/** A word of a street's name: "Długa", "de", "l'Église", "Francs-Bourgeois". */
const NAME_WORD = "[\\p{L}][\\p{L}'’.-]*";
/** A capitalised word of a street's name. */
const NAME_CAP = "(?:\\p{Ll}{1,4}['’])?[\\p{Lu}][\\p{L}'’.-]*";

const address: Recognizer = (t) => [
  // House number first: "4043 Oak Avenue, Springfield, IL 62704", "221B Baker Street, London NW1 6XE".
  ...matches(
    t,
    new RegExp(`${UNIT}\\b\\d{1,6}[A-Za-z]? (?:[A-Z][\\w'.-]* ){1,4}(?:${STREET_SUFFIX})\\b\\.?${DIRECTION}${TAIL}`, 'u'),
    'postal_address',
    'pattern:street-address',
    () => 0.75,
  ),
  // Street word with the number after it: "Hauptstraße 12, 10115 Berlin", "Damstraat 1, 1012 JS Amsterdam".
  ...matches(t, new RegExp(`\\b[\\p{Lu}][\\p{L}-]*(?:${STREET_WORD_DE}) \\d{1,4}[a-z]?\\b${TAIL}`, 'u'), 'postal_address', 'pattern:street-address', () => 0.75),
  // Romance forms: "12 rue de la Paix, 75002 Paris", "Calle Mayor 10, 28013 Madrid", "Via Roma 15, 00184 Roma".
  ...matches(t, new RegExp(`(?:\\b\\d{1,4}(?:bis|ter)?,? )?\\b${STREET_ROMANCE} (?:[\\p{L}'.-]+ ){0,4}?(?:[\\p{Lu}][\\p{L}'.-]+)(?:,? \\d{1,4}[a-z]?)?${TAIL_BEFORE}`, 'u'), 'postal_address', 'pattern:street-address', () => 0.7),
  // Any street name with its house number, then a postcode and a town: "Tommys Väg 89, 221 78 Lund",
  // "Piotrkowska 104, 90-001 Łódź" (the shape alone, whatever the language's street word).
  ...matches(t, new RegExp(`\\b[\\p{Lu}][\\p{L}'.-]+(?: [\\p{L}'.-]+){0,3} \\d{1,4}[a-zA-Z]?(?:/\\d{1,4})?, (?:\\d{3} ?\\d{2}|\\d{4}|\\d{2}-\\d{3}) [\\p{Lu}][\\p{L}'-]+(?: [\\p{Lu}][\\p{L}'-]+)?`, 'u'), 'postal_address', 'pattern:street-address', () => 0.6),
  // A street word before the name and the house number after it: "ul. Długa 5", "droga Polna 3a",
  // "Calle de Alcalá 42". The house number is what tells a street from a menu ("Place order").
  ...matches(t, new RegExp(`(?<![\\p{L}\\p{N}])(?:${STREET_BEFORE}) (?:${NAME_WORD} ){0,3}${NAME_CAP},? ${HOUSE}(?![\\p{L}\\p{N}])${TAIL}`, 'u'), 'postal_address', 'pattern:street-address', () => 0.7),
  ...matches(t, new RegExp(`(?<![\\p{L}\\p{N}])Via (?:${NAME_WORD} ){0,2}${NAME_CAP},? ${HOUSE}(?![\\p{L}\\p{N}])${TAIL}`, 'u'), 'postal_address', 'pattern:street-address', () => 0.6),
  // The house number first: "144 Passage des Panoramas", "2 impasse du Moulin", "7 rue Lepic".
  ...matches(t, new RegExp(`(?<![\\p{L}\\p{N}.,:/-])${HOUSE}(?:bis|ter)?,? (?:(?:${STREET_BEFORE}) (?:${NAME_WORD} ){0,3}|(?:${STREET_BEFORE_FR}) ${CONNECTOR} ?(?:${NAME_WORD} ){0,2})${NAME_CAP}${TAIL}`, 'u'), 'postal_address', 'pattern:street-address', () => 0.7),
  // The name, a street word of its own, the house number: "Grüner Weg 40b", "Ergenekon Sokak 98".
  ...matches(t, new RegExp(`(?<![\\p{L}\\p{N}])${NAME_CAP}(?: ${NAME_WORD}){0,2} (?:${STREET_AFTER}) ${HOUSE}(?![\\p{L}\\p{N}])${TAIL}`, 'u'), 'postal_address', 'pattern:street-address', () => 0.7),
  // A compound street name, either case, the house number after it: "Johannes-Dott-Str. 28a", "Åkergränden 5".
  ...matches(t, new RegExp(`(?<![\\p{L}\\p{N}])(?:${NAME_CAP} ){0,2}[\\p{Lu}][\\p{L}-]*(?:${STREET_END}) ${HOUSE}(?![\\p{L}\\p{N}])${TAIL}`, 'u'), 'postal_address', 'pattern:street-address', () => 0.7),
  // A postcode of a distinctive national shape before its town: "06-265 Miejska Górka" (PL),
  // "6273 CN Wissel" (NL), "221 78 Lund" (SE), "1000-001 Lisboa" (PT).
  ...matches(t, new RegExp(`(?<![\\p{L}\\p{N}.,:/-])(?:\\d{2}-\\d{3}|\\d{4}-\\d{3}|\\d{4} ?(?!KB|MB|GB|TB|HD|AM|PM|ID|UI|IP)[A-Z]{2}|\\d{3} \\d{2}) (?!${COUNT_NOUNS})[\\p{Lu}][\\p{Ll}'’-]+(?: [\\p{Lu}][\\p{Ll}'’-]+)?(?![\\p{L}\\p{N}])`, 'u'), 'postal_address', 'pattern:postcode-town', () => 0.6),
  // A UK postcode on its own, with the town after it if there is one.
  ...matches(t, new RegExp(`(?<![\\w-])${UK_POSTCODE}(?![\\w-])(?: [\\p{Lu}][\\p{Ll}'’-]+){0,2}`, 'u'), 'postal_address', 'pattern:uk-postcode', (m) => {
    const code = /^([A-Z]{1,2})\d[A-Z\d]? ?\d([A-Z]{2})\b/.exec(m[0]);
    if (!code) return null;
    // With a town after it, the shape is enough; alone, OCR noise on a half-hidden row
    // ("TX-48..." read as "A1 2BC") takes the shape too: it must be a real postcode area,
    // its last two letters from the set Royal Mail uses.
    if (/ \p{Lu}/u.test(m[0].slice(code[0].length))) return 0.6;
    return UK_AREAS.has(code[1]) && /^[ABD-HJLNP-UW-Z]{2}$/.test(code[2]) ? 0.6 : null;
  }),
];

/** Letters of a Spanish DNI's check character, by the number modulo 23. */
const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';
const nhsValid = (digits: string) => {
  const sum = [...digits.slice(0, 9)].reduce((a, d, i) => a + Number(d) * (10 - i), 0);
  const check = 11 - (sum % 11);
  return (check === 11 ? 0 : check) === Number(digits[9]) && check !== 10;
};

const nationalIds: Recognizer = (t) => [
  // UK National Insurance number: QQ 12 34 56 C.
  ...matches(t, /\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/, 'national_id', 'pattern:uk-nino', () => 0.8),
  // Spanish DNI (12345678Z) and NIE (X1234567L), the letter checked.
  ...matches(t, /\b(?:\d{8}|[XYZ]\d{7})-?[A-Z]\b/, 'national_id', 'pattern:es-dni', (m) => {
    const compact = m[0].replace('-', '');
    const num = Number(compact.slice(0, -1).replace(/^[XYZ]/, (c) => String('XYZ'.indexOf(c))));
    return DNI_LETTERS[num % 23] === compact.slice(-1) ? 0.9 : 0.5;
  }),
  // Italian codice fiscale; its digits as OCR reads them too (8 as B, 5 as S, 1 as L...).
  ...matches(t, /\b[A-Z]{6}[\dOILSBZG]{2}[A-EHLMPR-T][\dOILSBZG]{2}[A-Z][\dOILSBZG]{3}[A-Z]\b/, 'national_id', 'pattern:it-codice-fiscale', (m) =>
    /^[A-Z]{6}\d{2}[A-EHLMPR-T]\d{2}[A-Z]\d{3}[A-Z]$/.test(m[0]) ? 0.9 : /\d/.test(m[0].slice(6)) ? 0.6 : null,
  ),
  // Indian Aadhaar: 12 digits in groups of four, never starting with 0 or 1.
  ...matches(t, /(?<![\d-]|\d )[2-9]\d{3} \d{4} \d{4}(?![\d-]| \d)/, 'national_id', 'pattern:aadhaar', () => 0.6),
  // NHS number (943 476 5919), by its mod-11 check.
  ...matches(t, /(?<![\d-]|\d )\d{3}[ -]\d{3}[ -]\d{4}(?![\d-]| \d)/, 'national_id', 'pattern:nhs', (m) => (nhsValid(m[0].replace(/\D/g, '')) ? 0.7 : null)),
];

/** A calendar date with a four-digit year (2026-04-20, 20.04.2026). */
export const DATE_LIKE = /\b(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})\b/;

/**
 * Countries whose national formats (no +, a trunk 0 or none) are read too: where an
 * exchange's customers are. Each is tried only on a line with a national-looking number.
 */
const NATIONAL_COUNTRIES: CountryCode[] = ['GB', 'DE', 'FR', 'ES', 'IT', 'NL', 'PL', 'TR', 'UA', 'PH', 'JP', 'CN', 'KR', 'IN', 'ID', 'VN', 'TH', 'NG', 'BR', 'MX', 'AU', 'ZA', 'AE'];
/** A trunk-prefixed national number (0917 123 4567, 090-1234-5678) or a Chinese mobile (138...). */
const NATIONAL_SHAPE = /(?<![\d+])0\d(?:[ ().-]?\d){7,11}(?!\d)|(?<![\d+])1[3-9]\d(?:[ -]?\d){8}(?!\d)/;

const phone: Recognizer = (t) => {
  const out: Span[] = [];
  const take = (startsAt: number, endsAt: number, detector: string, confidence: number) => {
    const found = t.slice(startsAt, endsAt);
    // A date followed by an hour reads as a number to libphonenumber.
    if (DATE_LIKE.test(found)) return;
    // So does a version or build number (126.0.6478.126): dots alone, four groups or a one-digit group.
    if (/^[\d.]+$/.test(found) && (found.split('.').length >= 4 || found.split('.').some((g) => g.length === 1))) return;
    if (out.some((s) => s.start === startsAt && s.end === endsAt)) return;
    out.push({ type: 'phone', detector, confidence, start: startsAt, end: endsAt });
  };
  for (const found of findPhoneNumbersInText(t, { defaultCountry: 'US' })) take(found.startsAt, found.endsAt, 'pattern:phone', 0.85);
  if (NATIONAL_SHAPE.test(t)) {
    for (const country of NATIONAL_COUNTRIES) {
      for (const found of findPhoneNumbersInText(t, { defaultCountry: country })) {
        // A national number stands alone: not a piece of a longer run of digits (a card, a date).
        if (/\d[-./ ]?$/.test(t.slice(Math.max(0, found.startsAt - 2), found.startsAt))) continue;
        if (/^[-./ ]?\d/.test(t.slice(found.endsAt, found.endsAt + 2))) continue;
        // Nor an id ("#43527") that some plan's short numbers happen to fit, alone or run on
        // from the end of the number beside it in the next cell: a national number has the
        // digits of the shape that let it be looked for, within one cell.
        const text = t.slice(found.startsAt, found.endsAt);
        if (/[\t#]/.test(text) || text.replace(/\D/g, '').length < 8 || t[found.startsAt - 1] === '#') continue;
        take(found.startsAt, found.endsAt, 'pattern:phone-national', 0.75);
      }
    }
  }
  // International numbers libphonenumber does not know the plan of still have this shape.
  out.push(
    ...matches(t, /(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?!\w)/, 'phone', 'pattern:phone-intl', (m) =>
      m[0].replace(/\D/g, '').length >= 8 ? 0.6 : null,
    ),
  );
  return out;
};

/**
 * Long random-looking tokens (mixed case and digits, many digits among letters, or long hex): addresses and keys whose
 * prefix or checksum OCR damaged still look like this, and ordinary words never do.
 */
const highEntropy: Recognizer = (t) =>
  matches(t, /(?<![\w])[A-Za-z0-9_+/=@-]{24,}(?![\w])/, 'api_key', 'pattern:high-entropy', (m) => {
    const s = m[0];
    // An @ (a misread 0) is allowed inside; an e-mail address is not a token.
    if (/@[\w-]+\./.test(s)) return null;
    // An id and a date run together by OCR ("TCK-48213-2026-03-02T14:10"): split at the
    // date first; only a piece long enough on its own is tested.
    if (s.split(SEPARATED_DATE).every((piece) => piece.replace(/^[-_]+|[-_]+$/g, '').length < 24)) return null;
    const digits = (s.match(/\d/g) ?? []).length;
    const letters = (s.match(/[A-Za-z]/g) ?? []).length;
    const mixed = (/[a-z]/.test(s) && /[A-Z]/.test(s) && digits >= 2) || (digits >= 5 && letters >= 8);
    const hex = /^(0x)?[0-9a-fA-F]{32,}$/.test(s) && digits >= 4;
    return mixed || hex ? 0.45 : null;
  }).map((span) => {
    const s = t.slice(span.start, span.end);
    return /^(?:[13LMTr]|bc1|0x)/i.test(s) ? { ...span, type: 'crypto_address' as const } : span;
  });

export const RECOGNIZERS: Record<string, Recognizer> = {
  names: findNames,
  highEntropy,
  email,
  card,
  iban,
  crypto,
  ip,
  money,
  nationalId,
  nationalIds,
  apiKey,
  address,
  phone,
  birthDate,
};
