/**
 * A labelled case set for the PII detector: per entity, values in screen-like contexts,
 * clean and as OCR damages them, and negatives that must stay readable. Generated from a
 * seeded generator, so every run sees the same cases.
 */
import { base58CheckEncode } from '../src/pii/checksums.js';
import type { PiiType } from '../src/pii/types.js';
import {
  Rng,
  fakeApiKey,
  fakeBtcBech32,
  fakeBtcLegacy,
  fakeCard,
  fakeEth,
  fakeIban,
  fakeIpv4,
  fakeMoney,
  fakePerson,
} from '../src/synth/fake.js';

export interface DetectCase {
  entity: PiiType | 'none';
  damaged: boolean;
  text: string;
  /** [start, end) of the value in `text`; absent for negatives. */
  value?: [number, number];
}

const CONFUSIONS: Record<string, string> = {
  '0': 'O', O: '0', '1': 'l', l: '1', I: 'l', '5': 'S', S: '5', '8': 'B', B: '8', q: 'g', m: 'rn', '2': 'Z', '@': '©', ',': '.', '.': ',',
};

/** Damages a value the way tesseract misreads screen text: one or two confusions, maybe a space inside. */
export function ocrDamage(value: string, rng: Rng): string {
  let out = value;
  const edits = rng.int(1, 2);
  for (let k = 0; k < edits; k++) {
    const positions = [...out].map((c, i) => (CONFUSIONS[c] ? i : -1)).filter((i) => i >= 0);
    if (!positions.length) break;
    const i = positions[rng.int(0, positions.length - 1)];
    out = out.slice(0, i) + CONFUSIONS[out[i]] + out.slice(i + 1);
  }
  const longest = out.split(' ').sort((a, b) => b.length - a.length)[0];
  if (longest.length >= 16 && rng.next() < 0.5) {
    const at = out.indexOf(longest) + rng.int(4, longest.length - 4);
    out = `${out.slice(0, at)} ${out.slice(at)}`;
  }
  return out;
}

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

const GENERATORS: Record<PiiType, { make: (r: Rng) => string; contexts: string[] }> = {
  email: { make: (r) => fakePerson(r).email, contexts: ['Email: {v}', 'you can reach me at {v} today', 'user={v}', 'E-mail {v}'] },
  phone: { make: (r) => fakePerson(r).phone, contexts: ['Phone: {v}', 'call me at {v} please', 'Mobile {v}'] },
  card_number: { make: fakeCard, contexts: ['Card: {v}', 'paid with {v} yesterday', 'Card number {v}'] },
  iban: { make: fakeIban, contexts: ['IBAN: {v}', 'send it to {v} please', 'Account number: {v}'] },
  crypto_address: {
    make: (r) =>
      r.pick([
        fakeBtcBech32,
        fakeBtcLegacy,
        fakeEth,
        (x: Rng) => base58CheckEncode(Uint8Array.from([0x30, ...x.bytes(20)])),
        (x: Rng) => base58CheckEncode(Uint8Array.from([0x41, ...x.bytes(20)])),
        (x: Rng) => `r${x.chars(1, 'ABCDEFGHJKLMNPQRSTUVWXYZ')}${x.chars(32, B58)}`,
        (x: Rng) => x.chars(44, B58),
      ])(r),
    contexts: ['Wallet: {v}', 'deposit to {v} now', 'Deposit address {v}', 'to {v}'],
  },
  ip_address: {
    make: (r) => (r.next() < 0.7 ? fakeIpv4(r) : `2001:db8:${r.int(1, 65535).toString(16)}::${r.int(1, 65535).toString(16)}:${r.int(1, 65535).toString(16)}`),
    contexts: ['Last IP: {v}', 'login from {v} at 14:02', 'ip={v}'],
  },
  money: { make: fakeMoney, contexts: ['Balance: {v}', 'holds {v} right now', 'Available {v}', 'amount={v}'] },
  national_id: { make: (r) => fakePerson(r).ssn, contexts: ['SSN: {v}', 'National ID: {v}', 'ssn {v}'] },
  api_key: {
    make: (r) => (r.next() < 0.8 ? fakeApiKey(r) : `Bearer ${r.chars(40, B58)}`),
    contexts: ['API key: {v}', 'auth key={v}', 'Authorization: {v}', 'token {v}'],
  },
  person_name: { make: (r) => fakePerson(r).name, contexts: ['Name: {v}', 'Account holder: {v}', 'Customer: {v}', 'Full name {v}'] },
  postal_address: {
    make: (r) => {
      const p = fakePerson(r);
      return `${p.street}, ${p.city}`;
    },
    contexts: ['Address: {v}', 'ships to {v} by Friday', 'Billing address: {v}'],
  },
  date_of_birth: { make: (r) => fakePerson(r).dob, contexts: ['DOB: {v}', 'Date of birth: {v}', 'born {v}'] },
};

