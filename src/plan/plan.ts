/**
 * Mask planning (pure): pieces (a box over a frame range, from a detection or from a
 * region that was changing) become mask tracks. Boxes are padded and snapped to even
 * pixels; pieces of the same region whose ranges meet are merged, so static content gets
 * one still box for its whole life and the filter graph stays small.
 */
import type { Box, PiiType } from '../pii/types.js';
import { overlapArea } from '../pii/detect.js';

export type MaskKind = 'pii' | 'changing';

export interface MaskPiece {
  /** 'pii': a detection; 'changing': a region masked whole while it changed, unread. */
  kind: MaskKind;
  /** Inclusive frame range. */
  from: number;
  to: number;
  box: Box;
  types: PiiType[];
  detectors: string[];
  confidence: number;
  /** Grey level (0-255) of the background around the box, for the fill style. */
  fill: number;
  /** Raw values: in memory only, for the manifest's masked forms. */
  values: string[];
  /** A mask that moves with scrolled content, or a segment of one: never merged with others. */
  motion?: boolean;
  /** Pixels the box is moved down on each frame from..to, relative to frame `from`. */
  path?: number[];
  /** 'x': the path moves it right, not down. */
  axis?: 'x';
  /** The motion it follows (index into the analysis' motion episodes), for drawing masks of one scroll together. */
  episode?: number;
}

export interface MaskTrack extends MaskPiece {
  id: number;
}

export interface PlanOptions {
  frameCount: number;
  width: number;
  height: number;
  padding: number;
}

/** Pads a box and snaps it outward to even pixels (chroma planes are half size), inside the frame. */
export function padBox(box: Box, padding: number, width: number, height: number): Box {
  const x0 = Math.max(0, Math.floor((box.x - padding) / 2) * 2);
  const y0 = Math.max(0, Math.floor((box.y - padding) / 2) * 2);
  const x1 = Math.min(width, Math.ceil((box.x + box.w + padding) / 2) * 2);
  const y1 = Math.min(height, Math.ceil((box.y + box.h + padding) / 2) * 2);
  return { x: x0, y: y0, w: Math.max(2, x1 - x0), h: Math.max(2, y1 - y0) };
}

/**
 * A moving box padded: inside the frame across its motion, free to start outside it along
 * its motion (above or below it, or left or right of it when it moves sideways: it moves in).
 */
function padMoving(box: Box, padding: number, width: number, height: number, axis?: 'x'): Box {
  if (axis === 'x') {
    const across = padBox({ ...box, x: 0, w: 2 }, padding, Infinity, height);
    const x0 = Math.floor((box.x - padding) / 2) * 2;
    const x1 = Math.ceil((box.x + box.w + padding) / 2) * 2;
    return { x: x0, y: across.y, w: x1 - x0, h: across.h };
  }
  const across = padBox({ ...box, y: 0, h: 2 }, padding, width, Infinity);
  const y0 = Math.floor((box.y - padding) / 2) * 2;
  const y1 = Math.ceil((box.y + box.h + padding) / 2) * 2;
  return { x: across.x, y: y0, w: across.w, h: y1 - y0 };
}

/**
 * Two boxes are the same region when they overlap by at least half of their union: the
 * same text read again, a little shifted. Neighbouring lines, which overlap only by their
 * padding, and a small box inside a large one stay apart, so merging never grows a mask
 * over other text.
 */
export function sameRegion(a: Box, b: Box): boolean {
  const inter = overlapArea(a, b);
  return inter > 0 && inter >= 0.5 * (a.w * a.h + b.w * b.h - inter);
}

function union(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

const uniq = <T>(xs: T[]) => [...new Set(xs)];

function merge(a: MaskTrack, b: MaskTrack): MaskTrack {
  return {
    id: Math.min(a.id, b.id),
    kind: a.kind,
    types: uniq([...a.types, ...b.types]).sort(),
    detectors: uniq([...a.detectors, ...b.detectors]).sort(),
    confidence: Math.max(a.confidence, b.confidence),
    from: Math.min(a.from, b.from),
    to: Math.max(a.to, b.to),
    box: union(a.box, b.box),
    fill: a.confidence >= b.confidence ? a.fill : b.fill,
    values: uniq([...a.values, ...b.values]),
  };
}

const sameText = (a: MaskTrack, b: MaskTrack) => a.kind !== 'pii' || !a.values.length || !b.values.length || a.values.some((v) => b.values.includes(v));

/** One pass of merging, sweeping in time so each piece is compared with open tracks only. */
function mergePass(tracks: MaskTrack[]): { tracks: MaskTrack[]; changed: boolean } {
  const sorted = [...tracks].sort((a, b) => a.from - b.from || a.id - b.id);
  const done: MaskTrack[] = [];
  let open: MaskTrack[] = [];
  let changed = false;
  for (const t of sorted) {
    const still: MaskTrack[] = [];
    for (const o of open) (o.to + 1 < t.from ? done : still).push(o);
    open = still;
    // A changing region is not merged into a detection: the union would hold the
    // detection's box over the change's frames and the change's box over the detection's.
    // Nor are two detections of different values (a cell's IBAN, then the address that a
    // sideways scroll brought to the same place): the same text read again holds a value of both.
    const i = t.motion ? -1 : open.findIndex((o) => o.kind === t.kind && !o.motion && sameText(o, t) && sameRegion(o.box, t.box));
    if (i >= 0) {
      open[i] = merge(open[i], t);
      changed = true;
    } else {
      open.push(t);
    }
  }
  return { tracks: [...done, ...open], changed };
}

export function planMasks(pieces: MaskPiece[], options: PlanOptions): MaskTrack[] {
  const last = options.frameCount - 1;
  let tracks: MaskTrack[] = pieces
    .map((p, id) => ({
      ...p,
      id,
      from: Math.max(0, Math.min(last, p.from)),
      to: Math.max(0, Math.min(last, p.to)),
      // A moving box may start partly outside the frame and move in: padded, not clipped.
      box: p.path ? padMoving(p.box, options.padding, options.width, options.height, p.axis) : padBox(p.box, options.padding, options.width, options.height),
    }))
    .filter((p) => p.to >= p.from);
  for (let changed = true; changed; ) ({ tracks, changed } = mergePass(tracks));
  return tracks.sort((a, b) => a.from - b.from || a.box.y - b.box.y || a.box.x - b.box.x).map((t, id) => ({ ...t, id }));
}
