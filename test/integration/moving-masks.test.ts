/**
 * Moving masks drawn by ffmpeg: the layer of one scroll's masks must be where the content
 * is on every frame of the motion, whenever in the video the motion starts and at any
 * frame rate (an eased scroll late in a 15 fps recording once drew nothing at all).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { QUIET, renderJob, sampledGreyFramesJob } from '../../src/media/ffmpeg-args.js';
import { overlayFrameBase, runFfmpeg, streamFfmpeg } from '../../src/media/ffmpeg.js';
import { readGreyFrames } from '../../src/media/frames.js';
import { probeFrameTimes, probeVideo } from '../../src/media/probe.js';
import type { MaskTrack } from '../../src/plan/plan.js';
import { maskFilterGraph } from '../../src/render/filters.js';
import { tempDir } from '../helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
const config = parseConfig({});

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('veil-moving-'));
});
afterAll(async () => cleanup());

/**
 * The first and last black pixels (the mask's fill) of column `at` ('rows') or of row `at`
 * ('columns') on each frame from..to.
 */
async function blackSpan(path: string, along: 'rows' | 'columns', at: number, from: number, to: number): Promise<Map<number, [number, number] | null>> {
  const info = await probeVideo(path, config);
  const run = streamFfmpeg(sampledGreyFramesJob(path, info, 1));
  const out = new Map<number, [number, number] | null>();
  for await (const f of readGreyFrames(run.output, info.width, info.height, Array.from({ length: info.frameCount }, (_, i) => i))) {
    if (f.index < from || f.index > to) continue;
    const found: number[] = [];
    const n = along === 'rows' ? f.height : f.width;
    for (let k = 0; k < n; k++) if (f.data[along === 'rows' ? k * f.width + at : at * f.width + k] < 20) found.push(k);
    out.set(f.index, found.length ? [found[0], found[found.length - 1]] : null);
  }
  await run.done;
  return out;
}

