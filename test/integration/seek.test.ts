import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { seekFrameJob, selectedFramesJob, selectFramesFilter } from '../../src/media/ffmpeg-args.js';
import { streamFfmpeg } from '../../src/media/ffmpeg.js';
import { readGreyFrames } from '../../src/media/frames.js';
import { probeVideo } from '../../src/media/probe.js';
import type { VideoInfo } from '../../src/media/video-info.js';
import { writeScene } from '../../src/synth/render.js';
import { terminalScene } from '../../src/synth/scenarios.js';
import { tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let path: string;
let info: VideoInfo;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  path = join(dir, 'lines.mp4');
  // A new log line every few frames: neighbouring frames differ.
  await writeScene(terminalScene({ width: 320, height: 240, fps: 10, seconds: 12, fontSize: 10 }), path);
  info = await probeVideo(path, parseConfig({}));
});
afterAll(() => cleanup());

async function collect(job: ReturnType<typeof seekFrameJob>, frames: number[]) {
  const d = streamFfmpeg(job);
  const out: Buffer[] = [];
  for await (const f of readGreyFrames(d.output, info.width, info.height, frames)) out.push(Buffer.from(f.data));
  await d.done;
  return out;
}

describe('selecting frames by number', () => {
  it('keeps exactly the listed frames, however many', async () => {
    const frames = Array.from({ length: 110 }, (_, i) => i + 5);
    const work = await mkdtemp(join(tmpdir(), 'veil-select-'));
    try {
      const script = join(work, 'select.filter');
      await writeFile(script, selectFramesFilter(frames));
      const got = await collect(selectedFramesJob(path, info, script, frames.length), frames);
      expect(got).toHaveLength(110);
      const [seeked] = await collect(seekFrameJob(path, info, 90), [90]);
      expect(seeked.equals(got[85])).toBe(true);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});

describe('seeking to a frame', () => {
  it('gives the same picture as decoding from the start and selecting it', async () => {
    const frames = [0, 7, 41, 80, 119];
    const work = await mkdtemp(join(tmpdir(), 'veil-seek-'));
    try {
      const script = join(work, 'select.filter');
      await writeFile(script, selectFramesFilter(frames));
      const selected = await collect(selectedFramesJob(path, info, script, frames.length), frames);
      for (const [k, n] of frames.entries()) {
        const [seeked] = await collect(seekFrameJob(path, info, n), [n]);
        expect(seeked.equals(selected[k]), `frame ${n}`).toBe(true);
      }
      expect(selected[2].equals(selected[3])).toBe(false);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