export const NEGATIVES = [
  'Ticket #48213', 'Order ORD-778812', 'App v4.12.3', 'Opened 2026-03-02 14:10:00', 'Fee tier 0.10%', 'Priority P3',
  'Status: Open', 'KYC level 2', 'Page 3 of 12', 'TX-90213', 'Build 2026.11.3', 'latency=12ms', 'Agent support-07',
  'Queue length 42', 'Retry in 30 s', 'Created 2026-03-02', 'Uptime 99.95%', 'Session 3f2a', 'Error code E1042',
  'Step 2/5', 'Total 3 items', 'Open tickets: 14', 'Invoice INV-2026-0042', 'Model X200', 'Region eu-west-1',
  'Port 8080', 'Timeout 5000 ms', 'Rate 1.5x', 'Q3 2026 report', 'Level 2 support', 'Due 03/15', 'Ref 7781-22',
  'Updated 2 min ago', 'CPU 73%', 'Items per page: 25', 'Withdrawals are paused for maintenance', 'Send', 'Cancel',
  'Confirm withdrawal', 'Two-factor authentication enabled', 'Last updated 14:32', 'Version 3.2.1 (build 771)',
  'Reply within 24 hours', 'Case escalated to tier 2', 'Network fee 0.0001', 'Confirmations 3/6', 'Search tickets...',
  'Showing 1-25 of 340', 'SLA 4h', 'Filter: open, pending', 'Chat started 09:41', 'INFO health check ok',
];

export function detectionCases(perEntity = 40, seed = 2026): DetectCase[] {
  const rng = new Rng(seed);
  const cases: DetectCase[] = [];
  for (const [entity, g] of Object.entries(GENERATORS) as Array<[PiiType, (typeof GENERATORS)[PiiType]]>) {
    for (let i = 0; i < perEntity; i++) {
      const clean = g.make(rng);
      for (const damaged of [false, true]) {
        const value = damaged ? ocrDamage(clean, rng) : clean;
        let context = g.contexts[i % g.contexts.length];
        // The label merged with its value, as OCR reads "Email:jane@x.com".
        if (damaged && context.includes(': {v}') && rng.next() < 0.3) context = context.replace(': {v}', ':{v}');
        const start = context.indexOf('{v}');
        cases.push({ entity, damaged, text: context.replace('{v}', value), value: [start, start + value.length] });
      }
    }
  }
  for (const text of NEGATIVES) cases.push({ entity: 'none', damaged: false, text });
  return cases;
}

const alnum = (s: string) => s.replace(/[^\p{L}\p{N}]/gu, '');

/**
 * Whether a redacted rendering of a case hides its value: at least 80% of the value's
 * letters and digits no longer appear in the output as parts of surviving words. Works on
 * any redactor's output text, so every library is scored the same way.
 */
export function caught(c: DetectCase, redacted: string): boolean {
  if (!c.value) return false;
  const value = c.text.slice(...c.value);
  const total = alnum(value).length;
  if (total === 0) return true;
  const outWords = new Set(redacted.split(/[\s,;]+/).map(alnum).filter(Boolean));
  const outAll = alnum(redacted);
  let kept = 0;
  for (const w of value.split(/[\s,;]+/)) {
    const a = alnum(w);
    // Longer pieces count as kept wherever they survive (a value glued to its label);
    // short ones only as whole words.
    if (a && (a.length >= 3 ? outAll.includes(a) : outWords.has(a))) kept += a.length;
  }
  return (total - kept) / total >= 0.8;
}

/** A negative is a false positive when the redactor changed it at all. */
export const falsePositive = (c: DetectCase, redacted: string) => redacted !== c.text;

/** Renders `text` with the given spans blacked out, as a redactor's output. */
export function blackOut(text: string, spans: Array<{ start: number; end: number }>): string {
  const out = text.split('');
  for (const s of spans) for (let i = s.start; i < s.end; i++) out[i] = '█';
  return out.join('');
}
