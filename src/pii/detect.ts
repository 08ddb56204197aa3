/**
 * The PII detector: a pure function from OCR lines (words with boxes) to detections.
 * It matches whole lines, not single words, so multi-word values (names, addresses,
 * grouped card numbers) are found, then maps each character span back to the boxes of
 * the words it touches.
 */
import type { OcrLine } from '../ocr/types.js';
import { labelAlone, labelSpans, wholeValue } from './labels.js';
import { RECOGNIZERS, type Span } from './patterns.js';
import { PII_TYPES, type Box, type Detection, type PiiType } from './types.js';

export interface DetectOptions {
  entities: readonly PiiType[];
  allowList: readonly string[];
  minConfidence: number;
}

export const DEFAULT_DETECT_OPTIONS: DetectOptions = { entities: PII_TYPES, allowList: [], minConfidence: 0.3 };

/** The comparison form of a value: lower case, no white space. */
export function normalizeValue(value: string): string {
  return value.toLowerCase().replace(/\s+/g, '');
}

/** Merges overlapping spans into one, keeping the type and detector of the most confident. */
export function mergeSpans(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) {
      const keep = s.confidence > last.confidence ? s : last;
      out[out.length - 1] = { ...keep, start: last.start, end: Math.max(last.end, s.end), confidence: Math.max(last.confidence, s.confidence) };
    } else {
      out.push({ ...s });
    }
  }
  return out;
}

function keep(text: string, spans: Span[], options: DetectOptions): Span[] {
  const on = new Set(options.entities);
  const allowed = new Set(options.allowList.map(normalizeValue));
  return spans.filter(
    (s) =>
      on.has(s.type) &&
      s.confidence >= options.minConfidence &&
      !allowed.has(normalizeValue(text.slice(s.start, s.end))),
  );
}

/** All PII spans in one line of text: patterns and label context, merged. */
export function detectText(text: string, options: DetectOptions = DEFAULT_DETECT_OPTIONS): Span[] {
  const spans: Span[] = [];
  for (const recognize of Object.values(RECOGNIZERS)) spans.push(...recognize(text));
  spans.push(...labelSpans(text));
  return mergeSpans(keep(text, spans, options));
}

/** Every occurrence of an already-detected value in `text` (consistency across a recording). */
export function findKnownValues(text: string, known: ReadonlyMap<string, PiiType>): Span[] {
  if (known.size === 0) return [];
  // Compare without white space: OCR inserts and drops spaces inside long tokens.
  let compact = '';
  const origin: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (/\s/.test(text[i])) continue;
    compact += text[i].toLowerCase();
    origin.push(i);
  }
  const spans: Span[] = [];
  for (const [value, type] of known) {
    if (value.length < 5) continue;
    for (let at = compact.indexOf(value); at >= 0; at = compact.indexOf(value, at + 1)) {
      spans.push({
        type,
        detector: 'consistency',
        confidence: 0.9,
        start: origin[at],
        end: origin[at + value.length - 1] + 1,
      });
    }
  }
  return mergeSpans(spans);
}

export interface LineText {
  text: string;
  /** [start, end) of each word in `text`. */
  offsets: Array<[number, number]>;
}

export function lineText(line: OcrLine): LineText {
  let text = '';
  const offsets: Array<[number, number]> = [];
  for (const word of line.words) {
    if (text) text += ' ';
    offsets.push([text.length, text.length + word.text.length]);
    text += word.text;
  }
  return { text, offsets };
}

export function unionBox(boxes: Box[]): Box {
  const x0 = Math.min(...boxes.map((b) => b.x));
  const y0 = Math.min(...boxes.map((b) => b.y));
  const x1 = Math.max(...boxes.map((b) => b.x + b.w));
  const y1 = Math.max(...boxes.map((b) => b.y + b.h));
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/** The box of the words a character span touches (whole words: a mask never cuts a word). */
export function spanBox(line: OcrLine, lt: LineText, start: number, end: number): Box | null {
  const boxes = line.words.filter((_, i) => lt.offsets[i][0] < end && lt.offsets[i][1] > start).map((w) => w.box);
  return boxes.length ? unionBox(boxes) : null;
}

function toDetections(line: OcrLine, lt: LineText, spans: Span[]): Detection[] {
  const out: Detection[] = [];
  for (const s of spans) {
    const box = spanBox(line, lt, s.start, s.end);
    if (box) out.push({ ...s, value: lt.text.slice(s.start, s.end), box });
  }
  return out;
}

/** The line that reads as the value of `line` when `line` is a label alone: just below it. */
function lineBelow(lines: OcrLine[], index: number): OcrLine | undefined {
  const above = lines[index];
  let best: OcrLine | undefined;
  for (const l of lines) {
    if (l === above) continue;
    const gap = l.box.y - (above.box.y + above.box.h);
    const overlaps = l.box.x < above.box.x + above.box.w * 4 && l.box.x + l.box.w > above.box.x;
    if (gap >= -2 && gap <= above.box.h * 2 && overlaps && (!best || l.box.y < best.box.y)) best = l;
  }
  return best;
}

/** Detections in the lines of one image, including values whose label is on the line above. */
export function detectLines(
  lines: OcrLine[],
  options: DetectOptions = DEFAULT_DETECT_OPTIONS,
  known?: ReadonlyMap<string, PiiType>,
): Detection[] {
  const out: Detection[] = [];
  const texts = lines.map(lineText);
  lines.forEach((line, i) => {
    const lt = texts[i];
    const spans = detectText(lt.text, options);
    if (known) spans.push(...keep(lt.text, findKnownValues(lt.text, known), options));
    out.push(...toDetections(line, lt, mergeSpans(spans)));
    const label = labelAlone(lt.text);
    const below = label ? lineBelow(lines, i) : undefined;
    if (label && below) {
      const bt = texts[lines.indexOf(below)];
      const value = label.value(bt.text) ?? wholeValue(bt.text);
      if (value) {
        const span: Span = { type: label.type, detector: 'label-above', confidence: 0.7, start: value[0], end: value[1] };
        out.push(...toDetections(below, bt, keep(bt.text, [span], options)));
      }
    }
  });
  return out;
}
