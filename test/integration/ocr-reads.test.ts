/**
 * Reads by real tesseract on rendered text.
 *
 * A value glued to its label in one OCR word ("ip=203.0.113.7", "user=ana@example.org") is
 * masked from where the value's ink begins: real tesseract on text rendered in the fonts a
 * support screen uses, the mask padded as the render pads it, and scored on the pixels.
 * The value's ink is found by rendering the line twice, once with the value invisible.
 *
 * A large image read in bands reads what it reads whole: no line lost or doubled at a cut.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTesseractEngine } from '../../src/ocr/tesseract.js';
import type { GreyImage, OcrEngine } from '../../src/ocr/types.js';
import { parseConfig } from '../../src/config.js';
import { recognizeBanded, recognizeReadable } from '../../src/ocr/upscale.js';
import { detectLines } from '../../src/pii/detect.js';
import type { Box } from '../../src/pii/types.js';
import { padBox } from '../../src/plan/plan.js';

const W = 720;
const H = 40;
const config = parseConfig({});
const PADDING = config.mask.padding;
const upscale = { minTextHeight: config.analysis.minTextHeight, maxScale: config.analysis.maxUpscale };

let ocr: OcrEngine;
beforeAll(async () => {
  ocr = await createTesseractEngine({ workers: 1 });
}, 60_000);
afterAll(() => ocr?.close());

async function draw(font: string, size: number, parts: Array<{ text: string; value: boolean }>, hideValues: boolean): Promise<GreyImage> {
  const spans = parts
    .map((p) => `<tspan fill="${p.value && hideValues ? '#ffffff' : '#1f2328'}">${p.text}</tspan>`)
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}" fill="#ffffff"/><text x="12" y="26" font-family="${font}" font-size="${size}" xml:space="preserve">${spans}</text></svg>`;
  const data = await sharp(Buffer.from(svg), { density: 72 }).greyscale().raw().toBuffer();
  return { width: W, height: H, data };
}

const inside = (b: Box, x: number, y: number) => x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + b.h;

describe('a value glued to its label', () => {
  for (const font of ['Liberation Mono', 'DejaVu Sans Mono', 'DejaVu Sans', 'Liberation Sans', 'Noto Sans']) {
    for (const size of [13, 16]) {
      it(`${font} ${size}px: the value's ink all masked, its label's mostly not`, async () => {
        const parts = [
          { text: 'INFO auth login ok user=', value: false },
          { text: 'ana.silva@example.org', value: true },
          { text: ' ip=', value: false },
          { text: '203.0.113.42', value: true },
        ];
        const full = await draw(font, size, parts, false);
        const labels = await draw(font, size, parts, true);
        const { lines } = await recognizeReadable(ocr, full, upscale);
        const masks = detectLines(lines).map((d) => padBox(d.box, PADDING, W, H));
        expect(masks.length).toBeGreaterThanOrEqual(2);
        let valueInk = 0;
        let valueMasked = 0;
        // The ink of ' ip=' alone: between the e-mail's last ink and the address's first.
        for (let x = 0; x < W; x++) {
          for (let y = 0; y < H; y++) {
            const i = y * W + x;
            const masked = masks.some((m) => inside(m, x, y));
            if (full.data[i] < 128 && labels.data[i] >= 128) {
              valueInk++;
              if (masked) valueMasked++;
            }
          }
        }
        expect(valueMasked).toBe(valueInk);
        // Columns of label ink right of the e-mail and left of the address: the 'ip=' label.
        const valueCols = (from: number, to: number) => {
          const cols: number[] = [];
          for (let x = from; x < to; x++) for (let y = 0; y < H; y++) if (full.data[y * W + x] < 128 && labels.data[y * W + x] >= 128) { cols.push(x); break; }
          return cols;
        };
        const cols = valueCols(0, W);
        // The gap between the two values is the widest run of columns without value ink.
        let gapStart = 0;
        let gapEnd = 0;
        for (let k = 1; k < cols.length; k++) if (cols[k] - cols[k - 1] > gapEnd - gapStart) [gapStart, gapEnd] = [cols[k - 1] + 1, cols[k]];
        let labelInk = 0;
        let labelMasked = 0;
        for (let x = gapStart; x < gapEnd; x++) {
          for (let y = 0; y < H; y++) {
            if (labels.data[y * W + x] < 128) {
              labelInk++;
              if (masks.some((m) => inside(m, x, y))) labelMasked++;
            }
          }
        }
        expect(labelInk).toBeGreaterThan(0);
        expect(labelMasked / labelInk).toBeLessThan(0.5);
      }, 60_000);
    }
  }
});

describe('a large image read in bands', () => {
  it('gives the lines a whole read gives, each once', async () => {
    const width = 900;
    const height = 1300;
    const rows: string[] = [];
    for (let i = 0, y = 30; y < height - 10; i++, y += 23 + (i % 3) * 7) {
      rows.push(`<text x="20" y="${y}" font-family="DejaVu Sans" font-size="${14 + (i % 3) * 4}">Ticket ${4100 + i} opened by agent ${i % 7} for account review ${i}</text>`);
    }
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="${width}" height="${height}" fill="#ffffff"/>${rows.join('')}</svg>`;
    const data = await sharp(Buffer.from(svg), { density: 72 }).greyscale().raw().toBuffer();
    const image = { width, height, data };
    const words = (r: { lines: Array<{ words: Array<{ text: string; box: Box }> }> }) => r.lines.flatMap((l) => l.words);
    const whole = words(await ocr.recognize(image));
    const banded = words(await recognizeBanded(ocr, image, width * 400));
    expect(whole.length).toBeGreaterThan(rows.length * 8);
    expect(banded.map((w) => w.text).sort()).toEqual(whole.map((w) => w.text).sort());
    // Each word where the whole read put it.
    for (const w of banded) {
      expect(whole.some((v) => v.text === w.text && Math.abs(v.box.y - w.box.y) <= 2 && Math.abs(v.box.x - w.box.x) <= 2)).toBe(true);
    }
  }, 120_000);
});
