/**
 * A long recording analysed in segments, by several workers at once (see workers/) or one
 * after another: where it is cut, each segment's analysis in a form that can be stored
 * (sealed, for it holds what OCR read), and the segments' analyses joined into one that
 * masks as the analysis of the whole would.
 *
 * A segment starts at a keyframe and is analysed with a lead-in: a few frames of the
 * segment before, so that what shows at its start has settled and been read by the time
 * its own frames begin (a tracker's first frame is changing everywhere, and would be
 * masked whole). What the lead-in's reads find is masked there too, as the segment before
 * masks it. What a read found and stayed unchanged to its segment's last frame stays
 * masked as long as the next segment's reads of the same place say it stayed; a mask that
 * reaches a segment's last frame where the next segment saw its region moving moves on
 * with it (see maskPieces).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { TransientError } from '../errors.js';
import type { VideoInfo } from '../media/video-info.js';
import type { OcrLine } from '../ocr/types.js';
import type { Box } from '../pii/types.js';
import type { AnalyseResult, ChangingRegion, ReadEvent } from './analyse.js';
import { ReadWindow, type TileRect } from './changes.js';
import type { MotionEpisode } from './motion.js';

export interface Segment {
  index: number;
  /** The segment's own frames: from a keyframe to the next segment's. */
  firstFrame: number;
  frameCount: number;
  /** Frames of the segment before analysed with this one, ahead of its own. */
  lead: number;
  /** The time of the first frame decoded (firstFrame - lead), and where a decode seeks to reach it. */
  startSec: number;
  seekSec: number;
}

/**
 * Pure: cuts a video whose frames show at `times` (seconds, presentation order) into
 * segments of at least `segmentSec`, each starting at one of `keyframes` (frame numbers);
 * a rest shorter than half a segment joins the last. One segment when there is no cut.
 */
export function planSegments(times: readonly number[], keyframes: readonly number[], segmentSec: number, leadFrames: number): Segment[] {
  const n = times.length;
  const cuts = [0];
  for (const k of [...keyframes].sort((a, b) => a - b)) {
    const last = cuts[cuts.length - 1];
    if (k <= last || k >= n || times[k] - times[last] < segmentSec) continue;
    if (times[n - 1] - times[k] < segmentSec / 2) break;
    cuts.push(k);
  }
  return cuts.map((first, index) => {
    const lead = Math.min(first, leadFrames);
    const start = first - lead;
    return {
      index,
      firstFrame: first,
      frameCount: (cuts[index + 1] ?? n) - first,
      lead,
      startSec: times[start],
      seekSec: start === 0 ? 0 : (times[start - 1] + times[start]) / 2,
    };
  });
}

/** The frames a segment's analysis decodes (its lead-in and its own), as a video of their own. */
export function segmentInfo(info: VideoInfo, segment: Segment): VideoInfo {
  return {
    ...info,
    frameCount: segment.lead + segment.frameCount,
    segment: { firstFrame: segment.firstFrame - segment.lead, startSec: segment.startSec, seekSec: segment.seekSec, lead: segment.lead },
  };
}

/** Lead-in frames: enough for a still screen to settle and be read before the segment's own frames. */
export const leadFrames = (settleFrames: number) => settleFrames + 3;

interface StoredWindow {
  frame: number;
  rect?: TileRect;
  inked?: string;
  burstStart?: string;
  nextChange?: string;
}

interface StoredRead {
  frame: number;
  box: Box;
  lines: OcrLine[];
  window: number;
  motion?: number[];
  carry?: number[];
  edges?: ReadEvent['edges'];
}

/** One segment's analysis as plain data, frames counted from the first frame it decoded. */
export interface StoredAnalysis {
  segment: Segment;
  frameCount: number;
  height: number;
  ocrCount: number;
  ocrPixels: number;
  windows: StoredWindow[];
  motion: MotionEpisode[];
  changing: Array<Pick<ChangingRegion, 'from' | 'to' | 'box' | 'fill'>>;
  reads: StoredRead[];
}

const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

/**
 * Pure: a segment's analysis as plain data. A read's window is either the change tracker's
 * (kept whole) or one that holds for the read's own frame alone (reads taken while a
 * region scrolled); anything else is refused rather than stored wrong.
 */
export function storeAnalysis(result: AnalyseResult, segment: Segment): StoredAnalysis {
  const windows: StoredWindow[] = [];
  const windowIndex = new Map<unknown, number>();
  const episodeIndex = (e: MotionEpisode) => {
    const i = result.motion.indexOf(e);
    if (i < 0) throw new TransientError('a read refers to a motion the analysis does not have');
    return i;
  };
  const reads = result.reads.map((r): StoredRead => {
    let w = windowIndex.get(r.window);
    if (w === undefined) {
      if (r.window instanceof ReadWindow) {
        const { rect, frame, inked, burstStart, nextChange } = r.window;
        windows.push({ frame, rect, inked: b64(inked), burstStart: b64(burstStart), nextChange: b64(nextChange) });
      } else {
        const probe = r.window.span({ x: 0, y: 0, w: 1, h: 1 }, result.frameCount - 1);
        if (probe.from !== r.frame || probe.to !== r.frame) throw new TransientError('a read window cannot be stored');
        windows.push({ frame: r.frame });
      }
      w = windows.length - 1;
      windowIndex.set(r.window, w);
    }
    return {
      frame: r.frame,
      box: r.box,
      lines: r.lines,
      window: w,
      ...(r.motion ? { motion: r.motion.map(episodeIndex) } : {}),
      ...(r.carry ? { carry: r.carry.map(episodeIndex) } : {}),
      ...(r.edges ? { edges: r.edges } : {}),
    };
  });
  return {
    segment,
    frameCount: result.frameCount,
    height: result.height,
    ocrCount: result.ocrCount,
    ocrPixels: result.ocrPixels,
    windows,
    motion: result.motion,
    changing: result.changing.map(({ from, to, box, fill }) => ({ from, to, box, fill })),
    reads,
  };
}