describe('a scroll layer of moving masks', () => {
  it.each([
    [15, 100, 'a region'],
    [30, 12, 'a region'],
    [30, 230, 'a region'],
    [15, 100, 'a region, its frames timed'],
    [30, 230, 'a region, its frames timed'],
    [15, 100, 'the whole frame'],
    [30, 230, 'the whole frame'],
    [15, 100, 'the whole frame, its frames timed'],
    [30, 230, 'the whole frame, its frames timed'],
    // Two frames in three a third of a frame late: the layer's frames fall between the video's.
    [15, 100, 'the whole frame, at a variable rate'],
    [15, 100, 'the whole frame, at a variable rate, its frames timed'],
    [15, 100, 'a region, at a variable rate'],
    [15, 100, 'a region, at a variable rate, its frames timed'],
  ])('at %d fps, a motion from frame %d of %s: the mask is drawn where the content is on every frame', async (fps, since, what) => {
    const frames = since + 40;
    const input = join(dir, `grey-${fps}-${since}-${what.length}.mp4`);
    const variable = what.includes('variable');
    await runFfmpeg({
      input: `color=c=0x808080:s=640x360:r=${fps}:d=${frames / fps}`,
      inputOptions: [...QUIET, '-f', 'lavfi'],
      outputOptions: [
        ...(variable ? ['-vf', `settb=1/1000,setpts='(N/${fps}+if(mod(N,3),${(1 / fps / 3).toFixed(3)},0))/TB'`, '-fps_mode', 'passthrough', '-enc_time_base', '1/1000'] : []),
        ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
      ],
      output: input,
    });
    const info = await probeVideo(input, config);
    // Still for 5 frames, then eased up by 63 px over 6 frames.
    const offsets = [0, 0, 0, 0, 0, 12, 33, 47, 56, 61, 63];
    // A region whose top the box moves past (from y 200 up to 137): clipped there.
    const region = what.startsWith('a region');
    const pane = region ? { x: 40, y: 150, w: 560, h: 190 } : { x: 0, y: 0, w: 640, h: 360 };
    // With each frame's time, the layer lives from a second before the motion to two after it.
    const times = what.endsWith('timed') ? await probeFrameTimes(input, info, config) : undefined;
    if (what.endsWith('timed')) expect(times).toHaveLength(info.frameCount);
    if (times && variable) expect(Math.abs(times[since + 2] - times[since + 1] - 1 / fps)).toBeGreaterThan(0.25 / fps);
    const episode = { since, until: since + offsets.length - 1, offsets, box: pane };
    const track: MaskTrack = {
      id: 1, kind: 'pii', from: since, to: episode.until, box: { x: 100, y: 200, w: 120, h: 30 },
      types: ['email'], detectors: ['motion'], confidence: 1, fill: 0, values: [], motion: true, path: offsets.map((o) => -o), episode: 0,
    };
    const script = join(dir, `masks-${fps}-${since}-${what.length}.filter`);
    const lanes = times && { times, commandsPrefix: join(dir, 'unused.cmd') };
    const graph = maskFilterGraph([track], 'fill', { ...info, overlayFrameBase: await overlayFrameBase(), episodes: [episode], ...(lanes ? { lanes } : {}) });
    expect(graph.includes('eof_action=pass')).toBe(!!times);
    // The whole frame is not clipped: no split, crop and overlay back; a region is clipped by
    // a pane of its own where each frame's time is known.
    expect(graph.includes('[canvas0]')).toBe(region && !!times && !variable);
    expect(graph.includes('split')).toBe(region && !graph.includes('[canvas0]'));
    await writeFile(script, graph);
    const output = join(dir, `out-${fps}-${since}-${what.length}.mp4`);
    await runFfmpeg(renderJob(input, output, info, script, config, 'mp4'));
    const rows = await blackSpan(output, 'rows', 160, since - 2, episode.until + 2);
    for (let k = 0; k < offsets.length; k++) {
      const at = rows.get(since + k);
      expect(at, `frame ${since + k}`).not.toBeNull();
      // Within a pixel or two of the content (chroma subsampling and the fitted path's slack).
      const top = Math.max(pane.y, 200 - offsets[k]);
      expect(Math.abs(at![0] - top), `frame ${since + k} top ${at![0]}`).toBeLessThanOrEqual(3);
      expect(Math.abs(at![1] - (229 - offsets[k])), `frame ${since + k} bottom ${at![1]}`).toBeLessThanOrEqual(3);
    }
    // Nothing before the motion or after it (a still mask would be drawn by its own track).
    expect(rows.get(since - 1)).toBeNull();
    expect(rows.get(episode.until + 1)).toBeNull();
  }, 60_000);

  it('moved sideways: the mask is drawn where the content is on every frame, and only in the region', async () => {
    const fps = 10;
    const since = 20;
    const input = join(dir, 'grey-sideways.mp4');
    await runFfmpeg({
      input: `color=c=0x808080:s=640x360:r=${fps}:d=${(since + 20) / fps}`,
      inputOptions: [...QUIET, '-f', 'lavfi'],
      outputOptions: ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
      output: input,
    });
    const info = await probeVideo(input, config);
    // Content moved left by a fling: 0, then up to 250 px a frame, eased out.
    const offsets = [0, 0, 40, 290, 400, 430, 436];
    const episode = { axis: 'x' as const, since, until: since + offsets.length - 1, offsets, box: { x: 0, y: 40, w: 640, h: 300 } };
    const track: MaskTrack = {
      id: 1, kind: 'pii', from: since, to: episode.until, box: { x: 500, y: 200, w: 120, h: 30 }, axis: 'x',
      types: ['email'], detectors: ['motion'], confidence: 1, fill: 0, values: [], motion: true, path: offsets.map((o) => -o), episode: 0,
    };
    const script = join(dir, 'masks-sideways.filter');
    await writeFile(script, maskFilterGraph([track], 'fill', { ...info, overlayFrameBase: await overlayFrameBase(), episodes: [episode] }));
    const output = join(dir, 'out-sideways.mp4');
    await runFfmpeg(renderJob(input, output, info, script, config, 'mp4'));
    const cols = await blackSpan(output, 'columns', 215, since - 2, episode.until + 2);
    for (let k = 0; k < offsets.length; k++) {
      const at = cols.get(since + k);
      expect(at, `frame ${since + k}`).not.toBeNull();
      // Clipped to the region: from x 0 once the box slid past the frame's left border.
      const left = Math.max(0, 500 - offsets[k]);
      const right = Math.min(639, 500 + 119 - offsets[k]);
      expect(Math.abs(at![0] - left), `frame ${since + k} left ${at![0]}`).toBeLessThanOrEqual(3);
      expect(Math.abs(at![1] - right), `frame ${since + k} right ${at![1]}`).toBeLessThanOrEqual(3);
    }
    // Nothing above the box's rows, nothing before or after the motion.
    expect((await blackSpan(output, 'columns', 150, since, episode.until)).get(since + 3)).toBeNull();
    expect(cols.get(since - 1)).toBeNull();
    expect(cols.get(episode.until + 1)).toBeNull();
  }, 60_000);
});
