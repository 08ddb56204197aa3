/**
 * `redactVideo`: probe, analyse, detect, plan, render, then publish the output and its
 * manifest together. Nothing appears at the output path unless every stage succeeded:
 * the video is rendered under a temporary name beside it and renamed at the end.
 */
import { mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ocrWorkerCount, renderPartCount, type Config } from '../config.js';
import { findPiiInFrames, framesAroundCuts, verificationFrames, type RawFinding } from '../verify/verify.js';
import { TransientError, VerificationError } from '../errors.js';
import { ManifestSchema, maskedForms, type Manifest } from '../manifest.js';
import { checkFfmpegCapabilities } from '../media/ffmpeg.js';
import { probeVideo } from '../media/probe.js';
import type { VideoInfo } from '../media/video-info.js';
import type { OcrEngine, OcrWord } from '../ocr/types.js';
import { createTesseractEngine } from '../ocr/tesseract.js';
import { detectLines, normalizeValue, patternRows, within, type DetectOptions } from '../pii/detect.js';
import type { Box, PiiType } from '../pii/types.js';
import { carryFrom, edgePxFor, movedAlong, readOnTheWay, segmentPxFor, unionOverlapping, unreadAtRest, unreadPieces, type MovingPiece } from '../plan/motion.js';
import { planMasks, type MaskPiece, type MaskTrack } from '../plan/plan.js';
import { fsyncFile, sha256File, temporaryNameFor, writeFileAtomic } from '../util/fs.js';
import { VERSION } from '../version.js';
import { analyseVideo, type AnalyseOptions, type AnalyseResult, type ReadEvent } from './analyse.js';
import { renderInParts, type Rendered } from './render.js';
import { analyseInSegments, segmentsOf } from './split.js';
import { TILE } from './changes.js';
import type { MotionEpisode } from './motion.js';
import { checkAllowed, checkOutput, checkSideFile } from './paths.js';

export type Stage = 'probe' | 'analyse' | 'render' | 'verify' | 'finalise';

export interface Progress {
  stage: Stage;
  /** 0..1 of the whole job. */
  fraction: number;
}

