/**
 * Analysis in two decoding passes, both streamed:
 * 1. every frame, reduced 4x, through the ChangeTracker: which regions changed, when they
 *    settled, and what must be read on which frame (a recording that shows one screen for
 *    ten minutes asks for about one read);
 * 2. only the frames with reads, full size, whose bands go to OCR.
 * Piping every full frame through Node would cost more than decoding it twice.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { BadInputError, TransientError } from '../errors.js';
import {
  type FfmpegJob,
  reducedFramesJob,
  regionColumnsJob,
  regionFullJob,
  regionRowsJob,
  sampledGreyFramesJob,
  sampleFrameIndices,
  sampleStep,
  selectedFramesJob,
  selectFramesFilter,
} from '../media/ffmpeg-args.js';
import { streamFfmpeg } from '../media/ffmpeg.js';
import { readGreyFrames } from '../media/frames.js';
import type { VideoInfo } from '../media/video-info.js';
import type { GreyImage, OcrEngine, OcrLine } from '../ocr/types.js';
import { recognizeReadable } from '../ocr/upscale.js';
import type { Box } from '../pii/types.js';
import { CELL, ChangeTracker, TILE, type ChangingSpan, type ReadRequest, type ReadWindow } from './changes.js';
import { estimateDrift, MotionFollower, rowProfile, transposeBox, transposed, transposeValues, undriftQuarter, type MotionEpisode } from './motion.js';
import { edgePxFor, readsDuring } from '../plan/motion.js';
import { unionBox } from '../pii/detect.js';
import { borderMedian, edgeStrips, eraseRules, flattenBackground, sideStrips, trimBlankRows, trimToQuietRows, unreadInk } from './image.js';

/** One OCR read of a region on one frame. */
export interface ReadEvent {
  frame: number;
  box: Box;
  /** Lines in frame coordinates; each word's `background` is set. */
  lines: OcrLine[];
  /** The frames over which what this read found in a box stayed on screen. */
  window: Pick<ReadWindow, 'span'>;
  /** Regions of this read that scrolled into place. */
  motion?: MotionEpisode[];
  /** Regions this read saw while they scrolled. */
  carry?: MotionEpisode[];
  /** Text cut by the frame's border in this read's region (a line at the top or bottom, a cell at the left or right): masked whole while it stays. */
  edges?: Array<{ box: Box; fill: number; side?: 'left' | 'right' }>;
}

/** A region to read on one frame: from the change tracker, or taken while a region scrolled. */
type RegionRead = Pick<ReadRequest, 'frame' | 'box' | 'reuse' | 'reuseParts' | 'motion'> & {
  window: Pick<ReadWindow, 'span'>;
  carry?: MotionEpisode[];
};

export interface ChangingRegion extends ChangingSpan {
  /** Grey level around the region on the frame it settled. */
  fill: number;
}

export interface AnalyseResult {
  reads: ReadEvent[];
  changing: ChangingRegion[];
  /** Regions whose scrolling was followed frame by frame. */
  motion: MotionEpisode[];
  frameCount: number;
  height: number;
  ocrCount: number;
  ocrPixels: number;
  /** Analysed in segments (see segments.ts): the first frame of each after the first. */
  cuts?: number[];
}

export interface AnalyseOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  workers: number;
}

export function crop(frame: GreyImage, box: Box): GreyImage {
  const data = Buffer.allocUnsafe(box.w * box.h);
  for (let y = 0; y < box.h; y++) {
    const from = (box.y + y) * frame.width + box.x;
    frame.data.copy(data, y * box.w, from, from + box.w);
  }
  return { width: box.w, height: box.h, data };
}

function offsetLines(lines: OcrLine[], dx: number, dy: number): OcrLine[] {
  const move = (b: Box) => ({ ...b, x: b.x + dx, y: b.y + dy });
  return lines.map((l) => ({ ...l, box: move(l.box), words: l.words.map((w) => ({ ...w, box: move(w.box) })) }));
}

