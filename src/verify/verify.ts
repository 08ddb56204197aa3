/**
 * Verification: decode chosen frames of a (redacted) video, OCR them and run the same
 * detector. The first frame is read whole; each later one where it differs from what was
 * read before (bands across the frame), unless whole frames are asked for. Any finding
 * means PII is still readable. Findings carry a masked form of the value; the raw value
 * stays in memory for a re-redaction and is never written.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TransientError } from '../errors.js';
import { maskValue } from '../manifest.js';
import { seekFrameJob, selectedFramesJob, selectFramesFilter } from '../media/ffmpeg-args.js';
import { streamFfmpeg } from '../media/ffmpeg.js';
import { readGreyFrames, type GreyFrame } from '../media/frames.js';
import type { VideoInfo } from '../media/video-info.js';
import type { GreyImage, OcrEngine, OcrLine } from '../ocr/types.js';
import { quietRow } from '../pipeline/image.js';
import { recognizeReadable, type UpscaleOptions } from '../ocr/upscale.js';
import { detectLines, type DetectOptions } from '../pii/detect.js';
import type { Box, PiiType } from '../pii/types.js';

export interface Finding {
  frame: number;
  timeSec: number;
  type: PiiType;
  detector: string;
  confidence: number;
  box: Box;
  masked: string;
}

/** A finding with its raw value, for re-redaction in memory. Never written or logged. */
export interface RawFinding extends Finding {
  value: string;
}

export const publicFinding = ({ value: _value, ...rest }: RawFinding): Finding => rest;

export interface VerifyOptions {
  detect: DetectOptions;
  upscale: UpscaleOptions;
  workers: number;
  /**
   * Each frame OCR'd whole. Otherwise a frame is OCR'd only in the bands where it differs
   * (by more than `changeThreshold` in some 4x4 mean) from the pixels last OCR'd there: the
   * rest was read already, on the same pixels.
   */
  wholeFrames?: boolean;
  /** Grey levels a 4x4 mean must move by to count as a change (default 10). */
  changeThreshold?: number;
  signal?: AbortSignal;
  /** Called with each decoded frame (for contact sheets) before it is released. */
  onFrame?: (frame: GreyFrame, findings: RawFinding[]) => void | Promise<void>;
  onProgress?: (done: number, total: number) => void;
}

/** OCRs the listed frames of `path` (see VerifyOptions.wholeFrames) and returns every PII finding on them. */
export async function findPiiInFrames(
  path: string,
  info: VideoInfo,
  frames: readonly number[],
  ocr: OcrEngine,
  options: VerifyOptions,
): Promise<RawFinding[]> {
  const wanted = [...new Set(frames)].filter((n) => n >= 0 && n < info.frameCount).sort((a, b) => a - b);
  if (wanted.length === 0) return [];
  const jobs: Array<Promise<RawFinding[]>> = [];
  const inFlight = new Set<Promise<unknown>>();
  let done = 0;
  /** What was OCR'd, pixel by pixel: the last frame's pixels in every band read so far. */
  let seen: Buffer | undefined;
  const decoding = decodeFrames(path, info, wanted, options.signal);
  try {
    let count = 0;
    for await (const frame of decoding.frames) {
      count++;
      const bands = options.wholeFrames || !seen
        ? [{ x: 0, y: 0, w: frame.width, h: frame.height }]
        : changedBands(frame, { width: frame.width, height: frame.height, data: seen }, options.changeThreshold ?? 10);
      seen ??= Buffer.alloc(frame.data.length);
      for (const b of bands) seen.set(frame.data.subarray(b.y * frame.width, (b.y + b.h) * frame.width), b.y * frame.width);
      const job = (async () => {
        const lines = (
          await Promise.all(
            bands.map(async (b) => {
              const band = b.h === frame.height ? frame : { width: frame.width, height: b.h, data: frame.data.subarray(b.y * frame.width, (b.y + b.h) * frame.width) };
              const found = await recognizeReadable(ocr, band, options.upscale);
              return found.lines.map((l) => shiftLine(l, b.y));
            }),
          )
        ).flat();
        const findings = detectLines(lines, options.detect).map((d) => ({
          frame: frame.index,
          timeSec: Math.round((frame.index / info.fps) * 1000) / 1000,
          type: d.type,
          detector: d.detector,
          confidence: Math.round(d.confidence * 100) / 100,
          box: d.box,
          masked: maskValue(d.type, d.value),
          value: d.value,
        }));
        await options.onFrame?.(frame, findings);
        options.onProgress?.(++done, wanted.length);
        return findings;
      })();
      jobs.push(job);
      const tracked = job.catch(() => {});
      inFlight.add(tracked);
      void tracked.finally(() => inFlight.delete(tracked));
      while (inFlight.size >= options.workers * 2) await Promise.race(inFlight);
    }
    if (count !== wanted.length) throw new TransientError(`verification decoded ${count} of ${wanted.length} frames`);
  } catch (err) {
    decoding.stop();
    await Promise.allSettled(jobs);
    throw err;
  } finally {
    await decoding.cleanup();
  }
  return (await Promise.all(jobs)).flat();
}

