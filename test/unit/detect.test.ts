import { describe, expect, it } from 'vitest';
import { coveredBox, detectLines, detectText, findKnownValues, normalizeValue, patternRows } from '../../src/pii/detect.js';
import type { OcrLine } from '../../src/ocr/types.js';
import type { PiiType } from '../../src/pii/types.js';

/** The types found in `text` and the exact substrings they cover. */
function found(text: string): Array<[PiiType, string]> {
  return detectText(text).map((s) => [s.type, text.slice(s.start, s.end)]);
}

describe('detectText: patterns', () => {
  it.each<[string, PiiType, string]>([
    ['write to jane.doe@example.com now', 'email', 'jane.doe@example.com'],
    ['paid with 4457 2265 7174 7923 ok', 'card_number', '4457 2265 7174 7923'],
    ['IBAN DE89 3704 0044 0532 0130 00', 'iban', 'DE89 3704 0044 0532 0130 00'],
    ['to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq', 'crypto_address', 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq'],
    ['to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', 'crypto_address', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2'],
    ['to 0xF221fa29631e6653a8828813cEda452a4De44A24', 'crypto_address', '0xF221fa29631e6653a8828813cEda452a4De44A24'],
    ['from 203.0.113.77 at', 'ip_address', '203.0.113.77'],
    ['from 2001:db8::8a2e:370:7334 at', 'ip_address', '2001:db8::8a2e:370:7334'],
    ['holds $48,213.77 today', 'money', '$48,213.77'],
    ['holds 1.2043 BTC today', 'money', '1.2043 BTC'],
    ['holds 15,402.19 USDT', 'money', '15,402.19 USDT'],
    ['ssn 376-07-3946', 'national_id', '376-07-3946'],
    ['key sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'api_key', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc'],
    ['AKIAIOSFODNN7EXAMPLE', 'api_key', 'AKIAIOSFODNN7EXAMPLE'],
    ['call +1 415-555-0132 please', 'phone', '+1 415-555-0132'],
    ['call (212) 555-0187 please', 'phone', '(212) 555-0187'],
    ['lives at 4043 Oak Avenue, Springfield, IL 62704', 'postal_address', '4043 Oak Avenue, Springfield, IL 62704'],
  ])('%s -> %s', (text, type, value) => {
    expect(found(text)).toContainEqual([type, value]);
  });

  it('keeps a card number of the right shape whose checksum OCR broke, at lower confidence', () => {
    const good = detectText('4457 2265 7174 7923')[0];
    const broken = detectText('4457 2265 7174 7924')[0];
    expect(broken.type).toBe('card_number');
    expect(broken.confidence).toBeLessThan(good.confidence);
  });

  it.each([
    'Ticket #48213 opened 2026-03-02 14:10:00',
    'App v4.12.3 build 4.12.3',
    'Order ORD-778812',
    'Fee tier 0.10%',
    'KYC level 2',
    'Priority P3',
    'INFO health check ok latency=12ms',
    'TX-90213',
  ])('finds nothing in %s', (text) => {
    expect(found(text)).toEqual([]);
  });
});

describe('detectText: labels', () => {
  it.each<[string, PiiType, string]>([
    ['Name: Sofia Doe', 'person_name', 'Sofia Doe'],
    ['Name:        Sofia Doe', 'person_name', 'Sofia Doe'],
    ['Wallet: bclgar@srrr7xfkvy516431lydnw9re59gtzzwf5mdq', 'crypto_address', 'bclgar@srrr7xfkvy516431lydnw9re59gtzzwf5mdq'],
    ['Email:jane.doe@example.com', 'email', 'jane.doe@example.com'],
    ['Balance: 55,311.O3 USDT', 'money', '55,311.O3 USDT'],
    ['DOB: 1992-04-06', 'date_of_birth', '1992-04-06'],
    ['Address: 12 rue de la Paix', 'postal_address', '12 rue de la Paix'],
  ])('%s -> %s', (text, type, value) => {
    expect(found(text)).toContainEqual([type, value]);
  });

  it('does not take a lower-case chat line after "Customer:" for a name', () => {
    expect(found('Customer: hi, I cannot withdraw since version 4.12')).toEqual([]);
  });

  it('honours the allow list and the entity switch', () => {
    const text = 'write to support@exchange.example or jane@example.com';
    const spans = detectText(text, { entities: ['email'], allowList: ['Support@Exchange.example'], minConfidence: 0.3 });
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual(['jane@example.com']);
    expect(detectText('jane@example.com', { entities: ['phone'], allowList: [], minConfidence: 0.3 })).toEqual([]);
  });
});

const word = (text: string, x: number, y: number, w = text.length * 10) => ({ text, confidence: 90, box: { x, y, w, h: 14 } });
const line = (words: ReturnType<typeof word>[], block = 0): OcrLine => ({
  words,
  block,
  box: {
    x: words[0].box.x,
    y: words[0].box.y,
    w: words[words.length - 1].box.x + words[words.length - 1].box.w - words[0].box.x,
    h: 14,
  },
});

describe('detectLines', () => {
  it('maps a multi-word span to the union of its word boxes', () => {
    const l = line([word('Card:', 10, 100), word('4457', 100, 100), word('2265', 150, 100), word('7174', 200, 100), word('7923', 250, 100)]);
    const [d] = detectLines([l]);
    expect(d.type).toBe('card_number');
    expect(d.box).toEqual({ x: 100, y: 100, w: 190, h: 14 });
  });

  it('reads a value on the line below a label that stands alone', () => {
    const label = line([word('Deposit', 10, 100), word('address', 90, 100)]);
    const value = line([word('bc1qkanymt0najc7h400r59dujlpsthmg24dfutpgn', 10, 120)]);
    const found = detectLines([label, value]);
    expect(found.some((d) => d.type === 'crypto_address' && d.box.y === 120)).toBe(true);
  });

  it('masks later occurrences of a known value without label or pattern', () => {
    const known = new Map<string, PiiType>([[normalizeValue('Sofia Doe'), 'person_name']]);
    const l = line([word('thanks', 10, 10), word('sofia', 80, 10), word('doe', 140, 10)]);
    const [d] = detectLines([l], undefined, known);
    expect(d).toMatchObject({ type: 'person_name', detector: 'consistency', box: { x: 80, w: 90 } });
  });

  it('finds the same from the rows patternRows found as from the lines, known values or not, and again', () => {
    const lines = [
      line([word('Name:', 10, 10), word('Sofia', 90, 10), word('Doe', 150, 10)]),
      line([word('Email', 10, 40)]),
      line([word('sofia.doe@example.org', 10, 60)]),
      line([word('thanks', 10, 90), word('sofia', 80, 90), word('doe', 140, 90)]),
    ];
    const rows = patternRows(lines);
    const known = new Map<string, PiiType>(detectLines(rows).map((d) => [normalizeValue(d.value), d.type]));
    expect(known.size).toBeGreaterThanOrEqual(2);
    expect(detectLines(rows)).toEqual(detectLines(lines));
    const withKnown = detectLines(lines, undefined, known);
    expect(withKnown.some((d) => d.detector === 'consistency' && d.box.y === 90)).toBe(true);
    expect(detectLines(rows, undefined, known)).toEqual(withKnown);
    // Known values are not kept in the rows: a later call without them finds what the first did.
    expect(detectLines(rows)).toEqual(detectLines(lines));
  });
});

describe('findKnownValues', () => {
  it('matches through spaces OCR inserted into a long token', () => {
    const known = new Map<string, PiiType>([[normalizeValue('bc1qkanymt0najc7h400r59dujlpsthmg24dfutpgn'), 'crypto_address']]);
    const text = 'sent to bc1qkanymt0naj c7h400r59dujlpsthmg24dfutpgn yesterday';
    const [s] = findKnownValues(text, known);
    expect(text.slice(s.start, s.end)).toBe('bc1qkanymt0naj c7h400r59dujlpsthmg24dfutpgn');
  });
});

describe('OCR damage', () => {
  it('finds a bech32 address whose separator was read as l, and one with no case mix', () => {
    expect(found('to bclq99pc6vg4keavhc2jkpy6epk53gpwqnl0h8z090 ok')).toContainEqual(['crypto_address', 'bclq99pc6vg4keavhc2jkpy6epk53gpwqnl0h8z090']);
    expect(found('to 9pc6vg4keavhc2jkpy6epk53gpwqnl0h8z090 ok')[0]?.[0]).toBe('api_key');
  });
});

describe('coveredBox', () => {
  it('cuts a word in proportion, with a character to spare, when only part is PII', () => {
    const w = { text: 'ip=10.0.0.1', confidence: 90, box: { x: 100, y: 0, w: 110, h: 10 } };
    expect(coveredBox(w, 0, 11, 3, 11)).toEqual({ x: 120, y: 0, w: 90, h: 10 });
    expect(coveredBox(w, 0, 11, 0, 11)).toEqual(w.box);
  });

  it("cuts at the OCR's character boxes where it gave them, never further into the value than the share of width", () => {
    // 'ip=' narrow, the digits wide: the value starts at 28% of the word, its share says 27%.
    const chars: Array<[number, number]> = [[0, 0.03], [0.06, 0.13], [0.16, 0.24]];
    for (let i = 0; i < 8; i++) chars.push([0.28 + i * 0.09, 0.34 + i * 0.09]);
    const w = { text: 'ip=10.0.0.1', confidence: 90, box: { x: 100, y: 0, w: 100, h: 10 }, chars };
    const cut = coveredBox(w, 0, 11, 3, 11);
    expect(cut.x).toBe(100 + 24 - 1);
    expect(cut.x + cut.w).toBe(200);
    // Character boxes that put the value further right than its share are not trusted past the share.
    const late = { ...w, chars: chars.map(([a, b], i): [number, number] => (i >= 3 ? [a + 0.1, b + 0.1] : [a, b])) };
    expect(coveredBox(late, 0, 11, 3, 11).x).toBeLessThanOrEqual(100 + Math.floor(3 * (100 / 11)));
    // A value followed by more of the word ends at the next character's box.
    const head = coveredBox(w, 0, 11, 0, 2);
    expect(head.x).toBe(100);
    expect(head.x + head.w).toBeGreaterThanOrEqual(100 + 16);
    // Character boxes that do not match the text are ignored: back to a character to spare.
    expect(coveredBox({ ...w, chars: chars.slice(1) }, 0, 11, 3, 11).x).toBe(100 + Math.floor(2 * (100 / 11)));
  });
});

describe('label values in key=value lists', () => {
  it('end before the next key', () => {
    expect(found('login ok user=priya.petrova33demailbox.org ip=58.192.69.90')).toEqual([
      ['email', 'priya.petrova33demailbox.org'],
      ['ip_address', '58.192.69.90'],
    ]);
  });
});

describe('OCR damage inside long tokens', () => {
  it('finds a bech32 address with a 0 read as @', () => {
    expect(found('to bclgdhl7alngwfwpcqz3q@ekwn5zk24gh2tx3ejd5g')).toContainEqual(['crypto_address', 'bclgdhl7alngwfwpcqz3q@ekwn5zk24gh2tx3ejd5g']);
  });
});

describe('labels far from any value', () => {
  it('do not take text from a distant column (a label whose value was masked)', () => {
    const l = line([word('Name:', 10, 100), word('Status:', 1200, 100), word('Open', 1280, 100)]);
    expect(detectLines([l])).toEqual([]);
    const near = line([word('Name:', 10, 100), word('Sofia', 100, 100), word('Doe', 160, 100)]);
    expect(detectLines([near]).map((d) => d.value)).toEqual(['Sofia Doe']);
  });
});

describe('configured patterns and labels', () => {
  it('find what the built-in recognizers do not know', () => {
    const options = {
      entities: ['national_id', 'person_name'] as PiiType[],
      allowList: [],
      minConfidence: 0.3,
      extraPatterns: [{ type: 'national_id' as PiiType, regex: /\bCUS-\d{6}\b/, confidence: 0.9 }],
      extraLabels: [{ words: ['member'], type: 'person_name' as PiiType }],
    };
    const text = 'Member: kim lee\tref CUS-123456';
    const spans = detectText(text, options).map((s) => [s.type, text.slice(s.start, s.end)]);
    expect(spans).toEqual([['person_name', 'kim lee'], ['national_id', 'CUS-123456']]);
    expect(detectText('Member: kim lee', { ...options, extraLabels: [] })).toEqual([]);
  });
});

describe('label-above', () => {
  it('does not take the next "Label: ..." row for a value', () => {
    const rows = [line([word('Balance:', 10, 100)]), line([word('Last', 10, 120), word('IP:', 60, 120), word('[', 160, 120), word('RE', 400, 120)])];
    expect(detectLines(rows)).toEqual([]);
  });
});

describe('label-above in a form still being filled in', () => {
  it('does not take the next label for the value of an empty field', () => {
    const rows = [line([word('Full', 10, 100), word('name', 60, 100)]), line([word('Email', 10, 120)]), line([word('IBAN', 10, 140)])];
    expect(detectLines(rows)).toEqual([]);
  });
});

describe('label-above value shapes', () => {
  it('need the shape of the label type: letters under "Balance:" are not an amount', () => {
    const rows = [line([word('Balance:', 10, 100)]), line([word('Lee', 10, 120), word('aig', 60, 120)])];
    expect(detectLines(rows)).toEqual([]);
    const amount = [line([word('Balance:', 10, 100)]), line([word('55,311.O3', 10, 120), word('USDT', 120, 120)])];
    expect(detectLines(amount).map((d) => d.type)).toContain('money');
  });
});

describe('detectText: national phone formats, label values of their own shape', () => {
  it.each<[string, string]>([
    ['call 0917 123 4567 today', '0917 123 4567'],
    ['cep 0532 123 45 67', '0532 123 45 67'],
    ['携帯 090-1234-5678', '090-1234-5678'],
    ['手机 13812345678', '13812345678'],
    ['ring 07700 900123 back', '07700 900123'],
    ['Tel. 030 12345678', '030 12345678'],
  ])('%s -> phone %s', (text, value) => {
    expect(found(text)).toContainEqual(['phone', value]);
  });

  it('a label followed by "no." names a number: the value after it is taken, alone or across a column gap', () => {
    expect(found('Passport no.\tX47396353')).toEqual([['national_id', 'X47396353']]);
    expect(found('Passport No. X47396353')).toEqual([['national_id', 'X47396353']]);
    expect(found('Passport no issues today')).toEqual([]);
  });

  it('an account label takes digits, not a date (a "Created" cell read under an "IBAN" column)', () => {
    expect(found('IBAN N,2026.04-20')).toEqual([]);
    expect(found('Account: 2026-04-20')).toEqual([]);
    expect(found('Sort code 12-34-56')).toEqual([['iban', '12-34-56']]);
    expect(found('Account no. 12345678')).toEqual([['iban', '12345678']]);
  });

  it('a ticket id on a row where a national number shape shows is not a phone', () => {
    // OCR's row: the IBAN's last groups look like a national number, which libphonenumber
    // ran on into the id in the next cell, or found the id alone as some plan's short number.
    expect(found('Settings\tIBAN\tGB81 KLCV 5823 0823 2699 30\t\t©\t#43527\tCard payment declined')).toEqual([['iban', 'GB81 KLCV 5823 0823 2699 30']]);
    expect(found('IBAN\tGB81 KLCV 5823 0823 2699 30\t#43527\tCard payment declined')).toEqual([['iban', 'GB81 KLCV 5823 0823 2699 30']]);
  });

  it('a label takes its own value, not the next one after "and"', () => {
    const text = 'IP 203.0.113.42 and card 5555 5555 5555 4444';
    expect(found(text)).toEqual([
      ['ip_address', '203.0.113.42'],
      ['card_number', '5555 5555 5555 4444'],
    ]);
  });

  it('a product and its version after "Client:" is not a name; a name still is', () => {
    expect(found('Client: Chrome 126.0.6478')).toEqual([]);
    expect(found('Client: Desktop v2.14.3')).toEqual([]);
    expect(found('Client: Marcus Okafor')).toEqual([['person_name', 'Marcus Okafor']]);
  });

  it('a dotted capital that OCR read as i still starts a name after a label; lower-case words do not', () => {
    expect(found('Customer: ikicitoyun Abaci')).toContainEqual(['person_name', 'ikicitoyun Abaci']);
    expect(found('Customer: lsmail Kaya')).toContainEqual(['person_name', 'lsmail Kaya']);
    expect(found('Customer: iOS app')).toEqual([]);
    expect(found('Name: is missing')).toEqual([]);
  });

  it('well-known test and documentation values are masked like any other', () => {
    expect(found('card 4111 1111 1111 1111')).toContainEqual(['card_number', '4111 1111 1111 1111']);
    expect(found('from 192.0.2.10 at')).toContainEqual(['ip_address', '192.0.2.10']);
    expect(found('SSN 912-34-5678')).toContainEqual(['national_id', '912-34-5678']);
  });
});

describe('detectText: text OCR ran together', () => {
  it('dates stacked in a column are not a card number; a card next to a date still is', () => {
    expect(found('2026-03-02 2026-03-05')).toEqual([]);
    expect(found('2026-03-02 4111 1111 1111 1111')).toContainEqual(['card_number', '4111 1111 1111 1111']);
  });

  it('a ticket id and a date run together are not a crypto address or key', () => {
    expect(found('TCKOpened48213-2026-03-02T14:10:22Z')).toEqual([]);
    expect(found('to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2')).toContainEqual(['crypto_address', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2']);
  });
});

describe('detectText: dates of birth and damaged addresses without a label', () => {
  it('a full date 16 or more years back is a date of birth, in any common order; a recent date is not', () => {
    expect(found('| Ana Souza | 1979-04-30 | BR |')).toContainEqual(['date_of_birth', '1979-04-30']);
    expect(found('born on 7 March 1962 in Leeds')).toContainEqual(['date_of_birth', '7 March 1962']);
    expect(found('Kunde seit 14.02.1991')).toContainEqual(['date_of_birth', '14.02.1991']);
    expect(found('DOB Sep 9, 2001')).toContainEqual(['date_of_birth', 'Sep 9, 2001']);
    expect(found(`Opened ${new Date().getUTCFullYear() - 1}-03-02 14:10`)).toEqual([]);
    expect(found('Build 1998.11.3')).toEqual([]);
  });

  it('an IPv6 "::" that OCR broke into ":;" or ": :" is still an address', () => {
    expect(found('peer 2a02:; :7c1:9e:3')).toContainEqual(['ip_address', '2a02:; :7c1:9e:3']);
    expect(found('from fe80;:a1b:2c3d:44ff')).toContainEqual(['ip_address', 'fe80;:a1b:2c3d:44ff']);
    expect(found('at 12:30; 14:45')).toEqual([]);
  });

  it('after an "ip" label, an address cut short is masked; a version is not', () => {
    expect(found('router ip 172.16.254')).toContainEqual(['ip_address', '172.16.254']);
    expect(found('ip 4.12.3')).toEqual([]);
    expect(found('ship 10.42.67 units')).toEqual([]);
  });

  it('after an "ip" label, an address whose small text lost a dot is masked; a version still is not', () => {
    expect(found('Last IP: 12.58.4411')).toContainEqual(['ip_address', '12.58.4411']);
    expect(found('login ip 192.1680.12')).toContainEqual(['ip_address', '192.1680.12']);
    expect(found('Last IP: 1.2.99999')).toEqual([]);
    expect(found('ip 12.5844.1100')).toEqual([]);
  });
});

describe('detectText: amounts', () => {
  it('a currency sign starts an amount; glued to a letter or running on into a date it is OCR noise', () => {
    expect(found('Balance: €1,240.50')).toEqual([['money', '€1,240.50']]);
    expect(found('paid US$ 320 and £15')).toEqual([['money', 'US$ 320'], ['money', '£15']]);
    expect(found('Fee -$4.99')).toContainEqual(['money', '-$4.99']);
    expect(found('K$30418-11 2')).toEqual([]);
    expect(found('€2025-11-03')).toEqual([]);
  });
});

describe('label values on a redacted screen (the value masked, the next thing read instead)', () => {
  it('a wallet label alone takes no label below it for a value; a wallet below it still is one', () => {
    const rows = [line([word('ETH', 10, 100), word('wallet', 50, 100)]), line([word('Last', 10, 120), word('login', 60, 120), word('IP', 120, 120)])];
    expect(detectLines(rows)).toEqual([]);
    const wallet = [line([word('ETH', 10, 100), word('wallet', 50, 100)]), line([word('0x9aE3c1B0F2d4e5A6b7C8d9E0f1A2b3C4d5E6f7A8', 10, 120)])];
    expect(detectLines(wallet).map((d) => d.type)).toContain('crypto_address');
  });

  it('an identity, account or phone label takes no "#" ticket number from the next column', () => {
    expect(found('SSN\t#50221')).toEqual([]);
    expect(found('IBAN\t#41747')).toEqual([]);
    expect(found('Phone\t#318822')).toEqual([]);
    expect(found('SSN\t512-44-0917')).toContainEqual(['national_id', '512-44-0917']);
  });

  it('a date-of-birth label takes a date, not a ticket number from the next column', () => {
    expect(found('Date of birth\t#52529')).toEqual([]);
    expect(found('Date of birth\t03.11.1985')).toContainEqual(['date_of_birth', '03.11.1985']);
    expect(found('DOB: 3 Nov 1985')).toContainEqual(['date_of_birth', '3 Nov 1985']);
    expect(found('Born 1985-1l-O3')).toContainEqual(['date_of_birth', '1985-1l-O3']);
  });
});

describe('detectText: addresses by their shape', () => {
  it('a street and house number, then a postcode and a town, in any language', () => {
    expect(found('Yes, Kvarngatan 7, 118 47 Stockholm')).toContainEqual(['postal_address', 'Kvarngatan 7, 118 47 Stockholm']);
    expect(found('ship to Piotrkowska 104, 90-001 Łódź')).toContainEqual(['postal_address', 'Piotrkowska 104, 90-001 Łódź']);
    expect(found('Lilla Torg 3, 211 34 Malmö')).toContainEqual(['postal_address', 'Lilla Torg 3, 211 34 Malmö']);
    expect(found('Release 2, 2026 roadmap')).toEqual([]);
  });
});

describe('detectText: damaged IBANs', () => {
  it('a country code needs a letter: digits read as one are a timestamp', () => {
    expect(found('2026-03-02T14: 15745 547 ERROR api')).toEqual([]);
    expect(found('IBAN G85O GOUH 6016 1331 9268 19')).toContainEqual(['iban', 'G85O GOUH 6016 1331 9268 19']);
  });
});

describe('addresses by shape, one cell at a time', () => {
  // A sheet puts the street and the town in cells of their own: no label, no comma, no tail.
  it.each([
    ['ul. Długa 5', 'ul. Długa 5'],
    ['droga Polna 34a', 'droga Polna 34a'],
    ['Calle de Alcalá 42', 'Calle de Alcalá 42'],
    ['Via Garibaldi 7', 'Via Garibaldi 7'],
    ['144 Passage des Panoramas', '144 Passage des Panoramas'],
    ["9 Place d'Italie", "9 Place d'Italie"],
    ['2 impasse du Moulin', '2 impasse du Moulin'],
    ['Lindener Weg 40b', 'Lindener Weg 40b'],
    ['Hohe Str. 63', 'Hohe Str. 63'],
    ['Karl-Marx-Str. 28a', 'Karl-Marx-Str. 28a'],
    ['Atatürk Caddesi 112', 'Atatürk Caddesi 112'],
    ['Lale Sokak 9', 'Lale Sokak 9'],
    ['Västra Kyrkogatan 12', 'Västra Kyrkogatan 12'],
    ['Norra Ringvägen 4', 'Norra Ringvägen 4'],
    ['00-950 Warszawa', '00-950 Warszawa'],
    ['1012 JS Amsterdam', '1012 JS Amsterdam'],
    ['114 55 Stockholm', '114 55 Stockholm'],
    ['1000-001 Lisboa', '1000-001 Lisboa'],
    ['LS1 4AP Leeds', 'LS1 4AP Leeds'],
    ['EC1A 1BB', 'EC1A 1BB'],
  ])('%s', (text, value) => {
    expect(found(text)).toContainEqual(['postal_address', value]);
  });

  it.each(['Place order 2', 'Place Order 2', 'Sent 2 via Email', 'Route 66', '2 Route Planners', '10-100 Employees', '4096 MB Memory', '1080 HD Video', 'Step 2 of 4', 'Upgrade 2', 'Ring 3 alerts', 'Tier 2 weg'])(
    'UI text is no address: %s',
    (text) => {
      expect(found(text).filter(([type]) => type === 'postal_address')).toEqual([]);
    },
  );
});

describe('table columns', () => {
  const header = line([word('Customer', 10, 100), word('Street', 200, 100), word('City', 400, 100), word('Status', 600, 100)]);
  // Words of a cell from `x` on, one space (10 px) apart.
  const cell = (texts: string[], x: number, y: number) => texts.map((t, k) => word(t, x + texts.slice(0, k).reduce((a, p) => a + p.length * 10 + 10, 0), y));
  const row = (y: number, street: string[], city: string[], status: string) =>
    line([...cell(['Ana', 'Lopes'], 10, y), ...cell(street, 200, y), ...cell(city, 400, y), word(status, 600, y)]);

  it('takes every cell under a labelled column header, down the table', () => {
    const rows = [header, row(120, ['Hill', 'Top', '4'], ['98500', 'Eskmora'], 'Active'), row(140, ['Long', 'Row', '9'], ['14271', 'Kristby'], 'Review'), row(160, ['Mill', 'Lane', '2'], ['Leeds'], 'Active')];
    const values = detectLines(rows).filter((d) => d.detector === 'label-column').map((d) => [d.type, d.value]);
    expect(values).toEqual(
      expect.arrayContaining([
        ['postal_address', '98500 Eskmora'],
        ['postal_address', '14271 Kristby'],
        ['postal_address', 'Leeds'],
        ['postal_address', 'Hill Top 4'],
        ['postal_address', 'Mill Lane 2'],
      ]),
    );
    // The Status column has no label: its cells are not taken; nor is the header row itself.
    expect(detectLines(rows).some((d) => /Active|Review|Street|City/.test(d.value))).toBe(false);
  });

  it('takes no bare number for a town (the next column read beside a masked city)', () => {
    const rows = [header, row(120, ['Hill', 'Top', '4'], ['263'], 'Active'), row(140, ['Mill', 'Lane', '2'], ['Leeds'], 'Active')];
    const values = detectLines(rows).filter((d) => d.detector === 'label-column').map((d) => d.value);
    expect(values).toContain('Leeds');
    expect(values).not.toContain('263');
  });

  it('stops at a gap of more than three rows', () => {
    const rows = [header, row(120, ['Hill', 'Top', '4'], ['98500', 'Eskmora'], 'Active'), row(260, ['Notes'], ['Open', 'tickets'], 'Active')];
    expect(detectLines(rows).some((d) => d.value === 'Open tickets')).toBe(false);
  });

  it('takes no label for a value of the column above it (two key-value cards side by side read as a table)', () => {
    const rows = [
      line([word('Full', 10, 100), word('name', 60, 100), word('Eutalia', 200, 100), word('Navarra', 280, 100), word('Name', 600, 100), word('Carlos', 700, 100), word('Rico', 770, 100)]),
      line([word('Email', 10, 120), word('eutalia.navarra@yahoo.it', 200, 120), word('Email', 600, 120), word('c.rico@yahoo.com', 700, 120)]),
      line([word('Phone', 10, 140), word('+3844731412095', 200, 140), word('Phone', 600, 140), word('+3491720429', 700, 140)]),
    ];
    const found = detectLines(rows);
    expect(found.filter((d) => /^(Email|Phone)$/.test(d.value))).toEqual([]);
    // Rows of two forms side by side, read as OCR read them: a label and a value in each.
    const forms = [
      line([word('Date', 10, 100), word('of', 60, 100), word('birth', 90, 100), word('1991-10-15', 200, 100), word('Name', 600, 100), word('César', 700, 100), word('Franco', 770, 100), word('Suen', 1000, 100)]),
      line([word('Address', 10, 120), word('Email', 600, 120), word('cesar.franco52@yahoo.com', 700, 120)]),
      line([word('Tier', 10, 140), word('Gold', 200, 140), word('Owner', 600, 140), word('Support', 700, 140), word('Desk', 790, 140)]),
    ];
    expect(detectLines(forms).filter((d) => d.detector === 'label-column')).toEqual([]);
    expect(found.map((d) => d.value)).toEqual(expect.arrayContaining(['eutalia.navarra@yahoo.it', 'c.rico@yahoo.com']));
  });

  it('does not read a row of two labels as a table', () => {
    const rows = [line([word('Street', 10, 100), word('City', 200, 100)]), line([word('Filter', 10, 120), word('Sort', 200, 120)])];
    expect(detectLines(rows).filter((d) => d.detector === 'label-column')).toEqual([]);
  });
});

describe('a column read down as one word', () => {
  it('is no value: a sheet\'s row numbers are not a phone, nor "$88" an amount', () => {
    const rows = [
      line([{ text: '8283832888', confidence: 80, box: { x: 32, y: 1200, w: 17, h: 177 } }]),
      line([{ text: '$88', confidence: 80, box: { x: 1519, y: 1179, w: 19, h: 50 } }]),
      line([word('Phone', 100, 1300), word('+3844731412095', 200, 1300)]),
    ];
    expect(detectLines(rows).map((d) => [d.type, d.value])).toEqual([['phone', '+3844731412095']]);
  });
});

describe('amounts in log lines', () => {
  it('a sign OCR made of the colons of an ISO timestamp is no amount', () => {
    expect(found('2026-03-02T14: 101 £3 427 INFO jobs settlement batch 1458 done in 4.5s')).toEqual([]);
    expect(found('2026-03-02T14: $743 017 INFO auth login ok')).toEqual([]);
    // "11:17Z" read as "1b £3 172": the minutes as letters, the colon as a sign.
    expect(found('2026-03-02T14: 1b £3 172 WARN wallet withdrawal held for review')).toEqual([]);
    expect(found('2026-03-02T14: 1k £3 037 DEBUG kyc\tdocument check passed for')).toEqual([]);
  });

  it('an amount after a time read whole is one', () => {
    expect(found('2026-03-02 14:10 £3 427.00 card payment')).toContainEqual(['money', '£3 427.00']);
    expect(found('2026-03-02T14:10:42 $743.01 refund')).toContainEqual(['money', '$743.01']);
  });

  it('an amount later on the line still is one', () => {
    expect(found('2026-03-02T14:10:42Z INFO payout £3 427 sent')).toContainEqual(['money', '£3 427']);
  });
});

describe('a UK postcode alone', () => {
  it('is a real area with the inward letters Royal Mail uses', () => {
    expect(found('SW1A 2AA')).toContainEqual(['postal_address', 'SW1A 2AA']);
    expect(found('Ship to M1 1AE')).toContainEqual(['postal_address', 'M1 1AE']);
  });

  it('is not OCR noise of that shape', () => {
    expect(found('A1 2BC').filter(([t]) => t === 'postal_address')).toEqual([]);
    expect(found('QX9 4CI').filter(([t]) => t === 'postal_address')).toEqual([]);
  });
});

describe('names as OCR reads them', () => {
  it('are known without their diacritics', () => {
    expect(found('2026-06-25 19:37\tTX-889441\tSerafettin Evliyaoglu\t49,789.09 USDT')).toContainEqual(['person_name', 'Serafettin Evliyaoglu']);
    expect(found('Rahsan Bolukbasi')).toContainEqual(['person_name', 'Rahsan Bolukbasi']);
  });
});

describe('a transactions table', () => {
  it('takes the names under a Counterparty header', () => {
    const rows = [
      line([word('Date', 10, 100), word('Reference', 200, 100), word('Counterparty', 400, 100), word('Account', 600, 100)]),
      line([word('2026-01-05', 10, 120), word('TX-130723', 200, 120), word('Kaito', 400, 120), word('Vesterholt', 460, 120), word('GB58', 600, 120)]),
    ];
    expect(detectLines(rows).filter((d) => d.detector === 'label-column').map((d) => [d.type, d.value])).toContainEqual(['person_name', 'Kaito Vesterholt']);
  });
});