const scaleDown = (b: Box): Box => ({
  x: Math.floor(b.x / CELL),
  y: Math.floor(b.y / CELL),
  w: Math.max(1, Math.floor(b.w / CELL)),
  h: Math.max(1, Math.floor(b.h / CELL)),
});

/** Pass 1: change tracking over every reduced frame. */
async function trackChanges(path: string, info: VideoInfo, config: Config, options: AnalyseOptions) {
  const tracker = new ChangeTracker({
    width: info.width,
    height: info.height,
    threshold: config.analysis.changeThreshold,
    settleFrames: Math.max(1, Math.round(config.analysis.settleSec * info.fps)),
    burstGap: Math.max(1, Math.round(config.analysis.burstGapSec * info.fps)),
  });
  const total = info.frameCount;
  const decoder = streamFfmpeg(reducedFramesJob(path, info), { signal: options.signal });
  const requests: ReadRequest[] = [];
  const changing: ChangingRegion[] = [];
  const margin = 1;
  let frames = 0;
  try {
    const indices = Array.from({ length: total }, (_, i) => i);
    for await (const small of readGreyFrames(decoder.output, tracker.cols, tracker.rows, indices)) {
      const update = tracker.update(small.index, small.data, tracker.cols, small.index === total - 1);
      requests.push(...update.reads);
      for (const span of update.changing) {
        changing.push({ ...span, fill: borderMedian(small, scaleDown(span.box), margin) });
      }
      frames++;
      if (frames % 30 === 0) options.onProgress?.(frames, total * 2);
    }
    await decoder.done;
  } catch (err) {
    decoder.kill();
    throw err;
  }
  if (frames !== total) {
    throw new BadInputError(`the video is damaged: ${frames} of ${total} frames could be decoded`);
  }
  for (const span of tracker.finish(total - 1)) changing.push({ ...span, fill: 128 });
  return { requests, changing };
}

/** Regions that changed are followed only if at least this long along their motion and two tiles across, and this many frames. */
const MIN_MOTION_PX = 4 * TILE;
const MIN_MOTION_FRAMES = 3;
/**
 * Most of a sideways episode's region left unexplained (masked whole) on a typical frame
 * (the median) for it to be followed. A scroll leaves scattered tiles, and on a frame or
 * two the whole region when the encoder smeared the text moving fastest; a zoom leaves a
 * tenth of the region and more on every frame while it moves.
 */
const MAX_SIDEWAYS_UNEXPLAINED = 0.03;

/**
 * Between the passes: each region that changed over several frames is decoded again over
 * them and its motion measured, up and down first, then sideways; one that did not move
 * as a whole fails on its first frame or two.
 * Where it is followed on every frame, the read that ended it learns where its content
 * was before, and only the tiles the motion did not explain stay masked whole; otherwise
 * the region stays masked whole while it changed.
 */
