/**
 * Analysis: decode every frame once (streamed, one frame held at a time), find what
 * changed with the ChangeTracker, and OCR only the regions that changed, once they
 * settle. A recording that shows one screen for ten minutes is read about once.
 */
import type { Config } from '../config.js';
import { BadInputError } from '../errors.js';
import { analysisFramesJob } from '../media/ffmpeg-args.js';
import { streamFfmpeg } from '../media/ffmpeg.js';
import { readGreyFrames } from '../media/frames.js';
import type { VideoInfo } from '../media/video-info.js';
import type { GreyImage, OcrEngine, OcrLine } from '../ocr/types.js';
import { recognizeReadable } from '../ocr/upscale.js';
import type { Box } from '../pii/types.js';
import { ChangeTracker, TILE, type ChangingSpan, type ReadWindow } from './changes.js';
import { borderMedian, trimToQuietRows } from './image.js';

/** One OCR read of a region on one frame. */
export interface ReadEvent {
  frame: number;
  box: Box;
  /** Lines in frame coordinates; each word's `background` is set. */
  lines: OcrLine[];
  window: ReadWindow;
}

export interface ChangingRegion extends ChangingSpan {
  /** Grey level around the region on the frame it settled. */
  fill: number;
}

export interface AnalyseResult {
  reads: ReadEvent[];
  changing: ChangingRegion[];
  frameCount: number;
  ocrCount: number;
  ocrPixels: number;
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

export async function analyseVideo(
  path: string,
  info: VideoInfo,
  config: Config,
  ocr: OcrEngine,
  options: AnalyseOptions,
): Promise<AnalyseResult> {
  const { width, height } = info;
  const tracker = new ChangeTracker({
    width,
    height,
    threshold: config.analysis.changeThreshold,
    settleFrames: Math.max(1, Math.round(config.analysis.settleSec * info.fps)),
    burstGap: Math.max(1, Math.round(config.analysis.burstGapSec * info.fps)),
  });
  const cellRows = tracker.rows;
  const decoder = streamFfmpeg(analysisFramesJob(path, info), { signal: options.signal });
  const upscale = { minTextHeight: config.analysis.minTextHeight, maxScale: config.analysis.maxUpscale };
  const margin = Math.max(2, config.mask.padding);
  const reads: Array<Promise<ReadEvent>> = [];
  const changing: ChangingRegion[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let ocrPixels = 0;
  let frames = 0;

  const read = async (image: GreyImage, box: Box, frame: number, window: ReadWindow): Promise<ReadEvent> => {
    const result = await recognizeReadable(ocr, image, upscale);
    for (const word of result.lines.flatMap((l) => l.words)) word.background = borderMedian(image, word.box, margin);
    return { frame, box, lines: offsetLines(result.lines, box.x, box.y), window };
  };

  const total = info.frameCount;
  const stackedHeight = height + cellRows;
  const indices = Array.from({ length: total }, (_, i) => i);
  try {
    for await (const stacked of readGreyFrames(decoder.output, width, stackedHeight, indices)) {
      const n = stacked.index;
      const frame: GreyImage = { width, height, data: stacked.data.subarray(0, width * height) };
      const cells = stacked.data.subarray(width * height);
      const { reads: due, changing: spans } = tracker.update(n, cells, width);
      for (const span of spans) changing.push({ ...span, fill: borderMedian(frame, span.box, margin) });
      for (const request of due) {
        const box = trimToQuietRows(frame, request.box, 2 * TILE);
        const image = crop(frame, box);
        ocrPixels += image.width * image.height;
        const job = read(image, box, n, request.window);
        reads.push(job);
        const tracked = job.catch(() => {});
        inFlight.add(tracked);
        void tracked.finally(() => inFlight.delete(tracked));
      }
      frames++;
      if (n % 10 === 0) options.onProgress?.(n + 1, total);
      while (inFlight.size >= options.workers * 2) await Promise.race(inFlight);
    }
    await decoder.done;
  } catch (err) {
    decoder.kill();
    await Promise.allSettled(reads);
    throw err;
  }
  if (frames !== total) {
    throw new BadInputError(`the video is damaged: ${frames} of ${total} frames could be decoded`);
  }
  for (const span of tracker.finish(total - 1)) changing.push({ ...span, fill: 128 });
  const events = await Promise.all(reads);
  options.onProgress?.(total, total);
  return { reads: events, changing, frameCount: total, ocrCount: events.length, ocrPixels };
}
