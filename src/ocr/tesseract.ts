/**
 * tesseract.js behind the OcrEngine interface: a pool of workers (one a core by default),
 * each a worker thread, loading the language data from models/ only. Nothing is fetched
 * and nothing is cached to disk.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Tesseract from 'tesseract.js';
import { z } from 'zod';
import { TransientError } from '../errors.js';
import { encodePgm } from './pgm.js';
import { unionBox } from '../pii/detect.js';
import type { Box } from '../pii/types.js';
import type { GreyImage, OcrEngine, OcrLine, OcrResult } from './types.js';


const ModelManifest = z.object({
  models: z.array(
    z.object({ language: z.string(), file: z.string(), version: z.string(), sha256: z.string().length(64) }),
  ),
});

/** Finds models/ from either src/ocr (tests) or dist/src/ocr (compiled). */
export function modelsDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const up of ['../../models', '../../../models']) {
    const dir = join(here, up);
    try {
      readFileSync(join(dir, 'manifest.json'));
      return dir;
    } catch {
      /* try the next */
    }
  }
  throw new TransientError('the OCR models directory (models/) was not found');
}

/** Checks the language data against models/manifest.json before any worker loads it. */
export function verifyModel(dir: string, language: string): { version: string; sha256: string } {
  const manifest = ModelManifest.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  const entry = manifest.models.find((m) => m.language === language);
  if (!entry) throw new TransientError(`no OCR model for language '${language}' in models/manifest.json`);
  const sum = createHash('sha256').update(readFileSync(join(dir, entry.file))).digest('hex');
  if (sum !== entry.sha256) throw new TransientError(`models/${entry.file} does not match its checksum`);
  return { version: entry.version, sha256: entry.sha256 };
}

interface TessWord {
  text: string;
  confidence: number;
  bbox: TessBox;
  symbols?: Array<{ text: string; bbox: TessBox }> | null;
}
interface TessBlock {
  paragraphs: Array<{ lines: Array<{ words: TessWord[]; bbox: TessBox }> }>;
}
interface TessBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const toBox = (b: TessBox) => ({ x: b.x0, y: b.y0, w: Math.max(1, b.x1 - b.x0), h: Math.max(1, b.y1 - b.y0) });

/**
 * A word's character boxes as fractions of its width, when tesseract gave one symbol a
 * character of the word's text, in order, inside the word's box.
 */
export function charSpans(word: TessWord, text: string): Array<[number, number]> | undefined {
  const symbols = word.symbols ?? [];
  if (symbols.length !== text.length || symbols.map((s) => s.text).join('') !== text) return undefined;
  const { x0, x1 } = word.bbox;
  const width = x1 - x0;
  if (width <= 0) return undefined;
  const spans: Array<[number, number]> = [];
  for (const s of symbols) {
    if (s.bbox.x0 < x0 - 1 || s.bbox.x1 > x1 + 1 || s.bbox.x1 < s.bbox.x0) return undefined;
    spans.push([(s.bbox.x0 - x0) / width, (s.bbox.x1 - x0) / width]);
  }
  return spans;
}

/**
 * Tesseract's layout analysis sometimes strings words of two rows into one line when
 * the rows are tightly spaced (a chat's sender name and the message under it). A line's
 * box then spans both rows, and so would the mask of any value found in it. Words are
 * grouped again by row: a word joins the first row it shares at least a third of the
 * shorter height with, in reading order.
 */
export function splitRows<W extends { box: Box }>(words: W[]): W[][] {
  const rows: Array<{ top: number; bottom: number; words: W[] }> = [];
  for (const word of words) {
    const top = word.box.y;
    const bottom = word.box.y + word.box.h;
    const row = rows.find((r) => Math.min(bottom, r.bottom) - Math.max(top, r.top) >= Math.min(word.box.h, r.bottom - r.top) / 3);
    if (row) {
      row.words.push(word);
      row.top = Math.min(row.top, top);
      row.bottom = Math.max(row.bottom, bottom);
    } else rows.push({ top, bottom, words: [word] });
  }
  return rows.map((r) => r.words);
}

export function linesFromBlocks(blocks: TessBlock[] | null | undefined): OcrLine[] {
  const lines: OcrLine[] = [];
  (blocks ?? []).forEach((block, blockIndex) => {
    for (const paragraph of block.paragraphs) {
      for (const line of paragraph.lines) {
        const words = line.words
          .filter((w) => w.text.trim().length > 0)
          .map((w) => {
            const text = w.text.trim();
            const chars = charSpans(w, text);
            return { text, confidence: w.confidence, box: toBox(w.bbox), ...(chars ? { chars } : {}) };
          });
        const rows = splitRows(words);
        if (rows.length === 1) lines.push({ words, box: toBox(line.bbox), block: blockIndex });
        else for (const row of rows) lines.push({ words: row, box: unionBox(row.map((w) => w.box)), block: blockIndex });
      }
    }
  });
  return lines;
}

export interface TesseractOptions {
  workers: number;
  language?: string;
}

export async function createTesseractEngine(options: TesseractOptions): Promise<OcrEngine & { modelVersion: string }> {
  const language = options.language ?? 'eng';
  const dir = modelsDir();
  const model = verifyModel(dir, language);
  const scheduler = Tesseract.createScheduler();
  try {
    const workers = await Promise.all(
      Array.from({ length: options.workers }, () =>
        Tesseract.createWorker(language, Tesseract.OEM.LSTM_ONLY, {
          langPath: dir,
          gzip: true,
          cacheMethod: 'none',
          errorHandler: () => {},
        }),
      ),
    );
    for (const worker of workers) {
      await worker.setParameters({
        tessedit_pageseg_mode: Tesseract.PSM.AUTO,
        preserve_interword_spaces: '0',
        // Raw frames carry no resolution; saying one keeps tesseract from guessing (and printing it).
        user_defined_dpi: '144',
        // Tesseract's own diagnostics would otherwise go to this process's stderr.
        debug_file: '/dev/null',
      });
      scheduler.addWorker(worker);
    }
  } catch (err) {
    await scheduler.terminate().catch(() => {});
    throw new TransientError(`the OCR engine could not start (${(err as Error).message ?? err})`);
  }
  return {
    modelVersion: `${language}-${model.version}`,
    async recognize(image: GreyImage): Promise<OcrResult> {
      const result = await scheduler.addJob('recognize', encodePgm(image), {}, { blocks: true, text: false });
      return { lines: linesFromBlocks(result.data.blocks as unknown as TessBlock[]) };
    },
    async close() {
      await scheduler.terminate();
    },
  };
}