const shiftLine = (line: OcrLine, dy: number): OcrLine =>
  dy === 0
    ? line
    : { ...line, box: { ...line.box, y: line.box.y + dy }, words: line.words.map((w) => ({ ...w, box: { ...w.box, y: w.box.y + dy } })) };

/** Tiles of 16 px, of 4x4 cells: a tile changed when the mean of one of its cells moved by more than the threshold. */
const TILE = 16;
const CELL = 4;
/** Rows of context kept above and below the rows that changed, before widening to rows with no ink. */
const CONTEXT_PX = 2 * TILE;
/** How far a band's edge moves out to find a row with no ink (a line cut in half reads as garbage). */
const QUIET_SEARCH_PX = 48;

/**
 * Pure: the bands across `frame` (full width) where it differs from `seen`: the tile rows
 * with a changed tile, joined when close, widened by two tile rows of context and then out
 * to the nearest rows with no ink so no line is cut. Empty when nothing changed.
 */
export function changedBands(frame: GreyImage, seen: GreyImage, threshold: number): Box[] {
  const { width, height } = frame;
  const cellsX = Math.floor(width / CELL);
  const rowsChanged: boolean[] = new Array(Math.ceil(height / TILE)).fill(false);
  const sums = new Int32Array(cellsX);
  for (let cy = 0; cy * CELL < height; cy++) {
    const y0 = cy * CELL;
    const y1 = Math.min(height, y0 + CELL);
    sums.fill(0);
    for (let y = y0; y < y1; y++) {
      const row = y * width;
      for (let x = 0; x < cellsX * CELL; x++) sums[(x / CELL) | 0] += frame.data[row + x] - seen.data[row + x];
    }
    const area = (y1 - y0) * CELL;
    for (let c = 0; c < cellsX; c++) {
      if (Math.abs(sums[c]) > threshold * area) {
        rowsChanged[(y0 / TILE) | 0] = true;
        break;
      }
    }
    // The columns past the last whole cell, compared pixel by pixel.
    for (let y = y0; y < y1 && !rowsChanged[(y0 / TILE) | 0]; y++) {
      for (let x = cellsX * CELL; x < width; x++) {
        if (Math.abs(frame.data[y * width + x] - seen.data[y * width + x]) > threshold) rowsChanged[(y0 / TILE) | 0] = true;
      }
    }
  }
  const bands: Box[] = [];
  for (let ty = 0; ty < rowsChanged.length; ty++) {
    if (!rowsChanged[ty]) continue;
    let end = ty;
    while (end + 1 < rowsChanged.length && rowsChanged[end + 1]) end++;
    let top = Math.max(0, ty * TILE - CONTEXT_PX);
    let bottom = Math.min(height, (end + 1) * TILE + CONTEXT_PX);
    const highest = Math.max(0, top - QUIET_SEARCH_PX);
    const lowest = Math.min(height - 1, bottom - 1 + QUIET_SEARCH_PX);
    for (let y = top; y > highest && !quietRow(frame, y, 0, width); y--) top = y - 1;
    for (let y = bottom - 1; y < lowest && !quietRow(frame, y, 0, width); y++) bottom = y + 2;
    const last = bands[bands.length - 1];
    if (last && top <= last.y + last.h) {
      const y = Math.min(last.y, top);
      last.h = Math.max(last.y + last.h, bottom) - y;
      last.y = y;
    } else {
      bands.push({ x: 0, y: top, w: width, h: bottom - top });
    }
    ty = end;
  }
  return bands;
}