async function followScrolls(
  path: string,
  info: VideoInfo,
  config: Config,
  changing: ChangingRegion[],
  options: AnalyseOptions,
): Promise<{ changing: ChangingRegion[]; motion: MotionEpisode[] }> {
  const out: ChangingRegion[] = [];
  const motion: MotionEpisode[] = [];
  for (const changed of changing) {
    // In a segment's lead-in (see segments.ts) a region changing from the first frame on
    // was most likely changing before it: it is followed from its second frame, the first
    // its reference (the lead-in's frames are the segment before's to mask).
    const span = changed.from === 0 && changed.to >= 1 && (info.segment?.lead ?? 0) > 0 ? { ...changed, from: 1 } : changed;
    const { w, h } = span.box;
    const worth = span.from >= 1 && span.to - span.from + 1 >= MIN_MOTION_FRAMES;
    let episode: MotionEpisode | undefined;
    if (worth && h >= MIN_MOTION_PX && w >= 2 * TILE && w % 4 === 0) episode = await followScroll(path, info, config, span, false, options);
    // A sideways move can pass for a vertical one that leaves much unexplained (blank tiles
    // match anywhere): the way that explains more wins. Sideways, moved text is matched with
    // a tolerance (see testShift) that parts of a zoom also pass: a zoom leaves more of the
    // region unexplained than a scroll's scattered tiles, and stays masked whole.
    if (worth && w >= MIN_MOTION_PX && h >= 2 * TILE && h % 4 === 0 && (!episode || unexplainedShare(episode) > 0.02)) {
      const sideways = await followScroll(path, info, config, span, true, options);
      const share = sideways ? typicalUnexplained(sideways) : Infinity;
      if (share <= MAX_SIDEWAYS_UNEXPLAINED && (!episode || share < typicalUnexplained(episode))) episode = sideways;
      // Neither way explains it well: a sideways move that also drifts up or down (a sheet
      // scrolled across and a little down), measured on the full-size region.
      if (!episode || unexplainedShare(episode) > 0.02) {
        const drifting = await followDrifting(path, info, config, span, options);
        if (drifting && typicalUnexplained(drifting) <= MAX_SIDEWAYS_UNEXPLAINED && (!episode || unexplainedShare(drifting) < unexplainedShare(episode))) episode = drifting;
      }
    }
    if (!episode) {
      out.push(changed);
      continue;
    }
    const [start, size, frame] = episode.axis === 'x' ? [span.box.x, span.box.w, info.width] : [span.box.y, span.box.h, info.height];
    episode.borders = { start: start === 0, end: start + size === frame };
    motion.push(episode);
    if (span.read) (span.read.motion ??= []).push(episode);
    for (const u of episode.unexplained) out.push({ ...u, fill: span.fill });
  }
  return { changing: out, motion };
}

/** The median over an episode's frames of the share of its region the motion did not explain. */
function typicalUnexplained(e: MotionEpisode): number {
  const shares = [...(e.unexplainedByFrame ?? [unexplainedShare(e)])].sort((a, b) => a - b);
  return shares[Math.floor(shares.length / 2)];
}

/** Share of an episode's region and frames that its motion did not explain (masked whole). */
function unexplainedShare(e: MotionEpisode): number {
  const frames = e.until - e.since + 1;
  const masked = e.unexplained.reduce((sum, u) => sum + u.box.w * u.box.h * (u.to - u.from + 1), 0);
  return masked / (e.box.w * e.box.h * frames);
}

/** The frames a region's motion is followed over: from the one before it changed to the last it changed on. */
const followedFrames = (span: ChangingSpan) => ({ first: span.from - 1, count: span.to - span.from + 2 });

/**
 * Decodes `job` (the region's followedFrames, `width` x `height` values each) and follows
 * each frame's `values` with a MotionFollower on `box`; undefined unless every frame was
 * followed (anything short of that: the region stays masked whole).
 */
async function followFrames(
  job: FfmpegJob,
  width: number,
  height: number,
  span: ChangingRegion,
  box: Box,
  sideways: boolean,
  values: (data: Uint8Array) => Uint8Array,
  config: Config,
  options: AnalyseOptions,
): Promise<MotionEpisode | undefined> {
  const { first, count } = followedFrames(span);
  const decoder = streamFfmpeg(job, { signal: options.signal });
  let follower: MotionFollower | undefined;
  let k = 0;
  try {
    const indices = Array.from({ length: count }, (_, i) => first + i);
    for await (const frame of readGreyFrames(decoder.output, width, height, indices)) {
      k++;
      const v = values(frame.data);
      if (!follower) follower = new MotionFollower(box, span.from, config.analysis.changeThreshold, v, sideways);
      else if (!follower.push(frame.index, v)) break;
    }
    if (follower?.ok) await decoder.done;
  } finally {
    decoder.kill();
  }
  if (!follower?.ok || k !== count) return undefined;
  return follower.episode(span.to, span.fill, span.read !== undefined);
}

/**
 * Follows one region's motion up and down, or (`sideways`) left and right: decoded at full
 * width and a quarter of the height, transposed, it is followed as a vertical motion.
 */
