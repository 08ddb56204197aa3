/**
 * A recording rendered in segments (each its own frames, with the whole recording's masks
 * cut to them) and joined without a second encode must show exactly what the render of the
 * whole shows, frame by frame, at the input's times, with the input's audio. Encoded
 * losslessly here, so that any mask off by a pixel or a frame shows as a difference.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { QUIET } from '../../src/media/ffmpeg-args.js';
import { streamFfmpeg } from '../../src/media/ffmpeg.js';
import { readGreyFrames } from '../../src/media/frames.js';
import { fileUrl } from '../../src/media/input.js';
import { probeFrameTimes, probeVideo } from '../../src/media/probe.js';
import { createTesseractEngine } from '../../src/ocr/tesseract.js';
import { analyseVideo } from '../../src/pipeline/analyse.js';
import { detectOptions, maskPieces, planTracks } from '../../src/pipeline/redact.js';
import { joinRenders, renderInParts, renderSegment, renderWhole } from '../../src/pipeline/render.js';
import { redactVideo } from '../../src/pipeline/redact.js';
import type { MaskTrack } from '../../src/plan/plan.js';
import { measureExposure } from '../../src/synth/exposure.js';
import { segmentsOf } from '../../src/pipeline/split.js';
import { writeScene } from '../../src/synth/render.js';
import { chatScene, transactionsScene, withPointer } from '../../src/synth/scenarios.js';
import { SMALL, streamMd5, tempDir } from '../helpers.js';

const run = promisify(execFile);
const config = parseConfig({ encode: { crf: 0 } });
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('veil-split-render-'));
});
afterAll(() => cleanup());

async function greyFrames(path: string): Promise<Buffer[]> {
  const info = await probeVideo(path, config);
  const stream = streamFfmpeg({
    input: fileUrl(path),
    inputOptions: [...QUIET],
    outputOptions: ['-map', '0:v', '-fps_mode', 'passthrough', '-pix_fmt', 'gray', '-f', 'rawvideo'],
    output: null,
  });
  const out: Buffer[] = [];
  for await (const f of readGreyFrames(stream.output, info.width, info.height, Array.from({ length: info.frameCount }, (_, i) => i))) out.push(Buffer.from(f.data));
  await stream.done;
  return out;
}

/**
 * Pixels where two renders differ, but for the grey where two still masks of different
 * fills overlap: the one drawn last shows, and the order masks are drawn in depends on the
 * others drawn with them. The first five, as `frame N at x,y`.
 */
function differences(a: Buffer[], b: Buffer[], tracks: MaskTrack[], width: number): string[] {
  const out: string[] = [];
  a.forEach((frame, i) => {
    if (frame.equals(b[i])) return;
    const still = tracks.filter((t) => !t.path && t.from <= i && t.to >= i);
    for (let p = 0; p < frame.length && out.length < 5; p++) {
      if (frame[p] === b[i][p]) continue;
      const x = p % width;
      const y = Math.floor(p / width);
      const fills = still.filter((t) => x >= t.box.x && x < t.box.x + t.box.w && y >= t.box.y && y < t.box.y + t.box.h).map((t) => t.fill);
      const isFill = (v: number) => fills.some((f) => Math.abs(f - v) <= 2);
      if (new Set(fills).size < 2 || !isFill(frame[p]) || !isFill(b[i][p])) out.push(`frame ${i} at ${x},${y}`);
    }
  });
  return out;
}

