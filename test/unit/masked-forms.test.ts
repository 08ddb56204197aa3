/**
 * Masked forms never hold a raw value: a property test over every fake-value generator and
 * random joins of values as OCR produces them (repeated, glued, separated by spaces or
 * punctuation, damaged), for every PII type a detection can carry.
 */
import { describe, expect, it } from 'vitest';
import { maskedForms, maskValue } from '../../src/manifest.js';
import { PII_TYPES } from '../../src/pii/types.js';
import { publicFinding } from '../../src/verify/verify.js';
import {
  fakeApiKey,
  fakeBtcBech32,
  fakeBtcLegacy,
  fakeCard,
  fakeEth,
  fakeIban,
  fakeIpv4,
  fakeMoney,
  fakePerson,
  Rng,
} from '../../src/synth/fake.js';

function values(rng: Rng): string[] {
  const p = fakePerson(rng);
  return [
    p.name,
    p.email,
    p.phone,
    `${p.street}, ${p.city}`,
    p.ssn,
    p.dob,
    fakeCard(rng),
    fakeIban(rng),
    fakeBtcBech32(rng),
    fakeBtcLegacy(rng),
    fakeEth(rng),
    fakeIpv4(rng),
    fakeMoney(rng),
    fakeApiKey(rng),
  ];
}

const SEPARATORS = ['', ' ', '  ', ', ', '; ', ' | ', '/', '\t', ' and ', ':'];
const CONFUSABLE: Record<string, string> = { '0': 'O', O: '0', '1': 'l', l: '1', '5': 'S', S: '5', q: 'g', '@': '©' };

/** What OCR does to a value: confusable characters swapped, a space put into a long token. */
function damage(rng: Rng, value: string): string {
  let out = [...value].map((c) => (CONFUSABLE[c] && rng.next() < 0.15 ? CONFUSABLE[c] : c)).join('');
  if (out.length > 12 && rng.next() < 0.3) {
    const at = rng.int(4, out.length - 4);
    out = `${out.slice(0, at)} ${out.slice(at)}`;
  }
  return out;
}

/** Characters a masked form reveals, beside an e-mail's domain and the asterisks. */
const revealed = (form: string) => form.replace(/@[A-Za-z0-9.-]+$/, '').replace(/\*+/g, '').length;

describe('masked forms', () => {
  it('hold no raw value, and reveal at most three characters of one, over 3000 random joins', () => {
    const rng = new Rng(2024);
    for (let trial = 0; trial < 3000; trial++) {
      const pool = values(rng);
      const parts = Array.from({ length: rng.int(1, 4) }, () => {
        const v = rng.pick(pool);
        return rng.next() < 0.5 ? damage(rng, v) : v;
      });
      if (rng.next() < 0.3) parts.push(parts[0]);
      const text = parts.reduce((acc, part) => acc + rng.pick(SEPARATORS) + part);
      const type = rng.pick(PII_TYPES);
      const forms = maskedForms(type, text);
      expect(forms.length).toBeGreaterThan(0);
      for (const form of forms) {
        expect(revealed(form), `${type}: ${form}`).toBeLessThanOrEqual(3);
        for (const part of parts) {
          // Any piece of five or more characters of a value is too much.
          for (const piece of part.split(/[\s,;|/:]+/).filter((x) => x.length >= 5 && !/^[A-Za-z0-9-]+\.[A-Za-z]{2,}$/.test(x))) {
            expect(form, `${type}: ${JSON.stringify(text)}`).not.toContain(piece);
          }
        }
      }
      expect(maskValue(type, text)).toBe(forms.join(', '));
    }
  });

  it('give each e-mail standing alone a form of its own, and none to addresses run together', () => {
    expect(maskedForms('email', 'jane.doe@example.com')).toEqual(['j***@example.com']);
    expect(maskedForms('email', 'helen@example.org helen@example.org')).toEqual(['h***@example.org']);
    expect(maskedForms('email', 'a.b@x.io, c.d@mailbox.org')).toEqual(['a***@x.io', 'c***@mailbox.org']);
    expect(maskedForms('email', 'helen@example.orghelen@example.org')).toEqual(['h***@***']);
    expect(maskedForms('email', 'jane©example.com')).toEqual(['j***@example.com']);
    expect(maskedForms('card_number', '4457 2265 7174 7923')).toEqual(['4***23']);
    expect(maskedForms('person_name', 'Sofia')).toEqual(['S***']);
    expect(maskedForms('money', '$12')).toEqual(['***']);
  });

  it('leave the value out of what verification reports', () => {
    const raw = { frame: 3, timeSec: 0.1, type: 'email' as const, detector: 'pattern:email', confidence: 0.9, box: { x: 0, y: 0, w: 1, h: 1 }, masked: maskValue('email', 'jane@example.com jane@example.com'), value: 'jane@example.com jane@example.com' };
    const shown = JSON.stringify(publicFinding(raw));
    expect(shown).not.toContain('jane@');
    expect(shown).toContain('j***@example.com');
  });
});