export interface RedactRequest {
  input: string;
  output: string;
  /** Defaults to `<output>.manifest.json`. */
  manifest?: string;
  config: Config;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

export interface RedactDeps {
  /** Makes the OCR engine; the real one is a tesseract.js pool. */
  createOcr?: (workers: number) => Promise<OcrEngine & { modelVersion?: string }>;
  /** The resident size past which the OCR engine is made afresh before a render (RECYCLE_OCR_RSS). */
  recycleOcrAbove?: number;
  /**
   * The analysis, when it was done elsewhere (segments analysed by other workers, joined);
   * otherwise it is done here, whole or in segments (config.analysis.segmentSec).
   */
  analyse?: (input: string, info: VideoInfo, options: AnalyseOptions) => Promise<AnalyseResult>;
  /**
   * The first render, when its segments were rendered elsewhere: joins them into `partial`
   * and says, as renderInParts does, how many it joined and where, or nothing (they drew
   * other masks, or would not join) for the render to be done here.
   */
  renderJoined?: (args: { input: string; partial: string; info: VideoInfo; tracks: MaskTrack[]; episodes: readonly MotionEpisode[]; container: string; work: string; signal?: AbortSignal }) => Promise<Rendered | undefined>;
}

export interface RedactResult {
  output: string;
  manifestPath: string;
  manifest: Manifest;
}

const WEIGHTS: Record<Stage, [number, number]> = {
  probe: [0, 0.02],
  analyse: [0.02, 0.5],
  render: [0.5, 0.8],
  verify: [0.8, 0.98],
  finalise: [0.98, 1],
};

let ffmpegChecked: Promise<void> | undefined;

export function detectOptions(config: Config): DetectOptions {
  return {
    entities: config.detection.entities,
    allowList: config.detection.allowList,
    minConfidence: config.detection.minConfidence,
    extraPatterns: config.detection.extraPatterns.map((p) => ({
      type: p.type,
      regex: new RegExp(p.pattern, p.flags),
      confidence: p.confidence,
    })),
    extraLabels: config.detection.extraLabels,
  };
}

function backgroundOf(words: OcrWord[]): number {
  const levels = words.map((w) => w.background ?? 128).sort((a, b) => a - b);
  return levels[Math.floor(levels.length / 2)] ?? 128;
}

/**
 * Detection over every read of the recording, in two passes: the first finds PII by
 * pattern and label; the second also masks every other occurrence of a value found
 * anywhere. Each detection is masked over the frames its read says it stayed on screen;
 * regions that were changing are masked whole while they changed.
 */
/** A value found outside the reads (by verification), at one frame. */
export interface FoundElsewhere {
  frame: number;
  box: Box;
  type: PiiType;
  detector: string;
  confidence: number;
  value: string;
}

export function maskPieces(
  analysis: AnalyseResult,
  options: DetectOptions,
  extraKnown?: ReadonlyMap<string, PiiType>,
  foundElsewhere: readonly FoundElsewhere[] = [],
): MaskPiece[] {
  const last = analysis.frameCount - 1;
  const known = new Map<string, PiiType>(extraKnown ?? []);
  // The patterns' findings per read, for both passes.
  const found = new Map(analysis.reads.map((r) => [r, patternRows(r.lines, options)]));
  for (const r of analysis.reads) {
    for (const d of detectLines(found.get(r)!, options)) known.set(normalizeValue(d.value), d.type);
  }
  const episodes = analysis.motion;
  const pieces: MaskPiece[] = [];
  const moving = new Map<MotionEpisode, MaskPiece[]>();
  /** The read taken where each scroll stopped. */
  const settledBy = new Map<MotionEpisode, ReadEvent>();
  for (const r of analysis.reads as ReadEvent[]) for (const e of r.motion ?? []) settledBy.set(e, r);
  for (const r of analysis.reads as ReadEvent[]) {
    for (const d of detectLines(found.get(r)!, options, known)) {
      const piece: MaskPiece = {
        kind: 'pii',
        ...r.window.span(d.box, last),
        box: headless(d),
        types: [d.type],
        detectors: [d.detector],
        confidence: d.confidence,
        fill: backgroundOf(d.words),
        values: [d.value],
      };
      const carried = (episode: MotionEpisode, found: MovingPiece[]) => {
        const list = moving.get(episode) ?? moving.set(episode, []).get(episode)!;
        for (const m of found) list.push({ ...piece, ...m, detectors: [d.detector, 'motion'], motion: true, episode: episodes.indexOf(episode) });
      };
      // Carried to where the scroll stopped, it stays there. A row that came to rest half
      // under the pane's edge is not read whole there, yet what was read of it before or on
      // the way is PII.
      const stays = (episode: MotionEpisode, found: MovingPiece[]) => {
        const rest = found.find((m) => m.to === episode.until);
        const settle = episode.settled ? settledBy.get(episode) : undefined;
        if (!rest || !settle) return;
        const moved = clipTo(movedAlong(rest.box, rest.axis, rest.path?.[rest.path.length - 1] ?? 0), episode.box);
        // An episode that never moved was followed as a dimming in place (see MotionFollower).
        const box = moved && (episode.offsets.every((o) => o === 0) ? shownAt(moved, episode) : moved);
        if (!box) return;
        const span = settle.window.span(box, last);
        pieces.push({ ...piece, from: Math.max(span.from, episode.until), to: span.to, box, detectors: [d.detector, 'motion'] });
      };
      // Read where a scroll stopped: before that, the content was on its way here.
      for (const e of r.motion ?? []) {
        if (!centreIn(d.box, e.box)) continue;
        piece.from = Math.max(piece.from, e.until);
        carried(e, carryFrom(piece.box, e, e.until, CARRY_MARGIN_PX));
      }
      // Read later (a pointer passed), showing what a scroll brought: what came with the
      // scroll's burst of changes was on its way here before it stopped.
      for (const e of r.motion || r.carry ? [] : episodes) {
        if (!broughtBy(e, piece.from, r.frame) || !within(d.box, e.box)) continue;
        piece.from = e.until;
        carried(e, carryFrom(piece.box, e, e.until, CARRY_MARGIN_PX));
      }
      // Read while it scrolled: the content came from somewhere and went on.
      for (const e of r.carry ?? []) {
        if (!centreIn(d.box, e.box)) continue;
        const found = carryFrom(piece.box, e, r.frame, CARRY_MARGIN_PX);
        carried(e, found);
        stays(e, found);
      }
      // Read before a scroll began: the content moved on from here. Where the box lies in
      // the region, the moving mask covers it from the scroll's first frame on.
      let movedOn = piece.to;
      for (const e of episodes) {
        if (e.since > r.frame && e.since <= piece.to + 1 && piece.to <= e.until && centreIn(d.box, e.box)) {
          const found = carryFrom(piece.box, e, e.since - 1, CARRY_MARGIN_PX);
          carried(e, found);
          stays(e, found);
          if (within(piece.box, e.box)) movedOn = Math.min(movedOn, e.since - 1);
        }
      }
      pieces.push({ ...piece, to: movedOn });
    }
  }
  // Found by verification on a frame where its region was scrolling: the content came from
  // somewhere and went on, so its mask moves with it over the whole scroll.
  for (const f of foundElsewhere) {
    for (const e of episodes) {
      if (f.frame < e.since || f.frame > e.until || !centreIn(f.box, e.box)) continue;
      const list = moving.get(e) ?? moving.set(e, []).get(e)!;
      const base: MaskPiece = { kind: 'pii', from: 0, to: 0, box: f.box, types: [f.type], detectors: [`verification:${f.detector}`, 'motion'], confidence: f.confidence, fill: 128, values: [f.value] };
      for (const m of carryFrom(f.box, e, f.frame, CARRY_MARGIN_PX)) list.push({ ...base, ...m, motion: true, episode: episodes.indexOf(e) });
    }
  }
  for (const list of moving.values()) pieces.push(...unionOverlapping(list, mergeMoving));
  for (const e of episodes) {
    for (const m of unreadPieces(e, edgePxFor(analysis.height, e.axis), carryOptions(e))) {
      pieces.push({ kind: 'changing', ...m, types: [], detectors: ['change', 'motion'], confidence: 1, fill: e.fill ?? 128, values: [], motion: true });
    }
    // Where it stopped, a row half under the pane's edge that no read saw whole stays
    // masked while it stays.
    const settle = settledBy.get(e);
    // The row read again carries along the same later scroll as before: one moving mask for all.
    const carriedCuts = new Set<string>();
    const pushCut = (cut: MaskPiece) => {
      for (const p of untilMovedOn(cut, e, episodes)) {
        const key = p.motion ? JSON.stringify([p.episode, p.from, p.to, p.box]) : '';
        if (key && carriedCuts.has(key)) continue;
        carriedCuts.add(key);
        pieces.push(p);
      }
    };
    for (const box of settle ? unreadAtRest(e, edgePxFor(analysis.height, e.axis)) : []) {
      const cut: MaskPiece = { kind: 'changing', from: e.until, to: settle!.window.span(box, last).to, box, types: [], detectors: ['edge', 'motion'], confidence: 1, fill: e.fill ?? 128, values: [] };
      pushCut(cut);
      // Read again later (a pointer passed) with the row still as the scroll left it: as long again.
      for (const r of analysis.reads as ReadEvent[]) {
        if (r.motion || r.carry || !within(box, r.box)) continue;
        const again = r.window.span(box, last);
        if (broughtBy(e, again.from, r.frame)) pushCut({ ...cut, from: Math.max(again.from, e.until), to: again.to });
      }
    }
  }
  for (const c of analysis.changing) {
    pieces.push({ kind: 'changing', from: c.from, to: c.to, box: c.box, types: [], detectors: ['change'], confidence: 1, fill: c.fill, values: [] });
  }
  // Analysed in segments: a mask that reaches a segment's last frame where the next segment
  // (whose lead-in overlaps it) saw the region moving goes on with that motion. The next
  // segment read what moved in only mid-motion, where one garbled read can miss a value.
  for (const cut of analysis.cuts ?? []) {
    const onward = episodes.filter((e) => e.since <= cut - 1 && e.until >= cut);
    for (const p of onward.length ? pieces.filter((q) => q.to === cut - 1) : []) {
      const end = p.path?.length ? movedAlong(p.box, p.axis, p.path[p.path.length - 1]) : p.box;
      for (const e of onward) {
        if (!centreIn(end, e.box)) continue;
        for (const m of carryFrom(end, e, cut - 1, 0)) if (m.to >= cut) pieces.push({ ...p, ...m, motion: true, episode: episodes.indexOf(e) });
      }
    }
  }
  // Text cut by the frame's border, unreadable to OCR and partly legible: masked while it stays.
  const carriedStrips = new Set<string>();
  for (const r of analysis.reads as ReadEvent[]) {
    for (const e of r.edges ?? []) {
      // A cut at the left or right border lasts while what touches the border stays: its
      // strip reaches inward to the next gap, over whatever stood beside the cut text (a toast
      // sliding in over a card), and that stays on screen long after the cut text has gone.
      // A change at the border brings a new read of the band, which finds the cut again.
      const alive = e.side ? { ...e.box, x: e.side === 'left' ? e.box.x : e.box.x + e.box.w - 1, w: 1 } : e.box;
      const strip: MaskPiece = { kind: 'changing', ...r.window.span(alive, last), box: e.box, types: [], detectors: ['edge'], confidence: 1, fill: e.fill, values: [] };
      const along = (m: MotionEpisode) => e.side ? m.axis === 'x' : m.axis !== 'x';
      // Scrolls that brought what the strip covers (read where one stopped, or later with
      // nothing changed since), and scrolls that took it on from here; either way, a scroll
      // across the cut (a sheet with cells cut at its left border scrolled down) moves the
      // cut text along the border.
      const brought = episodes.filter((m) => centreIn(e.box, m.box) && (r.motion?.includes(m) || (!r.motion && !r.carry && broughtBy(m, strip.from, r.frame))));
      const took = episodes.filter((m) => centreIn(e.box, m.box) && m.since > r.frame && m.since <= strip.to + 1 && strip.to <= m.until);
      // Text at the border where a scroll along the cut stopped had passed in view on the
      // way: read whole there, and masked where it stopped if it was PII (see `stays`), it is
      // no unread cut.
      if (brought.some((m) => along(m) && readOnTheWay(m, edgePxFor(analysis.height, m.axis), e.box))) continue;
      // Otherwise what was cut there is unread content, wider than a scroll's unread edge may
      // be: along the scroll that brought it or took it on, its strip moves with it, and
      // where the box lies in the region the moving strip covers the scroll's frames.
      let { from, to } = strip;
      for (const [m, cameHere] of [...brought.map((m) => [m, true] as const), ...took.map((m) => [m, false] as const)]) {
        if (within(e.box, m.box)) {
          if (cameHere) from = Math.max(from, m.until);
          else to = Math.min(to, m.since - 1);
        }
        for (const p of carryFrom(e.box, m, cameHere ? m.until : m.since - 1, CARRY_MARGIN_PX)) {
          // Each read of the band finds the same cut again: one moving strip for all.
          const key = `${episodes.indexOf(m)}:${p.from}:${p.to}:${p.box.x}:${p.box.y}:${p.box.w}:${p.box.h}`;
          if (carriedStrips.has(key)) continue;
          carriedStrips.add(key);
          pieces.push({ ...strip, ...p, detectors: ['edge', 'motion'], motion: true, episode: episodes.indexOf(m) });
        }
      }
      if (to >= from) pieces.push({ ...strip, from, to });
    }
  }
  return pieces;
}

/**
 * Pure: a row that scroll `e` left half under its pane's edge, masked where it came to rest
 * for as long as its tiles stayed (`cut`), less the frames after a later scroll of the same
 * region took it on: one inked tile that looks the same after that scroll (a bubble's
 * edge) kept such a mask over new content to the end of a chat, half over a line of text.
 * The first later scroll that holds the row and carries the content by at least the row's
 * own size ends the still mask where it begins; over that scroll a mask moves with the row.
 */
export function untilMovedOn(cut: MaskPiece, e: MotionEpisode, episodes: readonly MotionEpisode[]): MaskPiece[] {
  const size = (m: MotionEpisode) => (m.axis === 'x' ? cut.box.w : cut.box.h);
  const next = episodes
    .filter((m) => m !== e && m.since > cut.from && m.since <= cut.to && within(cut.box, m.box) && Math.abs(m.offsets[m.offsets.length - 1] ?? 0) >= size(m))
    .sort((a, b) => a.since - b.since)[0];
  if (!next) return [cut];
  const carried = carryFrom(cut.box, next, next.since - 1, CARRY_MARGIN_PX);
  return [{ ...cut, to: next.since - 1 }, ...carried.map((p) => ({ ...cut, ...p, motion: true, episode: episodes.indexOf(next) }))];
}

/**
 * A value that starts at a decimal point (".6251 BTC") lost its leading digits to OCR:
 * its box grows left by two characters' width to cover them.
 */
function headless(d: { value: string; box: Box }): Box {
  if (!/^[.,]\d/.test(d.value.trim())) return d.box;
  const grow = Math.round(d.box.h * 1.2);
  const x = Math.max(0, d.box.x - grow);
  return { ...d.box, x, w: d.box.w + (d.box.x - x) };
}

/** Slack above and below a carried box: the motion is measured to the pixel, this is for the rest. */
const CARRY_MARGIN_PX = 4;
const carryOptions = (e: MotionEpisode) => ({ segmentPx: segmentPxFor(e), marginPx: CARRY_MARGIN_PX });

/**
 * Of a box in a region dimmed in place, the columns that still show it where the dimming
 * stopped: a column every row of which lies under tiles the dimming did not explain (the
 * card that faded in over it) shows the card, not what was read there before. A tile
 * across the card's edge shows the page on one side: the columns kept reach a tile past
 * the last that shows.
 */
export function shownAt(box: Box, episode: Pick<MotionEpisode, 'until' | 'unexplained'>): Box | undefined {
  const hiding = episode.unexplained.filter((u) => u.from <= episode.until && u.to >= episode.until).map((u) => u.box);
  const shows = (x: number) => {
    const over = hiding.filter((h) => x >= h.x && x < h.x + h.w).sort((a, b) => a.y - b.y);
    let y = box.y;
    for (const h of over) if (h.y <= y && h.y + h.h > y) y = h.y + h.h;
    return y < box.y + box.h;
  };
  let x0 = -1;
  let x1 = -1;
  for (let x = box.x; x < box.x + box.w; x++) {
    if (!shows(x)) continue;
    if (x0 < 0) x0 = x;
    x1 = x;
  }
  if (x0 < 0) return undefined;
  const from = Math.max(box.x, x0 - TILE);
  return { ...box, x: from, w: Math.min(box.x + box.w, x1 + 1 + TILE) - from };
}

/** The part of `box` inside `region`, if any. */
function clipTo(box: Box, region: Box): Box | undefined {
  const x0 = Math.max(box.x, region.x);
  const y0 = Math.max(box.y, region.y);
  const x1 = Math.min(box.x + box.w, region.x + region.w);
  const y1 = Math.min(box.y + box.h, region.y + region.h);
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } : undefined;
}

