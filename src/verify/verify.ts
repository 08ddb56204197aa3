/**
 * Verification: decode chosen frames of a (redacted) video, OCR them whole and run the
 * same detector. Any finding means PII is still readable. Findings carry a masked form of
 * the value; the raw value stays in memory for a re-redaction and is never written.
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
import type { OcrEngine } from '../ocr/types.js';
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
  signal?: AbortSignal;
  /** Called with each decoded frame (for contact sheets) before it is released. */
  onFrame?: (frame: GreyFrame, findings: RawFinding[]) => void | Promise<void>;
  onProgress?: (done: number, total: number) => void;
}

/** OCRs the listed frames of `path` whole and returns every PII finding on them. */
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
  const decoding = decodeFrames(path, info, wanted, options.signal);
  try {
    let count = 0;
    for await (const frame of decoding.frames) {
      count++;
      const job = (async () => {
        const { lines } = await recognizeReadable(ocr, frame, options.upscale);
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
