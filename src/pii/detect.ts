/**
 * The PII detector: a pure function from OCR lines (words with boxes) to detections.
 * It matches whole lines, not single words, so multi-word values (names, addresses,
 * grouped card numbers) are found, then maps each character span back to the boxes of
 * the words it touches.
 */
import type { OcrLine, OcrWord } from '../ocr/types.js';
import { holdsLabel, labelAlone, labelSpans, startsWithLabel, type ExtraLabel } from './labels.js';
import { ocrVariants, spanToOrigin } from './ocr-variants.js';
import { RECOGNIZERS, type Span } from './patterns.js';
import { PII_TYPES, type Box, type Detection, type PiiType } from './types.js';

export interface ExtraPattern {
  type: PiiType;
  regex: RegExp;
  confidence: number;
}

export interface DetectOptions {
  entities: readonly PiiType[];
  allowList: readonly string[];
  minConfidence: number;
  /** A configuration's own patterns and label words, added to the built-in ones. */
  extraPatterns?: readonly ExtraPattern[];
  extraLabels?: readonly ExtraLabel[];
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
  // The line as read, and as it reads with the usual OCR confusions undone.
  for (const variant of ocrVariants(text)) {
    const found: Span[] = [];
    for (const recognize of Object.values(RECOGNIZERS)) found.push(...recognize(variant.text));
    for (const p of options.extraPatterns ?? []) {
      const re = new RegExp(p.regex.source, p.regex.flags.includes('g') ? p.regex.flags : `${p.regex.flags}g`);
      for (let m = re.exec(variant.text); m; m = re.exec(variant.text)) {
        if (!m[0].length) {
          re.lastIndex++;
          continue;
        }
        found.push({ type: p.type, detector: 'pattern:configured', confidence: p.confidence, start: m.index, end: m.index + m[0].length });
      }
    }
    found.push(...labelSpans(variant.text, options.extraLabels));
    for (const s of found) {
      const [start, end] = spanToOrigin(variant, s.start, s.end);
      spans.push({ ...s, start, end });
    }
  }
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

/**
 * The text of a row of words. A gap wider than 1.5 word heights (a column gap, or the space
 * between a form label and its value) is written as a tab, so values stop at a column's
 * edge; a gap wider than 20 word heights (nothing between two columns) as two tabs.
 */
export function lineText(line: OcrLine): LineText {
  let text = '';
  const offsets: Array<[number, number]> = [];
  const gap = 1.5 * median(line.words.map((w) => w.box.h));
  let prev: OcrWord | undefined;
  for (const word of line.words) {
    if (prev) {
      const space = word.box.x - (prev.box.x + prev.box.w);
      text += space > gap * 13 ? '\t\t' : space > gap ? '\t' : ' ';
    }
    prev = word;
    offsets.push([text.length, text.length + word.text.length]);
    text += word.text;
  }
  return { text, offsets };
}

/** Whether `box` lies wholly inside `region`. */
export function within(box: Box, region: Box): boolean {
  return box.x >= region.x && box.y >= region.y && box.x + box.w <= region.x + region.w && box.y + box.h <= region.y + region.h;
}

/** The area two boxes share (0 when they do not overlap). */
export function overlapArea(a: Box, b: Box): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

export function unionBox(boxes: Box[]): Box {
  const x0 = Math.min(...boxes.map((b) => b.x));
  const y0 = Math.min(...boxes.map((b) => b.y));
  const x1 = Math.max(...boxes.map((b) => b.x + b.w));
  const y1 = Math.max(...boxes.map((b) => b.y + b.h));
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Regroups OCR words into visual rows: words whose boxes overlap vertically by at least
 * half the smaller height, left to right. Tesseract often puts a form's labels and its
 * values in different blocks; on screen they are one row.
 */
export function groupRows(lines: OcrLine[]): OcrLine[] {
  const words = lines.flatMap((l) => l.words).sort((a, b) => a.box.y + a.box.h / 2 - (b.box.y + b.box.h / 2));
  const rows: OcrWord[][] = [];
  const bands: Array<{ y0: number; y1: number; h: number }> = [];
  for (const w of words) {
    let placed = false;
    for (let i = rows.length - 1; i >= 0 && i >= rows.length - 4; i--) {
      const b = bands[i];
      const overlap = Math.min(b.y1, w.box.y + w.box.h) - Math.max(b.y0, w.box.y);
      if (overlap >= 0.5 * Math.min(b.h, w.box.h)) {
        rows[i].push(w);
        // A word much taller than the row (a pointer or an icon read with it) joins the row
        // but does not stretch it over the next one.
        if (w.box.h <= 1.6 * b.h) {
          b.y0 = Math.min(b.y0, w.box.y);
          b.y1 = Math.max(b.y1, w.box.y + w.box.h);
        }
        placed = true;
        break;
      }
    }
    if (!placed) {
      rows.push([w]);
      bands.push({ y0: w.box.y, y1: w.box.y + w.box.h, h: w.box.h });
    }
  }
  return rows.map((ws) => {
    const sorted = ws.sort((a, b) => a.box.x - b.box.x);
    return { words: sorted, box: unionBox(sorted.map((w) => w.box)), block: -1 };
  });
}

/** A detection and the OCR words it covers. */
export type LineDetection = Detection & { words: OcrWord[] };

/**
 * The part of a word's box that a character span covers. A word only partly in the span
 * ("ip=203.0.113.7" of which the address is PII) is cut between the characters: at the
 * OCR's own character boxes where it gave them, and never further into the value than
 * the characters' share of the word's width would put it. Without character boxes the
 * cut keeps one character to spare, so the value is covered and its label is not.
 */
export function coveredBox(word: OcrWord, wordStart: number, wordEnd: number, start: number, end: number): Box {
  const from = Math.max(start, wordStart);
  const to = Math.min(end, wordEnd);
  if (from <= wordStart && to >= wordEnd) return word.box;
  const length = Math.max(1, wordEnd - wordStart);
  const charW = word.box.w / length;
  const chars = word.chars?.length === wordEnd - wordStart ? word.chars : undefined;
  const at = (fraction: number) => word.box.x + fraction * word.box.w;
  const spare = chars ? 0 : 1;
  let x0 = word.box.x;
  if (from > wordStart) {
    const k = from - wordStart;
    x0 = Math.floor(word.box.x + (k - spare) * charW);
    if (chars) x0 = Math.min(x0, Math.floor(at(Math.min(chars[k - 1][1], chars[k][0]))) - 1);
    x0 = Math.max(word.box.x, x0);
  }
  let x1 = word.box.x + word.box.w;
  if (to < wordEnd) {
    const k = to - wordStart;
    x1 = Math.ceil(word.box.x + (k + spare) * charW);
    if (chars) x1 = Math.max(x1, Math.ceil(at(Math.max(chars[k - 1][1], chars[k][0]))) + 1);
    x1 = Math.min(word.box.x + word.box.w, x1);
  }
  return { x: x0, y: word.box.y, w: Math.max(1, x1 - x0), h: word.box.h };
}

function toDetections(line: OcrLine, lt: LineText, spans: Span[]): LineDetection[] {
  const out: LineDetection[] = [];
  for (const s of spans) {
    const hit = line.words.map((w, i) => ({ w, i })).filter(({ i }) => lt.offsets[i][0] < s.end && lt.offsets[i][1] > s.start);
    if (!hit.length) continue;
    const box = unionBox(hit.map(({ w, i }) => coveredBox(w, lt.offsets[i][0], lt.offsets[i][1], s.start, s.end)));
    out.push({ ...s, value: lt.text.slice(s.start, s.end), box, words: hit.map(({ w }) => w) });
  }
  return out;
}

/** The words just below `label` (within two line heights) that start under it: a value written under its label. */
function valueBelow(rows: OcrLine[], index: number, label: Box): OcrLine | undefined {
  for (let j = index + 1; j < rows.length; j++) {
    const gap = rows[j].box.y - (label.y + label.h);
    if (gap > label.h * 2) return undefined;
    if (gap < -2) continue;
    const words = rows[j].words.filter((w) => w.box.x + w.box.w > label.x && w.box.x < label.x + Math.max(label.w * 4, label.h * 12));
    if (words.length) {
      // Stop at the first column gap: the value is one segment of the row.
      const lt = lineText({ words, box: unionBox(words.map((w) => w.box)), block: -1 });
      const end = lt.text.indexOf('\t');
      const kept = end < 0 ? words : words.filter((_, i) => lt.offsets[i][0] < end);
      return { words: kept, box: unionBox(kept.map((w) => w.box)), block: -1 };
    }
  }
  return undefined;
}

/**
 * The cells under a table's column header: for each row below the header, down to the
 * first gap of more than three line heights, the words that start between the column's
 * left edge and the next column's.
 */
function columnBelow(rows: OcrLine[], index: number, x0: number, x1: number): OcrLine[] {
  const header = rows[index].box;
  const out: OcrLine[] = [];
  let bottom = header.y + header.h;
  for (let j = index + 1; j < rows.length; j++) {
    const row = rows[j];
    if (row.box.y - bottom > header.h * 3) break;
    bottom = Math.max(bottom, row.box.y + row.box.h);
    const words = row.words.filter((w) => w.box.x >= x0 && w.box.x < x1);
    if (!words.length) continue;
    const cell: OcrLine = { words, box: unionBox(words.map((w) => w.box)), block: -1 };
    const lt = lineText(cell);
    const end = lt.text.indexOf('\t');
    const kept = end < 0 ? words : words.filter((_, i) => lt.offsets[i][0] < end);
    out.push({ words: kept, box: unionBox(kept.map((w) => w.box)), block: -1 });
  }
  return out;
}

/**
 * A table's header row: three or more column segments, two or more of them a label alone
 * ("Customer | Email | Street | City"). Returns, per label, its column's left and right edges.
 */
function headerColumns(row: OcrLine, lt: LineText, extra: DetectOptions['extraLabels']) {
  const segments: Array<{ text: string; words: OcrWord[] }> = [];
  let start = 0;
  for (const text of lt.text.split('\t')) {
    const end = start + text.length;
    const words = row.words.filter((_, w) => lt.offsets[w][0] >= start && lt.offsets[w][1] <= end);
    if (words.length) segments.push({ text, words });
    start = end + 1;
  }
  const labelled = segments.map((s) => labelAlone(s.text, extra));
  if (segments.length < 3 || labelled.filter(Boolean).length < 2) return [];
  const h = median(row.words.map((w) => w.box.h));
  return segments.flatMap((s, k) => {
    const label = labelled[k];
    if (!label) return [];
    const x0 = Math.min(...s.words.map((w) => w.box.x)) - h;
    const x1 = k + 1 < segments.length ? Math.min(...segments[k + 1].words.map((w) => w.box.x)) - h / 2 : Infinity;
    return [{ label, x0, x1 }];
  });
}

/**
 * The rows of one image's lines, their text, and what the patterns and labels find on each:
 * most of detectLines' work, and the same whatever values are known elsewhere.
 */
export interface PatternRows {
  rows: OcrLine[];
  texts: LineText[];
  spans: Span[][];
}

export function patternRows(lines: OcrLine[], options: DetectOptions = DEFAULT_DETECT_OPTIONS): PatternRows {
  // A "word" of three or more characters twice as tall as it is wide is no line of text:
  // OCR read a narrow column (a sheet's row numbers) down as one word ("8283832888").
  const upright = (w: OcrWord) => w.text.trim().length >= 3 && w.box.h > 2 * w.box.w;
  const rows = groupRows(lines.map((l) => ({ ...l, words: l.words.filter((w) => !upright(w)) })).filter((l) => l.words.length));
  const texts = rows.map(lineText);
  return { rows, texts, spans: texts.map((lt) => detectText(lt.text, options)) };
}

/**
 * Detections in the lines of one image (or in its rows as patternRows found them, with the
 * same options), including values whose label is on the line above.
 */
export function detectLines(
  lines: OcrLine[] | PatternRows,
  options: DetectOptions = DEFAULT_DETECT_OPTIONS,
  known?: ReadonlyMap<string, PiiType>,
): LineDetection[] {
  const out: LineDetection[] = [];
  const { rows, texts, spans: found } = Array.isArray(lines) ? patternRows(lines, options) : lines;
  rows.forEach((row, i) => {
    const lt = texts[i];
    const spans = [...found[i]];
    if (known) spans.push(...keep(lt.text, findKnownValues(lt.text, known), options));
    // A table: every cell under a label's column header is a value of the label's type; the
    // header row itself holds labels, not a label and its value ("Customer | Street").
    // A header holds labels, never values: a row with a value in it ("Date of birth |
    // 1991-10-15 | Name | César Franco", two forms side by side) is a form's row.
    const columns = spans.some((s) => !s.detector.startsWith('label:')) ? [] : headerColumns(row, lt, options.extraLabels);
    out.push(...toDetections(row, lt, mergeSpans(columns.length ? spans.filter((s) => !s.detector.startsWith('label:')) : spans)));
    for (const { label, x0, x1 } of columns) {
      for (const cell of columnBelow(rows, i, x0, x1)) {
        const ct = lineText(cell);
        // A label under a label is the key column of a form, not a value ("Full name" above
        // "Email" and "Phone" when two cards side by side are read as one table).
        if (labelAlone(ct.text, options.extraLabels)) continue;
        const value = label.value(ct.text);
        if (!value) continue;
        const span: Span = { type: label.type, detector: 'label-column', confidence: 0.7, start: value[0], end: value[1] };
        out.push(...toDetections(cell, ct, keep(ct.text, [span], options)));
      }
    }
    if (columns.length) return;
    // A label that ends its column segment, with its value on the row below.
    const segments = lt.text.split('\t');
    let segmentStart = 0;
    segments.forEach((segment, k) => {
      const next = segments[k + 1];
      // "Name:<gap>Sofia Doe" is a label and its value on one row: labelSpans took it.
      const label = next === undefined || labelSpans(next, options.extraLabels).length > 0 ? labelAlone(segment, options.extraLabels) : undefined;
      const segmentEnd = segmentStart + segment.length;
      if (label) {
        const labelWords = row.words.filter((_, w) => lt.offsets[w][0] >= segmentStart && lt.offsets[w][1] <= segmentEnd);
        const below = labelWords.length ? valueBelow(rows, i, unionBox(labelWords.map((w) => w.box))) : undefined;
        // The row below is a value, not another "Label: ..." row (whose value may be masked).
        if (below && !/^\s*[\p{L}][\p{L} _-]{1,30}[:=]/u.test(lineText(below).text) && !startsWithLabel(lineText(below).text, options.extraLabels) && !holdsLabel(lineText(below).text)) {
          const bt = lineText(below);
          const value = label.value(bt.text);
          if (value) {
            const span: Span = { type: label.type, detector: 'label-above', confidence: 0.7, start: value[0], end: value[1] };
            out.push(...toDetections(below, bt, keep(bt.text, [span], options)));
          }
        }
      }
      segmentStart = segmentEnd + 1;
    });
  });
  return out;
}