/**
 * Whether content read on frame `read`, whose burst of changes began on frame `from`, came
 * with scroll `e`: the burst began while it moved, and it had stopped before the read.
 */
function broughtBy(e: MotionEpisode, from: number, read: number): boolean {
  return e.settled && e.until < read && from >= e.since && from <= e.until;
}

function centreIn(box: Box, region: Box): boolean {
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2;
  return cx >= region.x && cx < region.x + region.w && cy >= region.y && cy < region.y + region.h;
}

function mergeMoving(a: MaskPiece, b: MaskPiece, box: Box): MaskPiece {
  const uniq = <T>(xs: T[]) => [...new Set(xs)];
  return {
    ...a,
    box,
    types: uniq([...a.types, ...b.types]).sort(),
    detectors: uniq([...a.detectors, ...b.detectors]).sort(),
    confidence: Math.max(a.confidence, b.confidence),
    values: uniq([...a.values, ...b.values]),
  };
}

/** The mask tracks for `pieces` on `info`'s frames (planMasks with the config's padding). */
export function planTracks(pieces: MaskPiece[], info: VideoInfo, config: Config): MaskTrack[] {
  return planMasks(pieces, { frameCount: info.frameCount, width: info.width, height: info.height, padding: config.mask.padding });
}

export function buildManifest(args: {
  info: VideoInfo;
  inputSha: string;
  outputFile: string;
  outputSha: string;
  outputSize: number;
  config: Config;
  tracks: MaskTrack[];
  analysis: AnalyseResult;
  verification: { frames: number[]; firstPassFindings: number; repass: boolean; passFindings?: number[]; firstPass?: Array<Pick<RawFinding, 'frame' | 'type' | 'detector' | 'box'>> };
  ocrModel: string;
  seconds: number;
  stageSeconds: Record<Stage, number>;
  /** The render's segments joined, if it was rendered in segments. */
  renderedSegments?: number;
}): Manifest {
  const { info, config, tracks } = args;
  const byType: Record<string, number> = {};
  for (const t of tracks) for (const type of t.types) byType[type] = (byType[type] ?? 0) + 1;
  const changing = tracks.filter((t) => t.kind === 'changing').length;
  const seconds = (n: number) => Math.round((n / info.fps) * 1000) / 1000;
  return ManifestSchema.parse({
    schema: 'veil.manifest/1',
    tool: { name: 'veil', version: VERSION },
    createdAt: new Date().toISOString(),
    input: {
      sha256: args.inputSha,
      sizeBytes: info.sizeBytes,
      durationSec: info.durationSec,
      width: info.width,
      height: info.height,
      fps: info.fps,
      frameCount: info.frameCount,
      videoCodec: info.videoCodec,
      audioStreams: info.audio.length,
      droppedStreams: info.droppedStreams.map(({ type, codec }) => ({ type, codec })),
    },
    output: { file: args.outputFile, sha256: args.outputSha, sizeBytes: args.outputSize, frameCount: info.frameCount },
    settings: {
      style: config.mask.style,
      padding: config.mask.padding,
      settleSec: config.analysis.settleSec,
      entities: config.detection.entities,
      minConfidence: config.detection.minConfidence,
      allowListEntries: config.detection.allowList.length,
      ocrModel: args.ocrModel,
    },
    analysis: {
      framesDecoded: args.analysis.frameCount,
      reads: args.analysis.ocrCount,
      pixelsRead: args.analysis.ocrPixels,
      seconds: Math.round(args.seconds * 100) / 100,
      stageSeconds: Object.fromEntries(Object.entries(args.stageSeconds).map(([k, v]) => [k, Math.round(v * 100) / 100])),
      ...(args.analysis.cuts?.length ? { segments: args.analysis.cuts.length + 1 } : {}),
      ...(args.renderedSegments ? { renderedSegments: args.renderedSegments } : {}),
    },
    tracks: tracks.map((t) => ({
      id: t.id,
      kind: t.kind,
      types: t.types,
      detectors: t.detectors,
      confidence: Math.round(t.confidence * 100) / 100,
      fromFrame: t.from,
      toFrame: t.to,
      startSec: seconds(t.from),
      endSec: seconds(t.to + 1),
      box: t.box,
      ...(t.path?.length ? { endBox: movedAlong(t.box, t.axis, t.path[t.path.length - 1]) } : {}),
      masked: [...new Set(t.values.flatMap((v) => maskedForms(t.types[0], v)))],
    })),
    verification: {
      frames: args.verification.frames,
      firstPassFindings: args.verification.firstPassFindings,
      ...(args.verification.firstPass?.length
        ? { firstPass: args.verification.firstPass.map(({ frame, type, detector, box }) => ({ frame, type, detector, box })) }
        : {}),
      repass: args.verification.repass,
      ...(args.verification.passFindings && args.verification.passFindings.length > 1 ? { passFindings: args.verification.passFindings } : {}),
      findings: 0,
    },
    summary: { tracks: tracks.length, piiTracks: tracks.length - changing, changingTracks: changing, byType },
  });
}

