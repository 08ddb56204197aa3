/**
 * Scores a redacted video against the ground truth of its synthetic original: for every
 * frame and every text box on it, were its ink pixels destroyed or left as they were?
 * A PII box whose ink is mostly unchanged is an exposed item-frame; a non-PII box whose
 * ink is mostly changed was over-masked.
 */
import { readFile } from 'node:fs/promises';
import type { Config } from '../config.js';
import { parseConfig } from '../config.js';
import { sampledGreyFramesJob } from '../media/ffmpeg-args.js';
import { streamFfmpeg } from '../media/ffmpeg.js';
import { readGreyFrames, type GreyFrame } from '../media/frames.js';
import { probeVideo } from '../media/probe.js';
import type { Box } from '../pii/types.js';
import { truthBoxesAt, type GroundTruth } from './scene.js';

export interface ExposureReport {
  frames: number;
  piiItemFrames: number;
  exposedItemFrames: number;
  /** Longest run of consecutive exposed frames of one item, in seconds. */
  longestExposureSec: number;
  textItemFrames: number;
  maskedTextItemFrames: number;
  /** PII items exposed on at least one frame: how many frames, and the first. */
  exposedItems: Record<string, { frames: number; first: number }>;
  /** Non-PII items masked on at least one frame, with their masked frame counts. */
  maskedTextItems: Record<string, number>;
}

const INK = 48;
const SAME = 24;

/** Share of the ink pixels of `box` in `orig` that are still (nearly) the same in `out`. */
export function inkKept(orig: GreyFrame, out: GreyFrame, box: Box): number | null {
  const { width, height } = orig;
  const x0 = Math.max(0, box.x);
  const y0 = Math.max(0, box.y);
  const x1 = Math.min(width, box.x + box.w);
  const y1 = Math.min(height, box.y + box.h);
  if (x1 <= x0 || y1 <= y0) return null;
  const hist = new Uint32Array(256);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) hist[orig.data[y * width + x]]++;
  // The background is the most common level in the box.
  let bg = 0;
  for (let v = 1; v < 256; v++) if (hist[v] > hist[bg]) bg = v;
  let ink = 0;
  let kept = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = y * width + x;
      const o = orig.data[i];
      if (Math.abs(o - bg) < INK) continue;
      ink++;
      if (Math.abs(out.data[i] - o) < SAME) kept++;
    }
  }
  return ink < 4 ? null : kept / ink;
}

export async function measureExposure(
  originalPath: string,
  redactedPath: string,
  truth: GroundTruth,
  config: Config = parseConfig({}),
): Promise<ExposureReport> {
  const [a, b] = await Promise.all([probeVideo(originalPath, config), probeVideo(redactedPath, config)]);
  if (a.frameCount !== b.frameCount) {
    throw new Error(`frame counts differ: original ${a.frameCount}, redacted ${b.frameCount}`);
  }
  const all = Array.from({ length: a.frameCount }, (_, i) => i);
  const sa = streamFfmpeg(sampledGreyFramesJob(originalPath, a, 1));
  const sb = streamFfmpeg(sampledGreyFramesJob(redactedPath, b, 1));
  const ia = readGreyFrames(sa.output, a.width, a.height, all)[Symbol.asyncIterator]();
  const ib = readGreyFrames(sb.output, b.width, b.height, all)[Symbol.asyncIterator]();
  const report: ExposureReport = {
    frames: a.frameCount,
    piiItemFrames: 0,
    exposedItemFrames: 0,
    longestExposureSec: 0,
    textItemFrames: 0,
    maskedTextItemFrames: 0,
    exposedItems: {},
    maskedTextItems: {},
  };
  const run = new Map<string, number>();
  let longest = 0;
  for (;;) {
    const [fa, fb] = await Promise.all([ia.next(), ib.next()]);
    if (fa.done || fb.done) break;
    const seen = new Set<string>();
    for (const { item, box } of truthBoxesAt(truth, fa.value.index)) {
      const kept = inkKept(fa.value, fb.value, box);
      if (kept === null) continue;
      if (item.kind === 'pii') {
        report.piiItemFrames++;
        if (kept > 0.5) {
          report.exposedItemFrames++;
          const seenBefore = report.exposedItems[item.id];
          report.exposedItems[item.id] = { frames: (seenBefore?.frames ?? 0) + 1, first: seenBefore?.first ?? fa.value.index };
          const r = (run.get(item.id) ?? 0) + 1;
          run.set(item.id, r);
          longest = Math.max(longest, r);
          seen.add(item.id);
        }
      } else {
        report.textItemFrames++;
        if (kept < 0.5) {
          report.maskedTextItemFrames++;
          report.maskedTextItems[item.id] = (report.maskedTextItems[item.id] ?? 0) + 1;
        }
      }
    }
    for (const id of run.keys()) if (!seen.has(id)) run.delete(id);
  }
  await Promise.all([sa.done, sb.done]);
  report.longestExposureSec = Math.round((longest / truth.fps) * 100) / 100;
  return report;
}

export async function readTruth(videoPath: string): Promise<GroundTruth> {
  return JSON.parse(await readFile(`${videoPath}.truth.json`, 'utf8')) as GroundTruth;
}
