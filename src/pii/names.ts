/**
 * Person names without a label. A name is found where a screen puts one: after a greeting
 * or a sign-off ("Hi Kenji", "Thanks, Emily"), as a chat sender ("Rahul Sharma: ...",
 * "Isabella Rossi · 2 min ago", "Siobhan O'Brien  10:42"), after "from" or "to", or as
 * capitalised words one of which is a known given name ("Björn Lindqvist" in a table row,
 * "Zofia Wiśniewska joined the chat"). Given names and surnames come from the person
 * data of @faker-js/faker's 65 locales (Latin script only: the OCR model reads Latin).
 * Words that are everyday UI ("Grace period", "Mark as read", "Rose gold") are not names:
 * a name needs a second part that is not such a word, or a cue.
 */
import { allLocales } from '@faker-js/faker';
import type { Span } from './patterns.js';

let dictionary: { given: Set<string>; family: Set<string> } | undefined;

const LATIN = /^[\p{Script=Latin}][\p{Script=Latin}'’-]+$/u;

function flatten(x: unknown): string[] {
  if (!x) return [];
  if (typeof x === 'string') return [x];
  if (Array.isArray(x)) return x.flatMap(flatten);
  if (typeof x === 'object') return Object.values(x as Record<string, unknown>).flatMap(flatten);
  return [];
}

/** A name as OCR often reads it: without its diacritics ("Şerafettin Evliyaoğlu" as "Serafettin Evliyaoglu"). */
export function foldDiacritics(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[ıł]/g, (c) => (c === 'ı' ? 'i' : 'l'))
    .replace(/ø/g, 'o')
    .replace(/đ/g, 'd')
    .replace(/ß/g, 'ss')
    .replace(/æ/g, 'ae')
    .replace(/œ/g, 'oe');
}

/** Given names and surnames, lower case, each also without its diacritics; loaded once. */
export function nameDictionary(): { given: Set<string>; family: Set<string> } {
  if (dictionary) return dictionary;
  const given = new Set<string>();
  const family = new Set<string>();
  for (const def of Object.values(allLocales)) {
    const person = (def as { person?: { first_name?: unknown; last_name?: unknown } }).person;
    for (const n of flatten(person?.first_name)) if (LATIN.test(n) && n.length >= 2) given.add(n.toLowerCase()).add(foldDiacritics(n.toLowerCase()));
    for (const n of flatten(person?.last_name)) if (LATIN.test(n) && n.length >= 2) family.add(n.toLowerCase()).add(foldDiacritics(n.toLowerCase()));
  }
  // Given names that are far more often ordinary words on a support screen.
  for (const w of UI_WORDS) given.delete(w);
  dictionary = { given, family };
  return dictionary;
}

/**
 * Words of support-tool and exchange UI, and English function words: never part of a
 * name found without a label, even when a locale lists them as names.
 */
const UI_WORDS = new Set(
  `account accounts active address admin agent alert all amount and api app apply approved archive assign assigned available
  awaiting back balance bank basic batch beta bill billing block blocked bot bots brand build buy cache campaign cancel card case
  center chain change channel chart chase chat check clear client close closed code compliance confirm contact convert copy
  create created crypto customer customers daily dark dashboard date day default delete deposit deposits desktop details device
  disable disabled discard document done download draft due earn edit email enable enabled error escalated event export fee
  fees file filter find first flag follow for form forward free from funds futures general get gold good grace hello help hide
  high history hold home hope id import inbox info internal invoice issue job july june key kyc last launch level light limit
  link list live load lock locked log login logout name names surname holder phone mobile iban swift bic ssn dob pin
  otp sms vip kyc aml low macro main manage margin mark market may me menu message mode more my
  network new next no normal note notes notice now of off on open order orders other overview page paid partner pay payment
  pending period plan platinum please plus post press price print priority private pro profile public queue rate read ready
  record refresh release reply report reports request reset resolved review risk rose rule sale save search security select
  sell send server service session settings share show sign silver site size sort source spot staking start status stop
  submit summer summary support sync system tab tag tags team test the ticket tickets tier time to today top total trade
  trading transfer trust type under unread update updated upload urgent user verified victoria view vip wallet want warning
  watch week will with withdraw withdrawal withdrawals word work year yes you your`.split(/\s+/),
);

const GREETING = /\b(?:hi|hello|hey|dear|thanks|thank you|thx|cheers|regards|best|kind regards|welcome|good (?:morning|afternoon|evening)|from|to|by|with)\b[,:]?\s+$/i;
const GREETING_WORD = /^(?:hi|hello|hey|dear|thanks|cheers|regards|welcome|good|morning|afternoon|evening)$/i;
const TITLE = /^(?:mr|mrs|ms|miss|mx|dr|prof|sir|madam)\.?$/i;
// A capitalised word in any Latin script, with an apostrophe or hyphen inside (O'Brien, Al-Sayed).
const CAP_WORD = /[\p{Lu}][\p{Ll}\p{Lu}'’-]*[\p{Ll}]|[\p{Lu}]{2,}(?:['’-][\p{Lu}]+)*/uy;
const PARTICLE = /^(?:de|da|do|dos|das|van|von|der|den|del|della|di|du|la|le|bin|ibn|al|el|ben|ter|ten|y)$/i;

