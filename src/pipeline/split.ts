/**
 * Analysis of a recording in segments (see segments.ts): where to cut it, and each
 * segment's analysis. The queue runs the segments as child jobs on several workers;
 * `analyseInSegments` runs them one after another in this process (the same path, for a
 * single machine and for tests).
 */
import type { Config } from '../config.js';
import { probeFrames } from '../media/probe.js';
import type { VideoInfo } from '../media/video-info.js';
import type { OcrEngine } from '../ocr/types.js';
import { analyseVideo, type AnalyseOptions, type AnalyseResult } from './analyse.js';
import { joinAnalyses, leadFrames, planSegments, segmentInfo, storeAnalysis, type Segment, type StoredAnalysis } from './segments.js';

/**
 * The segments of about `segmentSec` a recording is analysed in, cut at keyframes. One
 * segment (the whole) when it is shorter than one and a half, has no keyframe to cut at,
 * or its frames' times cannot be known exactly.
 */
export async function segmentsOf(path: string, info: VideoInfo, config: Config, segmentSec: number, signal?: AbortSignal): Promise<Segment[]> {
  const whole: Segment[] = [{ index: 0, firstFrame: 0, frameCount: info.frameCount, lead: 0, startSec: 0, seekSec: 0 }];
  if (config.analysis.mode !== 'changes' || info.durationSec < 1.5 * segmentSec) return whole;
  const frames = await probeFrames(path, info, config, signal);
  if (!frames) return whole;
  const settleFrames = Math.max(1, Math.round(config.analysis.settleSec * info.fps));
  return planSegments(frames.times, frames.keyframes, segmentSec, leadFrames(settleFrames));
}

/** One segment's analysis, stored as plain data (see storeAnalysis). */
export async function analyseSegment(
  path: string,
  info: VideoInfo,
  segment: Segment,
  config: Config,
  ocr: OcrEngine,
  options: AnalyseOptions,
): Promise<StoredAnalysis> {
  const result = await analyseVideo(path, segmentInfo(info, segment), config, ocr, options);
  return storeAnalysis(result, segment);
}

/** The segments analysed one after another and joined (see joinAnalyses). */
export async function analyseInSegments(
  path: string,
  info: VideoInfo,
  segments: readonly Segment[],
  config: Config,
  ocr: OcrEngine,
  options: AnalyseOptions,
): Promise<AnalyseResult> {
  if (segments.length === 1) return analyseVideo(path, info, config, ocr, options);
  const parts: StoredAnalysis[] = [];
  let done = 0;
  for (const segment of segments) {
    const before = done;
    parts.push(
      await analyseSegment(path, info, segment, config, ocr, {
        ...options,
        onProgress: (d, t) => options.onProgress?.(before + (d / t) * segment.frameCount, info.frameCount),
      }),
    );
    done += segment.frameCount;
  }
  return joinAnalyses(parts, info.frameCount);
}