async function followScroll(
  path: string,
  info: VideoInfo,
  config: Config,
  span: ChangingRegion,
  sideways: boolean,
  options: AnalyseOptions,
): Promise<MotionEpisode | undefined> {
  const { first, count } = followedFrames(span);
  const { box } = span;
  const [width, height] = sideways ? [box.w, box.h / 4] : [box.w / 4, box.h];
  const job = (sideways ? regionColumnsJob : regionRowsJob)(path, info, box, first, count);
  const values = sideways ? (data: Uint8Array) => transposeValues(data, width, height) : (data: Uint8Array) => data;
  const episode = await followFrames(job, width, height, span, sideways ? transposeBox(box) : box, sideways, values, config, options);
  return episode && sideways ? transposed(episode) : episode;
}

/** The most a sideways move may drift up or down over its episode and still be followed. */
const MAX_DRIFT_PX = 48;
/** How far the drift may change from one frame to the next. */
const DRIFT_STEP_PX = 12;

/**
 * Follows a region's sideways motion while it drifts a little up or down: decoded at full
 * size, each frame's drift is measured by its rows' ink (see estimateDrift) and taken off
 * before the frame is reduced and followed as followScroll follows a sideways move. The
 * tile test on the compensated frame vouches for both. What came in across the top or
 * bottom edge with the drift is masked whole over the episode, the tiles the motion did
 * not explain as far again as the drift reached, and the masks that move with the content
 * are as much wider across (crossPx).
 */
async function followDrifting(path: string, info: VideoInfo, config: Config, span: ChangingRegion, options: AnalyseOptions): Promise<MotionEpisode | undefined> {
  const { first, count } = followedFrames(span);
  const { box } = span;
  let anchor: Float64Array | undefined;
  let drift = 0;
  let lo = 0;
  let hi = 0;
  const undrifted = (data: Uint8Array) => {
    const profile = rowProfile(data, box.w, box.h);
    if (anchor) drift = estimateDrift(anchor, profile, drift, DRIFT_STEP_PX, MAX_DRIFT_PX);
    else anchor = profile;
    lo = Math.min(lo, drift);
    hi = Math.max(hi, drift);
    return transposeValues(undriftQuarter(data, box.w, box.h, drift), box.w, box.h / 4);
  };
  const found = await followFrames(regionFullJob(path, info, box, first, count), box.w, box.h, span, transposeBox(box), true, undrifted, config, options);
  if (!found || (lo === 0 && hi === 0)) return undefined;
  const episode = transposed(found);
  const reach = Math.max(hi, -lo);
  const within = (b: Box): Box => {
    const y0 = Math.max(box.y, b.y - reach);
    return { ...b, y: y0, h: Math.min(box.y + box.h, b.y + b.h + reach) - y0 };
  };
  const { since, until } = episode;
  episode.unexplained = [
    ...episode.unexplained.map((u) => ({ ...u, box: within(u.box) })),
    ...(hi > 0 ? [{ from: since, to: until, box: { x: box.x, y: box.y, w: box.w, h: Math.min(box.h, hi + TILE) } }] : []),
    ...(lo < 0 ? [{ from: since, to: until, box: { x: box.x, y: box.y + box.h - Math.min(box.h, TILE - lo), w: box.w, h: Math.min(box.h, TILE - lo) } }] : []),
  ];
  episode.crossPx = hi - lo + 2;
  return episode;
}

/**
 * Reads taken while regions scrolled, so that every line that went through was read whole
 * at least twice: the rows of the region, the full width, on the frames `readsDuring` picks.
 * Regions that moved together (columns of one pane) share them.
 */
