import { describe, expect, it } from 'vitest';
import { linesFromBlocks } from '../../src/ocr/tesseract.js';

const word = (text: string, x0: number, y0: number, x1: number, y1: number) => ({ text, confidence: 90, bbox: { x0, y0, x1, y1 } });
const block = (words: ReturnType<typeof word>[]) => ({
  paragraphs: [{ lines: [{ words, bbox: { x0: Math.min(...words.map((w) => w.bbox.x0)), y0: Math.min(...words.map((w) => w.bbox.y0)), x1: Math.max(...words.map((w) => w.bbox.x1)), y1: Math.max(...words.map((w) => w.bbox.y1)) } }] }],
});

describe('OCR lines', () => {
  it('splits a line that strings two tightly spaced rows together', () => {
    // A chat's sender name, with a word of the message under it read into the same line.
    const lines = linesFromBlocks([block([word('Pontus', 100, 90, 150, 101), word('Limits', 160, 109, 205, 120), word('Jonsson', 158, 90, 215, 104)])]);
    expect(lines.map((l) => l.words.map((w) => w.text).join(' '))).toEqual(['Pontus Jonsson', 'Limits']);
    expect(lines[0]!.box).toEqual({ x: 100, y: 90, w: 115, h: 14 });
    expect(lines[1]!.box).toEqual({ x: 160, y: 109, w: 45, h: 11 });
    expect(lines.every((l) => l.block === 0)).toBe(true);
  });

  it('keeps one row whole, with its punctuation, descenders and the line box tesseract gave', () => {
    const words = [word('Email:', 10, 50, 60, 62), word('j.doe@example.com', 70, 50, 220, 65), word(',', 222, 60, 226, 66), word('-', 230, 55, 236, 57)];
    const lines = linesFromBlocks([block(words)]);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.words.map((w) => w.text)).toEqual(['Email:', 'j.doe@example.com', ',', '-']);
    expect(lines[0]!.box).toEqual({ x: 10, y: 50, w: 226, h: 16 });
  });
});