function restoreWindow(w: StoredWindow): ReadWindow | undefined {
  if (!w.rect) return undefined;
  const window = new ReadWindow(w.rect, w.frame);
  const bytes = (s: string | undefined) => Buffer.from(s ?? '', 'base64');
  const copy = (target: Uint8Array | Int32Array, from: Buffer) => {
    if (from.byteLength !== target.byteLength) throw new TransientError('a stored read window does not fit its tiles');
    new Uint8Array(target.buffer, target.byteOffset, target.byteLength).set(from);
  };
  copy(window.inked, bytes(w.inked));
  copy(window.burstStart, bytes(w.burstStart));
  copy(window.nextChange, bytes(w.nextChange));
  return window;
}

const shiftEpisode = (e: MotionEpisode, by: number): MotionEpisode => ({
  ...e,
  since: e.since + by,
  until: e.until + by,
  unexplained: e.unexplained.map((u) => ({ ...u, from: u.from + by, to: u.to + by })),
  ...(e.readsAt ? { readsAt: e.readsAt.map((f) => f + by) } : {}),
});

const centreIn = (box: Box, region: Box) => {
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2;
  return cx >= region.x && cx < region.x + region.w && cy >= region.y && cy < region.y + region.h;
};

/**
 * Pure: the segments' analyses (in order, every frame of the video in exactly one
 * segment's own frames) joined into the analysis of the whole, frames counted from the
 * video's first. Changing regions are kept from each segment's own first frame on (its
 * lead-in's belong to the segment before); reads are kept whole.
 */
export function joinAnalyses(parts: readonly StoredAnalysis[], frameCount: number): AnalyseResult {
  let next = 0;
  for (const p of parts) {
    if (p.segment.firstFrame !== next || p.frameCount !== p.segment.lead + p.segment.frameCount) {
      throw new TransientError('the segments do not cover the video frame by frame');
    }
    next += p.segment.frameCount;
  }
  if (next !== frameCount) throw new TransientError(`the segments have ${next} frames, the video ${frameCount}`);

  const joined = parts.map((p) => ({ part: p, offset: p.segment.firstFrame - p.segment.lead, reads: [] as ReadEvent[] }));
  const reads: ReadEvent[] = [];
  const motion: MotionEpisode[] = [];
  const changing: ChangingRegion[] = [];
  /**
   * The last frame what showed in `box` unchanged up to `until` (the last frame of the
   * segment before `from`) stays: as long as a read of segment `from` taken by then, in
   * the same place, says it stays.
   */
  const continued = (from: number, box: Box, until: number): number => {
    let to = until;
    for (const r of joined[from]?.reads ?? []) {
      if (r.frame > until || !centreIn(box, r.box)) continue;
      to = Math.max(to, r.window.span(box, frameCount - 1).to);
    }
    return to;
  };
  joined.forEach((j, i) => {
    const { part, offset } = j;
    const localLast = part.frameCount - 1;
    const ownFrom = part.segment.firstFrame;
    const windows = part.windows.map(restoreWindow);
    const episodes = part.motion.map((e) => shiftEpisode(e, offset));
    motion.push(...episodes);
    for (const c of part.changing) {
      const from = Math.max(c.from + offset, ownFrom);
      if (c.to + offset >= from) changing.push({ ...c, box: c.box, from, to: c.to + offset });
    }
    for (const r of part.reads) {
      const inner = windows[r.window];
      const stored = part.windows[r.window];
      if (!stored) throw new TransientError('a stored read has no window');
      const frame = r.frame + offset;
      const window = {
        span(box: Box): { from: number; to: number } {
          if (!inner) return { from: stored.frame + offset, to: stored.frame + offset };
          const s = inner.span(box, localLast);
          const to = s.to + offset;
          return { from: s.from + offset, to: s.to === localLast ? continued(i + 1, box, to) : to };
        },
      };
      const read: ReadEvent = {
        frame,
        box: r.box,
        lines: r.lines,
        window,
        ...(r.motion ? { motion: r.motion.map((k) => episodes[k]) } : {}),
        ...(r.carry ? { carry: r.carry.map((k) => episodes[k]) } : {}),
        ...(r.edges ? { edges: r.edges } : {}),
      };
      j.reads.push(read);
      reads.push(read);
    }
  });
  return {
    reads,
    changing,
    motion,
    frameCount,
    height: parts[0]?.height ?? 0,
    ocrCount: parts.reduce((n, p) => n + p.ocrCount, 0),
    ocrPixels: parts.reduce((n, p) => n + p.ocrPixels, 0),
    cuts: parts.slice(1).map((p) => p.segment.firstFrame),
  };
}

/**
 * A segment's analysis holds the text OCR read, PII included, so it is stored only sealed:
 * gzipped JSON under AES-256-GCM with a key kept apart from it (the queue passes the key in
 * the job, the file lives in the job's work folder). Tampering fails the opening.
 */
export function sealAnalysis(stored: StoredAnalysis, key: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(gzipSync(JSON.stringify(stored))), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

export function openAnalysis(sealed: Buffer, key: Buffer): StoredAnalysis {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
    decipher.setAuthTag(sealed.subarray(12, 28));
    const json = gunzipSync(Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]));
    return JSON.parse(json.toString('utf8')) as StoredAnalysis;
  } catch {
    throw new TransientError('a stored segment analysis could not be opened');
  }
}

export const newSealKey = () => randomBytes(32);
