import { describe, expect, it } from 'vitest';
import { maskValue } from '../../src/manifest.js';
import { inkKept } from '../../src/synth/exposure.js';
import { borderMedian } from '../../src/pipeline/image.js';
import { ibanValid, luhnValid, bech32Valid, eip55Valid, base58CheckValid } from '../../src/pii/checksums.js';
import { Rng, fakeBtcBech32, fakeBtcLegacy, fakeCard, fakeEth, fakeIban } from '../../src/synth/fake.js';

describe('maskValue', () => {
  it('keeps the kind of value, not the value', () => {
    expect(maskValue('email', 'jane.doe@example.com')).toBe('j***@example.com');
    expect(maskValue('card_number', '4457 2265 7174 7923')).toBe('4***23');
    expect(maskValue('person_name', 'Sofia')).toBe('S***');
    expect(maskValue('money', '$12')).toBe('***');
  });
});

describe('fake values are format-valid', () => {
  const rng = new Rng(7);
  it.each(Array.from({ length: 20 }, (_, i) => i))('draw %i', () => {
    expect(luhnValid(fakeCard(rng).replace(/\D/g, ''))).toBe(true);
    expect(ibanValid(fakeIban(rng))).toBe(true);
    expect(bech32Valid(fakeBtcBech32(rng))).toBe(true);
    expect(base58CheckValid(fakeBtcLegacy(rng))).toBe(true);
    expect(eip55Valid(fakeEth(rng))).toBe(true);
  });

  it('and a damaged one fails its checksum', () => {
    expect(ibanValid('DE89 3704 0044 0532 0130 01')).toBe(false);
    expect(eip55Valid('0xF221fa29631e6653a8828813cEda452a4De44a24')).toBe(false);
  });
});

const grey = (w: number, h: number, fill: number) => ({ width: w, height: h, data: Buffer.alloc(w * h, fill), index: 0 });

describe('image measures', () => {
  it('borderMedian reads the background around a box', () => {
    const img = grey(40, 40, 230);
    for (let y = 10; y < 20; y++) for (let x = 10; x < 30; x++) img.data[y * 40 + x] = 10;
    expect(borderMedian(img, { x: 10, y: 10, w: 20, h: 10 }, 3)).toBe(230);
  });

  it('inkKept is 1 for untouched text and 0 for a filled box', () => {
    const orig = grey(40, 40, 230);
    for (let y = 10; y < 20; y++) for (let x = 10; x < 30; x += 2) orig.data[y * 40 + x] = 10;
    const box = { x: 8, y: 8, w: 24, h: 14 };
    expect(inkKept(orig, orig, box)).toBe(1);
    expect(inkKept(orig, grey(40, 40, 230), box)).toBe(0);
  });
});
