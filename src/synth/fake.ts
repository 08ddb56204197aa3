/**
 * Fake but format-valid personal data for sample recordings, from a seeded generator so
 * that every run of a scenario draws the same values.
 */
import {
  base58CheckEncode,
  eip55,
  ibanWithCheckDigits,
  luhnCheckDigit,
  segwitV0Address,
} from '../pii/checksums.js';

export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  /** mulberry32 */
  next(): number {
    let t = (this.state += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(0, 9));
    return s;
  }
  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.int(0, 255));
  }
  chars(n: number, alphabet: string): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(0, alphabet.length - 1)];
    return s;
  }
}

const FIRST = ['Jane', 'Marcus', 'Aiko', 'Priya', 'Tomasz', 'Elena', 'Kwame', 'Sofia', 'Liam', 'Noor', 'Mateo', 'Hannah'];
const LAST = ['Doe', 'Okafor', 'Tanaka', 'Raman', 'Kowalski', 'Petrova', 'Mensah', 'Garcia', 'Walsh', 'Haddad', 'Silva', 'Becker'];
const STREETS = ['Main St', 'Oak Avenue', 'Harbor Road', 'Maple Drive', 'Elm Street', 'Kingsway', 'Birch Lane'];
const CITIES = ['Springfield, IL 62704', 'Austin, TX 78701', 'Portland, OR 97205', 'Denver, CO 80202', 'Boston, MA 02108'];
const DOMAINS = ['example.com', 'mailbox.org', 'example.net', 'postmail.io'];
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function fakePerson(rng: Rng) {
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  return {
    name: `${first} ${last}`,
    email: `${first.toLowerCase()}.${last.toLowerCase()}${rng.int(1, 99)}@${rng.pick(DOMAINS)}`,
    phone: rng.pick([
      () => `+1 ${rng.int(201, 989)}-555-${rng.digits(4)}`,
      () => `(${rng.int(201, 989)}) 555-${rng.digits(4)}`,
      () => `+44 20 7946 ${rng.digits(4)}`,
      () => `+49 30 ${rng.digits(4)} ${rng.digits(4)}`,
    ])(),
    street: `${rng.int(10, 9999)} ${rng.pick(STREETS)}`,
    city: rng.pick(CITIES),
    ssn: `${rng.int(100, 665)}-${String(rng.int(1, 99)).padStart(2, '0')}-${String(rng.int(1, 9999)).padStart(4, '0')}`,
    dob: `${rng.int(1950, 2004)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`,
  };
}

export function fakeCard(rng: Rng): string {
  const partial = rng.pick(['4', '51', '55', '37']) ;
  const length = partial === '37' ? 15 : 16;
  let body = partial + rng.digits(length - partial.length - 1);
  body += luhnCheckDigit(body);
  return length === 16 ? body.replace(/(\d{4})(?=\d)/g, '$1 ') : `${body.slice(0, 4)} ${body.slice(4, 10)} ${body.slice(10)}`;
}

export function fakeIban(rng: Rng): string {
  const country = rng.pick(['DE', 'GB', 'FR', 'NL']);
  const bban =
    country === 'DE' ? rng.digits(18)
    : country === 'GB' ? `${rng.chars(4, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')}${rng.digits(14)}`
    : country === 'FR' ? rng.digits(23)
    : `${rng.chars(4, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')}${rng.digits(10)}`;
  return ibanWithCheckDigits(country, bban).replace(/(.{4})(?=.)/g, '$1 ');
}

export function fakeBtcBech32(rng: Rng): string {
  return segwitV0Address('bc', rng.bytes(20));
}

export function fakeBtcLegacy(rng: Rng): string {
  return base58CheckEncode(Uint8Array.from([0x00, ...rng.bytes(20)]));
}

export function fakeEth(rng: Rng): string {
  return eip55(`0x${Buffer.from(rng.bytes(20)).toString('hex')}`);
}

export function fakeIpv4(rng: Rng): string {
  return `${rng.int(11, 223)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

export function fakeMoney(rng: Rng): string {
  return rng.pick([
    () => `$${rng.int(1, 99)},${rng.digits(3)}.${rng.digits(2)}`,
    () => `${rng.int(0, 9)}.${rng.digits(4)} BTC`,
    () => `${rng.int(1, 99)},${rng.digits(3)}.${rng.digits(2)} USDT`,
    () => `${rng.int(1, 40)}.${rng.digits(3)},${rng.digits(2)} EUR`,
  ])();
}

export function fakeApiKey(rng: Rng): string {
  return rng.pick([
    () => `sk_live_${rng.chars(24, ALNUM)}`,
    () => `AKIA${rng.chars(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`,
    () => `ghp_${rng.chars(36, ALNUM)}`,
  ])();
}
