/**
 * Analysis: decode the sampled frames (streamed, never the whole video), OCR those that
 * changed since the last analysed frame, and keep the lines read. OCR runs in the pool's
 * worker threads; at most two frames a worker wait in memory.
 */
import type { Config } from '../config.js';
import { TransientError, BadInputError } from '../errors.js';
import { sampleFrameIndices, sampleStep, sampledGreyFramesJob } from '../media/ffmpeg-args.js';
import { streamFfmpeg } from '../media/ffmpeg.js';
import { readGreyFrames, type GreyFrame } from '../media/frames.js';
import type { VideoInfo } from '../media/video-info.js';
import type { OcrEngine, OcrLine } from '../ocr/types.js';
import { recognizeReadable } from '../ocr/upscale.js';
import { borderMedian, framesDiffer } from './image.js';

export interface AnalysedFrame {
  frame: number;
  /** Lines read, each word with its background grey level set. */
  lines: OcrLine[];
  /** True when the frame matched the previous analysed one and its OCR was reused. */
  reused: boolean;
}

export interface AnalyseResult {
  frames: AnalysedFrame[];
  ocrCount: number;
}

export interface AnalyseOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  workers: number;
}

export async function analyseVideo(
  path: string,
  info: VideoInfo,
  config: Config,
  ocr: OcrEngine,
  options: AnalyseOptions,
): Promise<AnalyseResult> {
  const step = sampleStep(info, config.analysis.sampleIntervalSec);
  const indices = sampleFrameIndices(info.frameCount, step);
  const decoder = streamFfmpeg(sampledGreyFramesJob(path, info, step), { signal: options.signal });
  const results: Array<Promise<AnalysedFrame>> = [];
  const inFlight = new Set<Promise<unknown>>();
  const margin = Math.max(2, config.mask.padding);
  let previous: GreyFrame | undefined;
  let ocrCount = 0;
  let done = 0;

  const analyse = async (frame: GreyFrame): Promise<AnalysedFrame> => {
    const { lines } = await recognizeReadable(ocr, frame, {
      minTextHeight: config.analysis.minTextHeight,
      maxScale: config.analysis.maxUpscale,
    });
    for (const word of lines.flatMap((l) => l.words)) word.background = borderMedian(frame, word.box, margin);
    return { frame: frame.index, lines, reused: false };
  };

  try {
    for await (const frame of readGreyFrames(decoder.output, info.width, info.height, indices)) {
      const prior = results[results.length - 1];
      let result: Promise<AnalysedFrame>;
      if (prior && previous && !framesDiffer(previous, frame, config.analysis.unchangedThreshold)) {
        result = prior.then((p) => ({ ...p, frame: frame.index, reused: true }));
      } else {
        ocrCount++;
        result = analyse(frame);
      }
      previous = frame;
      results.push(result);
      const tracked = result.then(
        () => options.onProgress?.(++done, indices.length),
        () => {},
      );
      inFlight.add(tracked);
      void tracked.finally(() => inFlight.delete(tracked));
      while (inFlight.size >= options.workers * 2) await Promise.race(inFlight);
    }
    await decoder.done;
  } catch (err) {
    decoder.kill();
    await Promise.allSettled(results);
    throw err;
  }
  const frames = await Promise.all(results);
  if (frames.length !== indices.length) {
    throw new BadInputError(`the video is damaged: ${frames.length} of ${indices.length} sampled frames could be decoded`);
  }
  if (frames.some((f, i) => f.frame !== indices[i])) throw new TransientError('analysis frames arrived out of order');
  return { frames, ocrCount };
}