interface Word {
  text: string;
  start: number;
  end: number;
}

function capitalisedRuns(text: string): Word[][] {
  const runs: Word[][] = [];
  let run: Word[] = [];
  const re = /\S+/g;
  let lastEnd = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    // A column gap (a tab, or three spaces) ends a name.
    if (run.length && /\t| {3,}/.test(text.slice(lastEnd, m.index))) {
      runs.push(run);
      run = [];
    }
    lastEnd = m.index + m[0].length;
    // Punctuation around a word is not part of it; a comma or colon ends a run.
    const lead = /^[("“'‘[]*/.exec(m[0])![0].length;
    const core = m[0].slice(lead).replace(/[),.:;!?”’"\]]+$/, '');
    const start = m.index + lead;
    CAP_WORD.lastIndex = 0;
    const cap = CAP_WORD.exec(core);
    const isWord = cap && cap[0].length === core.length;
    const particle = !isWord && run.length > 0 && PARTICLE.test(core);
    if (isWord || particle) run.push({ text: core, start, end: start + core.length });
    const ends = !(isWord || particle) || core.length !== m[0].length - lead;
    if (ends) {
      if (run.length) runs.push(run);
      run = [];
    }
  }
  if (run.length) runs.push(run);
  return runs;
}

const lower = (w: Word) => w.text.toLowerCase().replace(/’/g, "'");

/** Person-name spans in one line of text, found without a label. */
export function findNames(text: string): Span[] {
  const { given, family } = nameDictionary();
  const out: Span[] = [];
  for (const run of capitalisedRuns(text)) {
    // A greeting inside the run ("Hello Nguyen Van An") is a cue, not part of the name;
    // a title starts a name but is not masked on its own.
    let greeted = false;
    let head = 0;
    while (head < run.length - 1 && GREETING_WORD.test(run[head].text)) head++;
    if (head > 0) greeted = true;
    const titled = head < run.length && TITLE.test(run[head].text);
    let words = run.slice(head + (titled ? 1 : 0));
    // Trailing and leading particles are not part of a name.
    while (words.length && PARTICLE.test(words[words.length - 1].text)) words = words.slice(0, -1);
    if (!words.length) continue;
    // Everyday UI words end a name: "Rahul Sharma Verified" is "Rahul Sharma".
    const firstUi = words.findIndex((w) => UI_WORDS.has(lower(w)));
    if (firstUi === 0) continue;
    if (firstUi > 0) words = words.slice(0, firstUi);
    if (words.length > 4) words = words.slice(0, 4);
    const names = words.map((w) => lower(w));
    const knownGiven = names.some((n) => given.has(n) || given.has(n.split(/[-']/)[0]));
    const knownFamily = names.some((n) => family.has(n) || n.split(/[-']/).some((p) => family.has(p)));
    const before = text.slice(0, run[0].start);
    const after = text.slice(words[words.length - 1].end);
    // Where screens put a name: after a greeting or "from", before a time, a middle dot,
    // "joined"/"wrote", or a role in brackets.
    const cued =
      titled ||
      greeted ||
      GREETING.test(before) ||
      /^\s*(?:[·•]|\s\d{1,2}[:.]\d{2}\b|\(?(?:vip|customer|agent|client)\)|(?:joined|left|wrote|said|is typing|started|replied|sent)\b)/i.test(after) ||
      /^\s{2,}\d{1,2}[:.]\d{2}\b/.test(after);
    // A chat sender at the start of a line ("Rahul Sharma: ..."), when a part is a known name.
    const sender = /^\s*$/.test(before) && /^\s*:/.test(after);
    // Capitals only ("AF KERN EE") is how OCR reads a pointer or an icon over text as often
    // as it is a name: taken only when both parts are known names ("JANE DOE").
    const shouting = words.every((w) => /^[\p{Lu}'’-]+$/u.test(w.text) || w.text.length <= 2);
    if (shouting && !(knownGiven && knownFamily)) continue;
    let confidence = 0;
    if (words.length >= 2 && knownGiven && knownFamily) confidence = 0.8;
    else if (words.length >= 2 && (knownGiven || knownFamily)) confidence = cued || sender ? 0.75 : 0.6;
    else if (words.length >= 2 && cued) confidence = 0.6;
    // One word alone is a name only in mixed case: "IBAN", "VIP", "KYC" are not.
    else if (words.length === 1 && !/^[\p{Lu}'’-]+$/u.test(words[0].text) && (knownGiven || knownFamily) && (cued || sender)) confidence = 0.65;
    if (!confidence) continue;
    out.push({ type: 'person_name', detector: 'names', confidence, start: words[0].start, end: words[words.length - 1].end });
  }
  return out;
}

/** Whether `text` is capitals only and not a known given name and surname (OCR noise more often than a name). */
export function unknownCapitals(text: string): boolean {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (!words.length || !words.every((w) => /^[\p{Lu}\d'’.-]+$/u.test(w) || w.length <= 2)) return false;
  const { given, family } = nameDictionary();
  const lower = words.map((w) => w.toLowerCase());
  return !(lower.some((w) => given.has(w)) && lower.some((w) => family.has(w)));
}