/**
 * Masks for what verification found: its box over the whole video, its value wherever else
 * it appears, and, where it was found in a region that was scrolling, a mask that moves
 * with it over the scroll.
 */
function repassPieces(analysis: AnalyseResult, options: DetectOptions, findings: RawFinding[]): MaskPiece[] {
  const known = new Map<string, PiiType>(findings.map((f) => [normalizeValue(f.value), f.type]));
  const found: MaskPiece[] = findings.map((f) => ({
    kind: 'pii',
    from: 0,
    to: analysis.frameCount - 1,
    box: f.box,
    types: [f.type],
    detectors: [`verification:${f.detector}`],
    confidence: f.confidence,
    fill: 128,
    values: [f.value],
  }));
  return [...maskPieces(analysis, options, known, findings), ...found];
}

/** Past this resident size, the OCR engine is made afresh for the next reads (see nextOcr in redactVideo). */
const RECYCLE_OCR_RSS = 512 * 2 ** 20;

export async function redactVideo(request: RedactRequest, deps: RedactDeps = {}): Promise<RedactResult> {
  const { config, signal } = request;
  const started = Date.now();
  const stageSeconds: Record<Stage, number> = { probe: 0, analyse: 0, render: 0, verify: 0, finalise: 0 };
  let stageNow: Stage = 'probe';
  let stageSince = started;
  const report = (stage: Stage, within: number) => {
    if (stage !== stageNow) {
      const now = Date.now();
      stageSeconds[stageNow] += (now - stageSince) / 1000;
      stageNow = stage;
      stageSince = now;
    }
    const [a, b] = WEIGHTS[stage];
    request.onProgress?.({ stage, fraction: a + (b - a) * Math.max(0, Math.min(1, within)) });
  };

  report('probe', 0);
  const input = await checkAllowed(request.input, config.allowedRoots, 'input');
  const target = await checkOutput(request.output, input, config.allowedRoots);
  const manifestPath = await checkSideFile(request.manifest ?? `${target.path}.manifest.json`, input, config.allowedRoots, 'manifest');
  const info = await probeVideo(input, config, { signal });
  ffmpegChecked ??= checkFfmpegCapabilities();
  await ffmpegChecked.catch((err) => {
    ffmpegChecked = undefined;
    throw err;
  });
  report('probe', 1);

  const workers = ocrWorkerCount(config);
  const createOcr = deps.createOcr ?? ((n: number) => createTesseractEngine({ workers: n }));
  // Every engine made, to be closed (once) whatever happens.
  const engines: Array<Promise<OcrEngine & { modelVersion?: string }>> = [];
  const closed = new Set<OcrEngine>();
  const close = async (engine: OcrEngine) => {
    if (closed.has(engine)) return;
    closed.add(engine);
    await engine.close();
  };
  const openOcr = () => {
    const made = createOcr(workers);
    engines.push(made);
    made.catch(() => {}); // awaited where it is used; closed (or not) in the end
    return made;
  };
  let ocr = await openOcr();
  /**
   * The engine for the next reads. tesseract's WebAssembly memory grows to the largest
   * image a worker has read (a 1440p sheet's enlarged bands) and is never given back: when
   * this process has grown past RECYCLE_OCR_RSS, the engine is closed before the render
   * and a fresh one made once the render is done: made beside it, its workers' models
   * (some 100 MiB) would add to the render's peak, for well under a second saved.
   * Otherwise the same one goes on.
   */
  const nextOcr = async () => {
    if (process.memoryUsage.rss() < (deps.recycleOcrAbove ?? RECYCLE_OCR_RSS)) return () => Promise.resolve(ocr);
    await close(ocr);
    return openOcr;
  };
  const work = await mkdtemp(join(tmpdir(), 'veil-'));
  const partial = temporaryNameFor(target.path);
  try {
    const analyseOptions: AnalyseOptions = { signal, workers, onProgress: (done, total) => report('analyse', done / total) };
    const segmentSec = config.analysis.segmentSec;
    const analysis = deps.analyse
      ? await deps.analyse(input, info, analyseOptions)
      : segmentSec
        ? await analyseInSegments(input, info, await segmentsOf(input, info, config, segmentSec, signal), config, ocr, analyseOptions)
        : await analyseVideo(input, info, config, ocr, analyseOptions);
    const detect = detectOptions(config);
    const plan = (pieces: MaskPiece[]) => planTracks(pieces, info, config);
    let tracks = plan(maskPieces(analysis, detect));
    const renderOptions = { signal, onFrames: (n: number) => report('render', n / info.frameCount) };
    const render = () => renderInParts({ input, partial, info, tracks, episodes: analysis.motion, config, container: target.container, work }, renderPartCount(config), renderOptions);
    let verifyOcr = await nextOcr();
    report('render', 0);
    const joined = deps.renderJoined && (await deps.renderJoined({ input, partial, info, tracks, episodes: analysis.motion, container: target.container, work, signal }));
    let rendered = joined || (await render());
    ocr = await verifyOcr();

    // Verification: OCR frames of the output the analysis did not read, and the frames on
    // either side of every place the analysis or the output was joined.
    report('verify', 0);
    const verifyDetect = { ...detect, entities: config.verification.entities ?? detect.entities };
    const upscale = { minTextHeight: config.analysis.minTextHeight, maxScale: config.analysis.maxUpscale };
    const readFrames = analysis.reads.map((r) => r.frame);
    const sampled = verificationFrames(
      readFrames,
      tracks.filter((t) => t.kind === 'pii').map((t) => [t.from, t.to]),
      info.frameCount,
      config.verification.maxFrames,
    );
    const framesFor = (cuts: readonly number[]) => [...new Set([...sampled, ...framesAroundCuts([...(analysis.cuts ?? []), ...cuts], readFrames, info.frameCount)])].sort((a, b) => a - b);
    let frames = framesFor(rendered.cuts);
    const verify = (path: string) =>
      findPiiInFrames(path, info, frames, ocr, {
        detect: verifyDetect,
        upscale,
        workers,
        changeThreshold: config.analysis.changeThreshold,
        signal,
        onProgress: (d, t) => report('verify', d / t),
      });
    let findings = await verify(partial);
    const firstPass = findings;
    const passFindings = [findings.length];
    // Each further pass masks what every pass before it found.
    const found: RawFinding[] = [];
    while (findings.length && config.verification.repass && passFindings.length <= config.verification.maxRepasses) {
      found.push(...findings);
      tracks = plan(repassPieces(analysis, detect, found));
      verifyOcr = await nextOcr();
      report('render', 0);
      rendered = await render();
      ocr = await verifyOcr();
      frames = framesFor(rendered.cuts);
      report('verify', 0);
      findings = await verify(partial);
      passFindings.push(findings.length);
    }
    if (findings.length) {
      const summary = [...new Set(findings.map((f) => `${f.type} at ${f.timeSec.toFixed(2)} s`))].slice(0, 5).join(', ');
      const passes = passFindings.length > 1 ? ` after ${passFindings.length} passes` : '';
      throw new VerificationError(`the output still shows PII${passes} (${findings.length} findings: ${summary}); nothing was written`);
    }

    report('finalise', 0);
    await fsyncFile(partial);
    const [inputSha, outputSha, outStat] = await Promise.all([sha256File(input), sha256File(partial), stat(partial)]);
    const manifest = buildManifest({
      info,
      inputSha,
      outputFile: basename(target.path),
      outputSha,
      outputSize: outStat.size,
      config,
      tracks,
      analysis,
      verification: { frames, firstPassFindings: passFindings[0], firstPass, repass: passFindings.length > 1, passFindings },
      ocrModel: (ocr as { modelVersion?: string }).modelVersion ?? 'unknown',
      seconds: (Date.now() - started) / 1000,
      stageSeconds: { ...stageSeconds, [stageNow]: stageSeconds[stageNow] + (Date.now() - stageSince) / 1000 },
      ...(rendered.parts > 1 ? { renderedSegments: rendered.parts } : {}),
    });
    signal?.throwIfAborted();
    await writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    try {
      await rename(partial, target.path);
    } catch (err) {
      await rm(manifestPath, { force: true });
      throw err;
    }
    report('finalise', 1);
    return { output: target.path, manifestPath, manifest };
  } finally {
    await Promise.all(engines.map((made) => made.then(close).catch(() => {})));
    await rm(partial, { force: true });
    await rm(work, { recursive: true, force: true });
  }
}
