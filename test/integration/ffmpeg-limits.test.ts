/**
 * The time limit of an ffmpeg job that streams to this process: what counts is the CPU
 * time ffmpeg uses, not the time it waits for a busy reader (frames queued for OCR).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { QUIET, type FfmpegJob } from '../../src/media/ffmpeg-args.js';
import { streamFfmpeg } from '../../src/media/ffmpeg.js';

const frames = (spec: string, limit: number, extra: string[] = []): FfmpegJob => ({
  input: spec,
  inputOptions: [...QUIET, '-f', 'lavfi'],
  outputOptions: [...extra, '-pix_fmt', 'gray', '-f', 'rawvideo'],
  output: null,
  timeLimitSec: limit,
});

async function drain(stream: ReturnType<typeof streamFfmpeg>, pauseMs: number): Promise<number> {
  let bytes = 0;
  let paused = false;
  for await (const chunk of stream.output as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (!paused) {
      paused = true;
      // A reader busy with OCR: ffmpeg blocks on the full pipe, using no CPU.
      await sleep(pauseMs);
    }
  }
  await stream.done;
  return bytes;
}

describe('a streaming ffmpeg job over its time limit', () => {
  it('is not killed for waiting on a slow reader longer than its limit', async () => {
    const run = streamFfmpeg(frames('testsrc2=size=640x360:rate=10:duration=3', 2));
    await expect(drain(run, 4500)).resolves.toBe(640 * 360 * 30);
  }, 30_000);

  it('is killed when ffmpeg itself works longer than its limit', async () => {
    const run = streamFfmpeg(frames('testsrc2=size=1920x1080:rate=30:duration=600', 1, ['-vf', 'boxblur=20:5']));
    await expect(drain(run, 0)).rejects.toThrow(/time limit of 1 s/);
  }, 60_000);
});