function readsWhileScrolling(motion: MotionEpisode[], info: VideoInfo): RegionRead[] {
  const byKey = new Map<string, RegionRead & { carry: MotionEpisode[] }>();
  for (const e of motion) {
    e.readsAt = readsDuring(e, edgePxFor(info.height, e.axis));
    for (const frame of e.readsAt) {
      const key = `${frame}:${e.box.y}:${e.box.h}`;
      const read = byKey.get(key) ?? byKey.set(key, {
        frame,
        box: { x: 0, y: e.box.y, w: info.width, h: e.box.h },
        window: { span: () => ({ from: frame, to: frame }) },
        carry: [],
      }).get(key)!;
      read.carry.push(e);
    }
  }
  // A region followed from a segment's lead-in (see followScrolls) was moving when the
  // segment began: what it showed then was never read before it moved on, so it is read on
  // the first frame, the one its motion is measured from.
  for (const e of info.segment?.lead ? motion.filter((m) => m.since === 1) : []) {
    const key = `0:${e.box.y}:${e.box.h}`;
    const read = byKey.get(key) ?? byKey.set(key, {
      frame: 0,
      box: { x: 0, y: e.box.y, w: info.width, h: e.box.h },
      window: { span: () => ({ from: 0, to: 0 }) },
      carry: [],
    }).get(key)!;
    if (!read.carry.includes(e)) read.carry.push(e);
  }
  return [...byKey.values()];
}

/**
 * Sets each word's background (the median of the ring around its box) and takes the rows
 * with no ink off the top and bottom of its box, so its mask does not reach the next row.
 */
function settleWords(image: GreyImage, lines: OcrLine[], margin: number): void {
  for (const word of lines.flatMap((l) => l.words)) {
    word.background = borderMedian(image, word.box, margin);
    word.box = trimBlankRows(image, word.box, word.background);
  }
}

/**
 * A read leaves this many text-like tiles (16 px), and this share of them, with no word on
 * them before it is read again with its backgrounds flattened (see flattenBackground).
 */
const UNREAD_INK_TILES = 24;
const UNREAD_INK_SHARE = 0.25;
/** Lines skipped whole by a read that are read on their own, the widest first. */
const MAX_SKIPPED_LINES = 12;

