import { describe, expect, it } from 'vitest';
import { detectText } from '../../src/pii/detect.js';
import { digitsRestored, spacesClosed } from '../../src/pii/ocr-variants.js';
import { independentWithOcr } from '../detect-independent.js';
import { blackOut, caught, detectionCases, falsePositive } from '../detect-cases.js';

describe('the labelled case set', () => {
  const cases = detectionCases();
  const outputs = cases.map((c) => blackOut(c.text, detectText(c.text)));
  const rate = (pick: (c: (typeof cases)[number]) => boolean) => {
    const idx = cases.map((c, i) => i).filter((i) => pick(cases[i]));
    return idx.filter((i) => caught(cases[i], outputs[i])).length / idx.length;
  };

  it('is caught in full when clean and at 99% or more when OCR-damaged, per entity', () => {
    const entities = [...new Set(cases.map((c) => c.entity))].filter((e) => e !== 'none');
    expect(entities).toHaveLength(12);
    for (const e of entities) {
      expect({ e, recall: rate((c) => c.entity === e && !c.damaged) }).toEqual({ e, recall: 1 });
    }
    expect(rate((c) => c.entity !== 'none' && c.damaged)).toBeGreaterThanOrEqual(0.99);
  });

  it('leaves every negative untouched', () => {
    const fps = cases.filter((c, i) => c.entity === 'none' && falsePositive(c, outputs[i])).map((c) => c.text);
    expect(fps).toEqual([]);
  });
});

describe('OCR variants', () => {
  it('restores digits only in tokens that are digits and confusable letters', () => {
    expect(digitsRestored('call +1 524-S5S-1379 or 2O26 Z.672S BTC, Sofia, v4.12.3, P3')).toBe('call +1 524-555-1379 or 2026 2.6725 BTC, Sofia, v4.12.3, P3');
  });

  it('closes a space inside a long token, not between a word and a value', () => {
    expect(spacesClosed('to 0x047F40c1B 76baZ462dd598EcE54f1d1 now').text).toBe('to 0x047F40c1B76baZ462dd598EcE54f1d1 now');
    expect(spacesClosed('write to jane.doe@example.com').text).toBe('write to jane.doe@example.com');
  });
});

describe('the independent case set', () => {
  const fixture = new URL('../fixtures/detect-ocr.json', import.meta.url).pathname;
  const cases = independentWithOcr(fixture);
  const outputs = cases.map((c) => blackOut(c.text, detectText(c.text)));
  const recall = (pick: (c: (typeof cases)[number]) => boolean) => {
    const idx = cases.map((_, i) => i).filter((i) => pick(cases[i]));
    return idx.filter((i) => caught(cases[i], outputs[i])).length / idx.length;
  };

  it('is caught at 99% clean and 97% as tesseract read it (a guard: the bench reports per entity)', () => {
    expect(recall((c) => c.entity !== 'none' && !c.damaged)).toBeGreaterThanOrEqual(0.99);
    expect(recall((c) => c.entity !== 'none' && c.damaged)).toBeGreaterThanOrEqual(0.97);
    expect(recall((c) => c.entity === 'person_name')).toBe(1);
  });

  it('leaves 200+ strings of support-tool UI untouched, clean and as OCR read them', () => {
    const negatives = cases.filter((c) => c.entity === 'none');
    expect(negatives.length).toBeGreaterThanOrEqual(200);
    const fps = cases.filter((c, i) => c.entity === 'none' && falsePositive(c, outputs[i])).map((c) => c.text);
    expect(fps).toEqual([]);
  });
});
