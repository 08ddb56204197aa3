/**
 * Tesseract stops reading text below about 8-9 px high, and misreads it well above that;
 * people read much smaller. When many words of a first reading are small, the image is
 * read again enlarged and the boxes are scaled back.
 */
import sharp from 'sharp';
import { overlapArea, unionBox } from '../pii/detect.js';
import type { GreyImage, OcrEngine, OcrResult, OcrWord } from './types.js';

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

/**
 * Largest image handed to tesseract at once. Its WebAssembly heap grows to fit the largest
 * image a worker has read and never shrinks: a 1440p frame enlarged twice for 11 px text
 * (15 megapixels) holds about 600 MiB a worker for the rest of the job.
 */
export const OCR_BAND_PIXELS = 4_194_304;

/**
 * Reads `image` in horizontal bands of at most `maxPixels` that overlap by an eighth of a
 * band (at least 96 rows): each line is kept from the band where its middle lies away from
 * a cut, so a line across a cut (up to 48 rows high) is read whole in the band below or above it.
 */
export async function recognizeBanded(ocr: OcrEngine, image: GreyImage, maxPixels = OCR_BAND_PIXELS): Promise<OcrResult> {
  const bandH = Math.floor(maxPixels / Math.max(1, image.width));
  if (image.height <= bandH || bandH < 384) return ocr.recognize(image);
  const overlap = Math.max(96, Math.floor(bandH / 8));
  const lines: OcrResult['lines'] = [];
  let blockBase = 0;
  for (let y0 = 0; ; y0 += bandH - overlap) {
    const y1 = Math.min(image.height, y0 + bandH);
    const last = y1 === image.height;
    const band = { width: image.width, height: y1 - y0, data: image.data.subarray(y0 * image.width, y1 * image.width) };
    const result = await ocr.recognize(band);
    const coreFrom = y0 === 0 ? 0 : y0 + overlap / 2;
    const coreTo = last ? image.height : y1 - overlap / 2;
    let blocks = 0;
    for (const l of result.lines) {
      blocks = Math.max(blocks, l.block + 1);
      const middle = y0 + l.box.y + l.box.h / 2;
      if (middle < coreFrom || middle >= coreTo) continue;
      const move = (b: { x: number; y: number; w: number; h: number }) => ({ ...b, y: b.y + y0 });
      lines.push({ ...l, block: blockBase + l.block, box: move(l.box), words: l.words.map((w) => ({ ...w, box: move(w.box) })) });
    }
    blockBase += blocks;
    if (last) break;
  }
  return { lines };
}

/** A word of the first reading kept beside the enlarged one's: read with at least this confidence (0-100)... */
const SURE_WORD = 85;
/** ...where words of the enlarged reading read with at least this one do not cover half of it (under it, noise). */
const READ_WORD = 50;

/**
 * Pure: `enlarged` with the words of `first` that it lost: read with confidence, and less
 * than half of each covered by words the enlarged reading did not take for noise.
 * Enlarged, tesseract reads small text better as a rule, yet may take rows and columns for
 * one line and garble a value it had read cleanly (a date of birth beside a sidebar and a
 * ticket list).
 */
export function keepLostWords(first: OcrResult, enlarged: OcrResult): OcrResult {
  const read = enlarged.lines.flatMap((l) => l.words.filter((w) => w.confidence >= READ_WORD));
  // Covered, or read again where it is: a word the first reading boxed over two rows
  // ("de", 29 px high on 8 px text) is the enlarged reading's word, not one it lost.
  const lostWord = (word: OcrWord) =>
    read.reduce((area, k) => area + overlapArea(word.box, k.box), 0) * 2 < word.box.w * word.box.h &&
    !read.some((k) => k.text === word.text && overlapArea(word.box, k.box) > 0);
  const block = Math.max(-1, ...enlarged.lines.map((l) => l.block)) + 1;
  const lost = first.lines.flatMap((l) => {
    const words = l.words.filter((w) => w.confidence >= SURE_WORD && lostWord(w));
    return words.length ? [{ ...l, block: block + l.block, words, box: unionBox(words.map((w) => w.box)) }] : [];
  });
  return lost.length ? { lines: [...enlarged.lines, ...lost] } : enlarged;
}

/** Reads `image`, and again enlarged when its text is small (keeping what only the first reading read cleanly); large images in bands. */
export async function recognizeReadable(ocr: OcrEngine, image: GreyImage, options: UpscaleOptions): Promise<OcrResult> {
  const first = await recognizeBanded(ocr, image);
  const scale = smallTextScale(first, options);
  if (scale <= 1) return first;
  return keepLostWords(first, scaleResult(await recognizeBanded(ocr, await enlarge(image, scale)), scale));
}