/** Pass 2: the frames with reads, full size; their bands are OCR'd in the pool. */
async function readRegions(
  path: string,
  info: VideoInfo,
  config: Config,
  ocr: OcrEngine,
  requests: RegionRead[],
  options: AnalyseOptions,
): Promise<{ reads: ReadEvent[]; ocrPixels: number }> {
  if (requests.length === 0) return { reads: [], ocrPixels: 0 };
  const fresh = requests.filter((r) => !r.reuse);
  const frames = [...new Set(fresh.map((r) => r.frame))].sort((a, b) => a - b);
  const byFrame = new Map<number, RegionRead[]>();
  for (const r of fresh) (byFrame.get(r.frame) ?? byFrame.set(r.frame, []).get(r.frame)!).push(r);
  const events = new Map<RegionRead, Promise<ReadEvent>>();
  const upscale = { minTextHeight: config.analysis.minTextHeight, maxScale: config.analysis.maxUpscale };
  const margin = Math.max(2, config.mask.padding);
  const jobs: Array<Promise<ReadEvent>> = [];
  const inFlight = new Set<Promise<unknown>>();
  let ocrPixels = 0;
  let done = 0;

  const read = async (image: GreyImage, box: Box, request: RegionRead): Promise<ReadEvent> => {
    const result = await recognizeReadable(ocr, image, upscale);
    // Much text-like ink with no word on it: the image is read again with its backgrounds
    // flattened and its rules erased (a dialog's edge against a row), and the lines found
    // only then are added.
    const first = result.lines.flatMap((l) => l.words.map((w) => w.box));
    const missed = unreadInk(image, first);
    /** Adds the lines of `found` (read at `dx`, `dy` in the image) that the readings so far did not have. */
    const addNew = (found: OcrLine[], dx = 0, dy = 0) => {
      const known = result.lines.flatMap((l) => l.words.map((w) => w.box));
      for (const line of offsetLines(found, dx, dy)) {
        const words = line.words.filter((w) => !known.some((b) => overlaps(b, w.box)));
        if (words.length) result.lines.push({ ...line, words, box: unionBox(words.map((w) => w.box)) });
      }
    };
    if (missed.tiles >= UNREAD_INK_TILES && missed.share >= UNREAD_INK_SHARE) {
      addNew((await recognizeReadable(ocr, eraseRules(flattenBackground(image)), upscale)).lines);
    }
    // A line still skipped whole is read on its own (a crop of it and a little around).
    const skipped = unreadInk(image, result.lines.flatMap((l) => l.words.map((w) => w.box))).lines;
    for (const line of skipped.sort((a, b) => b.w - a.w).slice(0, MAX_SKIPPED_LINES)) {
      const x = Math.max(0, line.x - TILE / 2);
      const cut = { x, y: line.y, w: Math.min(image.width, line.x + line.w + TILE / 2) - x, h: line.h };
      addNew((await recognizeReadable(ocr, crop(image, cut), upscale)).lines, cut.x, cut.y);
    }
    settleWords(image, result.lines, margin);
    const heights = result.lines.map((l) => l.box.h).sort((a, b) => a - b);
    const lineHeight = heights.length ? heights[heights.length >> 1] : 2 * config.analysis.minTextHeight;
    const strip = (e: Box, side?: 'left' | 'right') => ({
      box: { x: e.x + box.x, y: e.y + box.y, w: e.w, h: e.h },
      fill: borderMedian(image, e, margin),
      ...(side ? { side } : {}),
    });
    const edges = [
      ...edgeStrips(image, lineHeight, { top: box.y === 0, bottom: box.y + box.h === info.height }).map((e) => strip(e)),
      ...sideStrips(image, lineHeight, { left: box.x === 0, right: box.x + box.w === info.width }).map((e) =>
        strip(e, e.x === 0 ? 'left' : 'right'),
      ),
    ];
    return { frame: request.frame, box, lines: offsetLines(result.lines, box.x, box.y), window: request.window, motion: request.motion, carry: request.carry, ...(edges.length ? { edges } : {}) };
  };

  // The first read of every band is fresh, so there is always a frame to decode.
  if (frames.length === 0) throw new TransientError('no frame to read');
  const work = await mkdtemp(join(tmpdir(), 'veil-select-'));
  const script = join(work, 'select.filter');
  await writeFile(script, selectFramesFilter(frames), { mode: 0o600 });
  const decoder = streamFfmpeg(selectedFramesJob(path, info, script, frames.length), { signal: options.signal });
  try {
    let count = 0;
    for await (const frame of readGreyFrames(decoder.output, info.width, info.height, frames)) {
      count++;
      for (const request of byFrame.get(frame.index)!) {
        const box = trimToQuietRows(frame, request.box, 2 * TILE);
        const image = crop(frame, box);
        ocrPixels += image.width * image.height;
        const job = read(image, box, request);
        jobs.push(job);
        events.set(request, job);
        const tracked = job.then(
          () => options.onProgress?.(info.frameCount + Math.round((++done / requests.length) * info.frameCount), info.frameCount * 2),
          () => {},
        );
        inFlight.add(tracked);
        void tracked.finally(() => inFlight.delete(tracked));
      }
      while (inFlight.size >= options.workers * 2) await Promise.race(inFlight);
    }
    await decoder.done;
    if (count !== frames.length) {
      throw new TransientError(`the second decoding returned ${count} of ${frames.length} frames`);
    }
  } catch (err) {
    decoder.kill();
    await Promise.allSettled(jobs);
    throw err;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  // Reads of bands that came back to what was read before take their text from those
  // reads, each only in the rows it stands for (reads that overlap give no word twice).
  for (const request of requests) {
    if (!request.reuse) continue;
    const parts = request.reuseParts ?? request.reuse.map((source) => ({ source, box: request.box }));
    const sources = parts.map((p) => events.get(p.source));
    if (sources.some((p) => !p)) throw new TransientError('a reused read has no source');
    const job = Promise.all(sources as Array<Promise<ReadEvent>>).then((found) => ({
      frame: request.frame,
      box: request.box,
      lines: found.flatMap((e, i) => linesWithin(e.lines, parts[i].box)),
      edges: found.flatMap((e, i) => (e.edges ?? []).filter((edge) => overlaps(edge.box, parts[i].box))),
      window: request.window,
      motion: request.motion,
    }));
    events.set(request, job);
    jobs.push(job);
  }
  return { reads: await Promise.all(jobs), ocrPixels };
}

const overlaps = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** The words of `lines` whose centre lies in `box`, as lines. */
function linesWithin(lines: OcrLine[], box: Box): OcrLine[] {
  const inside = (b: Box) => {
    const cx = b.x + b.w / 2;
    const cy = b.y + b.h / 2;
    return cx >= box.x && cx < box.x + box.w && cy >= box.y && cy < box.y + box.h;
  };
  return lines
    .map((l) => ({ ...l, words: l.words.filter((w) => inside(w.box)) }))
    .filter((l) => l.words.length > 0);
}

/**
 * The naive analysis, kept as the bench's yardstick: whole frames OCR'd at a fixed rate,
 * each finding masked from the analysed frame before it to the one after it. It misses
 * what appears and goes between two analysed frames, and reads unchanged screens again.
 */
async function analyseNaively(path: string, info: VideoInfo, config: Config, ocr: OcrEngine, options: AnalyseOptions): Promise<AnalyseResult> {
  const step = sampleStep(info, config.analysis.naiveIntervalSec);
  const frames = sampleFrameIndices(info.frameCount, step);
  const upscale = { minTextHeight: config.analysis.minTextHeight, maxScale: config.analysis.maxUpscale };
  const margin = Math.max(2, config.mask.padding);
  const decoder = streamFfmpeg(sampledGreyFramesJob(path, info, step), { signal: options.signal });
  const jobs: Array<Promise<ReadEvent>> = [];
  const inFlight = new Set<Promise<unknown>>();
  const last = info.frameCount - 1;
  let k = 0;
  try {
    for await (const frame of readGreyFrames(decoder.output, info.width, info.height, frames)) {
      const i = k++;
      const span = { from: i === 0 ? 0 : frames[i - 1], to: i === frames.length - 1 ? last : frames[i + 1] };
      const job = recognizeReadable(ocr, frame, upscale).then((result) => {
        settleWords(frame, result.lines, margin);
        const box = { x: 0, y: 0, w: info.width, h: info.height };
        return { frame: frame.index, box, lines: result.lines, window: { span: () => span } };
      });
      jobs.push(job);
      const tracked = job.then(() => options.onProgress?.(i + 1, frames.length), () => {});
      inFlight.add(tracked);
      void tracked.finally(() => inFlight.delete(tracked));
      while (inFlight.size >= options.workers * 2) await Promise.race(inFlight);
    }
    await decoder.done;
  } catch (err) {
    decoder.kill();
    await Promise.allSettled(jobs);
    throw err;
  }
  const reads = await Promise.all(jobs);
  const ocrPixels = reads.length * info.width * info.height;
  return { reads, changing: [], motion: [], frameCount: info.frameCount, height: info.height, ocrCount: reads.length, ocrPixels };
}

export async function analyseVideo(
  path: string,
  info: VideoInfo,
  config: Config,
  ocr: OcrEngine,
  options: AnalyseOptions,
): Promise<AnalyseResult> {
  if (config.analysis.mode === 'naive') return analyseNaively(path, info, config, ocr, options);
  const tracked = await trackChanges(path, info, config, options);
  const { changing, motion } = await followScrolls(path, info, config, tracked.changing, options);
  const requests = [...tracked.requests, ...readsWhileScrolling(motion, info)];
  const { reads, ocrPixels } = await readRegions(path, info, config, ocr, requests, options);
  options.onProgress?.(1, 1);
  return { reads, changing, motion, frameCount: info.frameCount, height: info.height, ocrCount: reads.length, ocrPixels };
}
