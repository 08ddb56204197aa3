/**
 * Large images are read in overlapping bands, so tesseract's memory stays bounded: every
 * line of the image comes back once, where it is, whichever band it was read in.
 */
import { describe, expect, it } from 'vitest';
import type { GreyImage, OcrEngine, OcrLine } from '../../src/ocr/types.js';
import { recognizeBanded } from '../../src/ocr/upscale.js';

/** A page of text lines, `lineH` high every `pitch` rows; each row's first two bytes say which row it is. */
function page(width: number, height: number): GreyImage {
  const data = Buffer.alloc(width * height, 255);
  for (let y = 0; y < height; y++) {
    data[y * width] = y >> 8;
    data[y * width + 1] = y & 255;
  }
  return { width, height, data };
}

/** An engine that reads the lines of `page` lying wholly inside the image it is given. */
function fakeEngine(lineH: number, pitch: number, seen: number[]): OcrEngine {
  return {
    async recognize(image) {
      const top = (image.data[0] << 8) | image.data[1];
      seen.push(image.width * image.height);
      const lines: OcrLine[] = [];
      for (let y = 10; y + lineH <= top + image.height; y += pitch) {
        if (y < top) continue;
        const box = { x: 4, y: y - top, w: 200, h: lineH };
        lines.push({ box, block: 0, words: [{ text: `row${y}`, confidence: 90, box }] });
      }
      return { lines };
    },
    async close() {},
  };
}

describe('recognizeBanded', () => {
  it('reads a tall image in bands no larger than asked, and returns each line once where it is', async () => {
    const image = page(1000, 3000);
    const seen: number[] = [];
    const result = await recognizeBanded(fakeEngine(40, 55, seen), image, 1000 * 800);
    expect(seen.length).toBeGreaterThan(3);
    expect(Math.max(...seen)).toBeLessThanOrEqual(1000 * 800);
    const expected: string[] = [];
    for (let y = 10; y + 40 <= 3000; y += 55) expected.push(`row${y}`);
    const got = result.lines.map((l) => l.words[0].text);
    expect(got).toEqual(expected);
    for (const l of result.lines) expect(`row${l.box.y}`).toBe(l.words[0].text);
  });

  it('reads an image within the limit at once', async () => {
    const seen: number[] = [];
    const result = await recognizeBanded(fakeEngine(20, 30, seen), page(500, 400), 500 * 400);
    expect(seen).toEqual([500 * 400]);
    expect(result.lines.length).toBe(13);
  });
});
