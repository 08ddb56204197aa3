/**
 * Tesseract stops reading text below about 8-9 px high, and misreads it well above that;
 * people read much smaller. When many words of a first reading are small, the image is
 * read again enlarged and the boxes are scaled back.
 */
import sharp from 'sharp';
import type { GreyImage, OcrEngine, OcrResult } from './types.js';

export interface UpscaleOptions {
  /** Lines lower than this (pixels, ascender to descender) count as small. */
  minTextHeight: number;
  /** Largest enlargement. */
  maxScale: number;
}

export function smallTextScale(result: OcrResult, options: UpscaleOptions): number {
  // Line boxes span ascenders and descenders, so they measure the font, not the word's letters.
  const heights = result.lines.map((l) => l.box.h);
  if (heights.length === 0) return 1;
  const small = heights.filter((h) => h < options.minTextHeight);
  // Enlarge when a fifth of the lines are small.
  if (small.length < Math.max(1, heights.length * 0.2)) return 1;
  const typical = small.sort((a, b) => a - b)[Math.floor(small.length / 2)];
  return Math.min(options.maxScale, Math.max(2, Math.ceil((options.minTextHeight * 1.5) / Math.max(1, typical))));
}

export async function enlarge(image: GreyImage, scale: number): Promise<GreyImage> {
  const width = Math.round(image.width * scale);
  const height = Math.round(image.height * scale);
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 1 } })
    .resize(width, height, { kernel: 'cubic' })
    .toColourspace('b-w')
    .raw()
    .toBuffer();
  if (data.length !== width * height) throw new Error('enlarged frame is not one byte a pixel');
  return { width, height, data };
}

export function scaleResult(result: OcrResult, scale: number): OcrResult {
  const s = (v: number) => v / scale;
  const box = (b: { x: number; y: number; w: number; h: number }) => ({
    x: Math.floor(s(b.x)),
    y: Math.floor(s(b.y)),
    w: Math.ceil(s(b.x + b.w)) - Math.floor(s(b.x)),
    h: Math.ceil(s(b.y + b.h)) - Math.floor(s(b.y)),
  });
  return {
    lines: result.lines.map((l) => ({ ...l, box: box(l.box), words: l.words.map((w) => ({ ...w, box: box(w.box) })) })),
  };
}

/** Reads `image`, and again enlarged when its text is small. */
export async function recognizeReadable(ocr: OcrEngine, image: GreyImage, options: UpscaleOptions): Promise<OcrResult> {
  const first = await ocr.recognize(image);
  const scale = smallTextScale(first, options);
  if (scale <= 1) return first;
  return scaleResult(await ocr.recognize(await enlarge(image, scale)), scale);
}
