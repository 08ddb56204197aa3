/**
 * Mask planning (pure): detections on analysed frames become mask tracks, each a box held
 * over a frame range. A detection on analysed frame s_k is masked from the analysed frame
 * before it (s_{k-1}) to the one after it (s_{k+1}): whatever happened between two
 * analysed frames, the text cannot have appeared later or left earlier than that.
 * Tracks of the same region whose ranges meet are merged, so static content gets one
 * still box for its whole life and the filter graph stays small.
 */
import type { Box, Detection, PiiType } from '../pii/types.js';

export interface SampleDetections {
  frame: number;
  detections: Array<Detection & { fill: number }>;
}

export interface MaskTrack {
  id: number;
  types: PiiType[];
  detectors: string[];
  confidence: number;
  /** Inclusive frame range. */
  from: number;
  to: number;
  box: Box;
  /** Grey level (0-255) of the background around the box, for the fill style. */
  fill: number;
  /** Raw values: in memory only, for the manifest's masked forms. */
  values: string[];
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
 * Two boxes are the same region when their overlap covers at least half of the smaller:
 * the same text read again, a little shifted. Boxes of neighbouring lines, which only
 * overlap by their padding, stay apart, so merging never grows a mask over other text.
 */
export function sameRegion(a: Box, b: Box): boolean {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return false;
  return w * h >= 0.5 * Math.min(a.w * a.h, b.w * b.h);
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

export function planMasks(samples: SampleDetections[], options: PlanOptions): MaskTrack[] {
  const frames = [...samples].sort((a, b) => a.frame - b.frame);
  const last = options.frameCount - 1;
  const pieces: MaskTrack[] = [];
  frames.forEach((sample, k) => {
    const from = k === 0 ? 0 : frames[k - 1].frame;
    const to = k === frames.length - 1 ? last : frames[k + 1].frame;
    for (const d of sample.detections) {
      pieces.push({
        id: pieces.length,
        types: [d.type],
        detectors: [d.detector],
        confidence: d.confidence,
        from,
        to: Math.min(last, to),
        box: padBox(d.box, options.padding, options.width, options.height),
        fill: d.fill,
        values: [d.value],
      });
    }
  });
  // Merge until no two tracks touch in both space and time (ranges that meet count).
  let tracks = pieces;
  for (let changed = true; changed; ) {
    changed = false;
    const out: MaskTrack[] = [];
    for (const t of tracks.sort((a, b) => a.from - b.from || a.id - b.id)) {
      const i = out.findIndex((o) => o.from <= t.to + 1 && t.from <= o.to + 1 && sameRegion(o.box, t.box));
      if (i >= 0) {
        out[i] = merge(out[i], t);
        changed = true;
      } else {
        out.push(t);
      }
    }
    tracks = out;
  }
  return tracks.sort((a, b) => a.from - b.from || a.box.y - b.box.y).map((t, id) => ({ ...t, id }));
}
