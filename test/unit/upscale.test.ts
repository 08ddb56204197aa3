import { describe, expect, it } from 'vitest';
import type { OcrLine, OcrResult } from '../../src/ocr/types.js';
import { keepLostWords } from '../../src/ocr/upscale.js';

const word = (text: string, confidence: number, x: number, y: number, w: number, h = 14) => ({ text, confidence, box: { x, y, w, h } });
const line = (block: number, ...words: ReturnType<typeof word>[]): OcrLine => {
  const x = Math.min(...words.map((w) => w.box.x));
  const y = Math.min(...words.map((w) => w.box.y));
  return { block, words, box: { x, y, w: Math.max(...words.map((w) => w.box.x + w.box.w)) - x, h: Math.max(...words.map((w) => w.box.y + w.box.h)) - y } };
};

describe('keepLostWords', () => {
  it('keeps a word the first reading read cleanly where the enlarged one garbled it', () => {
    const first: OcrResult = { lines: [line(0, word('Date', 95, 300, 325, 40), word('of', 95, 345, 325, 16), word('birth', 96, 365, 325, 40)), line(1, word('1992-12-26', 96, 517, 326, 92))] };
    // Enlarged, the row was merged with its neighbours: the date came out as "-12-" and noise.
    const enlarged: OcrResult = { lines: [line(0, word('Date', 96, 300, 325, 40), word('of', 96, 345, 325, 16), word('birth', 96, 365, 325, 40)), line(1, word('5', 30, 500, 310, 20, 30), word('-12-', 82, 550, 326, 30))] };
    const out = keepLostWords(first, enlarged);
    expect(out.lines.slice(0, 2)).toEqual(enlarged.lines);
    expect(out.lines.slice(2).map((l) => l.words.map((w) => w.text))).toEqual([['1992-12-26']]);
    // Its own block, after the enlarged reading's.
    expect(out.lines[2].block).toBeGreaterThan(1);
    expect(out.lines[2].box).toEqual({ x: 517, y: 326, w: 92, h: 14 });
  });

  it('adds nothing the enlarged reading read with confidence, nor words the first reading was unsure of', () => {
    const first: OcrResult = { lines: [line(0, word('Kenji', 96, 100, 50, 50), word('Sed', 40, 200, 50, 30))] };
    const enlarged: OcrResult = { lines: [line(0, word('Kenji', 95, 101, 49, 50))] };
    expect(keepLostWords(first, enlarged)).toBe(enlarged);
  });

  it('adds no word the enlarged reading read where it is, however the first reading boxed it', () => {
    // Boxed over two rows by the first reading, so the enlarged "de" covers a third of it.
    const first: OcrResult = { lines: [line(0, word('de', 96, 1387, 288, 12, 29))] };
    const enlarged: OcrResult = { lines: [line(0, word('Kléber', 79, 1353, 299, 31, 9), word('de', 96, 1387, 299, 12, 9))] };
    expect(keepLostWords(first, enlarged)).toBe(enlarged);
  });
});