describe('a render in segments, joined', () => {
  for (const [name, make] of [
    ['a list scrolling across both cuts, with audio', (path: string) => writeScene({ ...transactionsScene({ ...SMALL, seconds: 12, seed: 5 }), audio: true }, path)],
    ['a chat whose pointer never rests (many short masks, drawn by lanes)', (path: string) => writeScene(withPointer(chatScene({ ...SMALL, seconds: 12, seed: 9 }), 3), path)],
    [
      'a scrolling list at a variable frame rate with B-frames and a start time',
      async (path: string) => {
        const cfr = `${path}.cfr.mp4`;
        await writeScene(transactionsScene({ ...SMALL, seconds: 12, seed: 7 }), cfr);
        // Frames after the 30th come 0.115 s apart instead of 0.1; a keyframe every 40 frames.
        await run('ffmpeg', [...QUIET, '-i', cfr, '-vf', "setpts='(N*0.1+if(gt(N,30),0.015*(N-30),0))/TB'", '-fps_mode', 'passthrough', '-c:v', 'libx264', '-crf', '16', '-bf', '2', '-g', '40', '-output_ts_offset', '1.5', '-y', path]);
      },
    ],
  ] as const) {
    it(`shows what the whole render shows on every frame: ${name}`, async () => {
      const input = join(dir, `${name.length}.mp4`);
      await make(input);
      const info = await probeVideo(input, config);
      const ocr = await createTesseractEngine({ workers: 2 });
      const analysis = await analyseVideo(input, info, config, ocr, { workers: 2 }).finally(() => ocr.close());
      const tracks = planTracks(maskPieces(analysis, detectOptions(config)), info, config);
      expect(tracks.length).toBeGreaterThan(5);

      const whole = join(dir, `${name.length}-whole.mp4`);
      await renderWhole({ input, partial: whole, info, tracks, episodes: analysis.motion, config, container: 'mp4', work: dir }, {});

      const segments = await segmentsOf(input, info, config, 4);
      expect(segments).toHaveLength(3);
      const times = (await probeFrameTimes(input, info, config))!;
      const parts = segments.map((s) => join(dir, `${name.length}-part${s.index}.mp4`));
      for (const s of segments) await renderSegment(input, parts[s.index], info, s, tracks, analysis.motion, times, config, dir);
      const joined = join(dir, `${name.length}-joined.mp4`);
      expect(await joinRenders(input, segments.map((s) => ({ path: parts[s.index], segment: s })), joined, info, config, 'mp4', dir)).toBe(true);

      const [a, b] = await Promise.all([greyFrames(whole), greyFrames(joined)]);
      expect(b.length).toBe(info.frameCount);
      expect(differences(a, b, tracks, info.width)).toEqual([]);
      const joinedTimes = (await probeFrameTimes(joined, await probeVideo(joined, config), config))!;
      expect(joinedTimes.map((t, i) => Math.abs(t - times[i])).filter((d) => d > 1e-4)).toEqual([]);
      if (info.audio.length) expect(await streamMd5(joined, '0:a')).toBe(await streamMd5(input, '0:a'));
    });
  }
});

describe('a recording rendered in parts at once', () => {
  it('shows what the whole render shows, and redactVideo renders a recording of 20 s or more so', async () => {
    const input = join(dir, 'parts.mp4');
    const truth = await writeScene(withPointer(chatScene({ ...SMALL, seconds: 24, seed: 4 }), 2), input);
    const info = await probeVideo(input, config);
    const ocr = await createTesseractEngine({ workers: 2 });
    const analysis = await analyseVideo(input, info, config, ocr, { workers: 2 }).finally(() => ocr.close());
    const tracks = planTracks(maskPieces(analysis, detectOptions(config)), info, config);
    const whole = join(dir, 'parts-whole.mp4');
    await renderWhole({ input, partial: whole, info, tracks, episodes: analysis.motion, config, container: 'mp4', work: dir }, {});
    const inParts = join(dir, 'parts-joined.mp4');
    let frames = 0;
    const render = { input, partial: inParts, info, tracks, episodes: analysis.motion, config, container: 'mp4', work: dir };
    const joined = await renderInParts(render, 2, { onFrames: (n) => (frames = n) });
    expect(joined.parts).toBe(2);
    expect(joined.cuts).toHaveLength(1);
    expect(frames).toBe(info.frameCount);
    expect(differences(await greyFrames(whole), await greyFrames(inParts), tracks, info.width)).toEqual([]);
    // WebM (VP9) is not joined: rendered whole.
    expect(await renderInParts({ ...render, partial: join(dir, 'parts.webm'), container: 'webm' }, 2, {})).toEqual({ parts: 1, cuts: [] });

    const output = join(dir, 'parts-redacted.mp4');
    const { manifest } = await redactVideo({ input, output, config: parseConfig({ encode: { renderParts: 2 } }) });
    expect(manifest.analysis.renderedSegments).toBe(2);
    // The frames either side of the join are verified, whatever the even sample holds.
    const [cut] = joined.cuts;
    expect(manifest.verification.frames.filter((n) => n >= cut - 4 && n < cut)).not.toHaveLength(0);
    expect(manifest.verification.frames.filter((n) => n >= cut && n < cut + 4)).not.toHaveLength(0);
    expect(manifest.output.frameCount).toBe(info.frameCount);
    expect((await measureExposure(input, output, truth)).exposedItemFrames).toBe(0);
  });
});