/**
 * The frames, in order: by seeking to each when they are few and far apart (a decode from
 * the keyframe before each), else by one decoding pass that keeps the selected ones.
 */
function decodeFrames(path: string, info: VideoInfo, frames: number[], signal?: AbortSignal) {
  const sparse = frames.length <= 16 && info.frameCount / frames.length > 300;
  let current: { kill: () => void } | undefined;
  let work: string | undefined;
  async function* generate(): AsyncGenerator<GreyFrame> {
    if (sparse) {
      for (const n of frames) {
        const decoder = streamFfmpeg(seekFrameJob(path, info, n), { signal });
        current = decoder;
        yield* readGreyFrames(decoder.output, info.width, info.height, [n]);
        await decoder.done;
      }
      return;
    }
    work = await mkdtemp(join(tmpdir(), 'veil-verify-'));
    const script = join(work, 'select.filter');
    await writeFile(script, selectFramesFilter(frames), { mode: 0o600 });
    const decoder = streamFfmpeg(selectedFramesJob(path, info, script, frames.length), { signal });
    current = decoder;
    yield* readGreyFrames(decoder.output, info.width, info.height, frames);
    await decoder.done;
  }
  return {
    frames: generate(),
    stop: () => current?.kill(),
    cleanup: async () => {
      if (work) await rm(work, { recursive: true, force: true });
    },
  };
}

/**
 * Frames to verify a redaction on: the first and last frame of every PII track, and
 * frames midway between the frames the analysis read (which verification must not reuse),
 * thinned evenly to at most `max`.
 */
export function verificationFrames(
  readFrames: readonly number[],
  trackBounds: ReadonlyArray<[number, number]>,
  frameCount: number,
  max: number,
): number[] {
  const read = new Set(readFrames);
  const points = [0, ...[...read].sort((a, b) => a - b), frameCount - 1];
  const mids: number[] = [];
  for (let i = 1; i < points.length; i++) {
    const m = Math.floor((points[i - 1] + points[i]) / 2);
    if (!read.has(m)) mids.push(m);
  }
  const bounds = trackBounds.flatMap(([a, b]) => [a, b]);
  const unique = [...new Set([...mids, ...bounds])].filter((n) => n >= 0 && n < frameCount && !read.has(n)).sort((a, b) => a - b);
  if (unique.length <= max) return unique;
  const step = unique.length / max;
  return Array.from({ length: max }, (_, i) => unique[Math.floor(i * step)]);
}

/**
 * For each cut (the first frame of a segment joined to the one before it): the last frame
 * before it and the cut frame itself, or where the analysis read one of them, the nearest
 * frame on the same side it did not read (at most `reach` frames away; failing that, the
 * frame next to the cut all the same: what is checked there is the join, not the read).
 * Where segments are joined, a mask that ends a frame early or starts a frame late shows on
 * just these frames, which an even sample would almost never hit.
 */
export function framesAroundCuts(cuts: readonly number[], readFrames: readonly number[], frameCount: number, reach = 4): number[] {
  const read = new Set(readFrames);
  const out = new Set<number>();
  const nearest = (from: number, step: number) => {
    for (let n = from, k = 0; k < reach && n >= 0 && n < frameCount; n += step, k++) if (!read.has(n)) return n;
    return from;
  };
  for (const cut of cuts) {
    if (cut <= 0 || cut >= frameCount) continue;
    out.add(nearest(cut - 1, -1));
    out.add(nearest(cut, 1));
  }
  return [...out].sort((a, b) => a - b);
}

/** Evenly spaced frames every `everySec`, or `count` frames drawn with a seeded generator. */
export function sampleFrames(info: VideoInfo, how: { everySec?: number; count?: number; seed?: number }): number[] {
  if (how.count !== undefined) {
    let state = (how.seed ?? 1) >>> 0 || 1;
    const next = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 4294967296;
    };
    const picked = new Set<number>();
    const want = Math.min(how.count, info.frameCount);
    while (picked.size < want) picked.add(Math.floor(next() * info.frameCount));
    return [...picked].sort((a, b) => a - b);
  }
  const step = Math.max(1, Math.round((how.everySec ?? 2) * info.fps));
  const out: number[] = [];
  for (let n = Math.floor(step / 2); n < info.frameCount; n += step) out.push(n);
  return out.length ? out : [0];
}
