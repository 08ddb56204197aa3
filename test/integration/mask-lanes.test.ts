/**
 * Many short-lived still masks drawn by lanes (a few drawbox filters moved by timed
 * commands) must cover exactly the pixels, on exactly the frames, that one filter a box
 * covers: on a constant frame rate, and on a variable one with B-frames (and a start time,
 * or in Matroska, whose times are whole milliseconds).
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { QUIET } from '../../src/media/ffmpeg-args.js';
import { streamFfmpeg } from '../../src/media/ffmpeg.js';
import { readGreyFrames } from '../../src/media/frames.js';
import { fileUrl } from '../../src/media/input.js';
import { probeFrameTimes, probeVideo } from '../../src/media/probe.js';
import type { MaskTrack } from '../../src/plan/plan.js';
import { commandScript, LANE_MIN_BOXES, maskCommands, maskFilterGraph } from '../../src/render/filters.js';
import { tempDir } from '../helpers.js';

const run = promisify(execFile);
const config = parseConfig({});
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('veil-lanes-'));
});
afterAll(() => cleanup());

/** Every frame of `path` through `script` (or none), as grey. */
async function frames(path: string, script?: string): Promise<Buffer[]> {
  const info = await probeVideo(path, config);
  const job = {
    input: fileUrl(path),
    inputOptions: [...QUIET],
    outputOptions: [...(script ? ['-filter_script:v', script] : []), '-fps_mode', 'passthrough', '-pix_fmt', 'gray', '-f', 'rawvideo'],
    output: null,
  };
  const stream = streamFfmpeg(job);
  const out: Buffer[] = [];
  for await (const f of readGreyFrames(stream.output, info.width, info.height, Array.from({ length: info.frameCount }, (_, i) => i))) out.push(Buffer.from(f.data));
  await stream.done;
  return out;
}

/** Short-lived boxes all over a 320x180 frame (a pointer, typing), some sharing a box, and one for the whole clip. */
function busyTracks(frameCount: number): MaskTrack[] {
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const tracks: MaskTrack[] = [];
  for (let id = 0; id < 160; id++) {
    const from = rand(frameCount);
    const box = id % 10 === 0 ? { x: 40, y: 40, w: 24, h: 16 } : { x: 2 * rand(140), y: 2 * rand(80), w: 2 + 2 * rand(20), h: 2 + 2 * rand(12) };
    tracks.push({ id, kind: 'changing', from, to: Math.min(frameCount - 1, from + rand(4)), box, types: [], detectors: [], confidence: 1, fill: 16 * rand(16), values: [] });
  }
  tracks.push({ id: 999, kind: 'pii', from: 0, to: frameCount - 1, box: { x: 200, y: 100, w: 60, h: 20 }, types: ['email'], detectors: [], confidence: 1, fill: 0, values: [] });
  return tracks;
}

/**
 * Where boxes of different fills overlap on frame n (320 wide): there the fill drawn last
 * shows, and lanes may draw them in another order than one filter a box.
 */
function mixedFills(tracks: readonly MaskTrack[], n: number): Set<number> {
  const fills = new Map<number, number>();
  const mixed = new Set<number>();
  for (const t of tracks) {
    if (n < t.from || n > t.to) continue;
    for (let y = t.box.y; y < t.box.y + t.box.h; y++) {
      for (let x = t.box.x; x < t.box.x + t.box.w; x++) {
        const at = y * 320 + x;
        const fill = fills.get(at);
        if (fill === undefined) fills.set(at, t.fill);
        else if (fill !== t.fill) mixed.add(at);
      }
    }
  }
  return mixed;
}

describe('still masks drawn by lanes', () => {
  for (const [name, encode] of [
    ['a constant frame rate', ['-c:v', 'libx264', '-g', '12']],
    ['a variable frame rate with B-frames and a start time', ['-vf', "setpts='(N*0.1+if(gt(N,8),0.037*N,0))/TB'", '-fps_mode', 'passthrough', '-c:v', 'libx264', '-bf', '2', '-g', '12', '-output_ts_offset', '1.5']],
    ['Matroska at a variable frame rate with B-frames', ['-vf', "setpts='(N*0.1+if(gt(N,20),0.021*N,0))/TB'", '-fps_mode', 'passthrough', '-c:v', 'libx264', '-bf', '3', '-g', '12', '-f', 'matroska']],
  ] as const) {
    it(`cover the same pixels on the same frames as one filter a box, on ${name}`, async () => {
      const input = join(dir, `${name.length}.${name.startsWith('Matroska') ? 'mkv' : 'mp4'}`);
      await run('ffmpeg', [...QUIET, '-f', 'lavfi', '-i', 'testsrc2=s=320x180:r=10:d=4', ...encode, '-pix_fmt', 'yuv420p', '-y', input]);
      const info = await probeVideo(input, config);
      expect(info.frameCount).toBe(40);
      const times = await probeFrameTimes(input, info, config);
      expect(times).toHaveLength(40);
      const tracks = busyTracks(info.frameCount);
      const video = { ...info, overlayFrameBase: 0 };
      const lanes = { ...video, lanes: { times: times!, commandsPrefix: join(dir, 'masks.cmd') } };
      const commands = maskCommands(tracks, 'fill', lanes);
      // Several scripts, each read by its own sendcmd.
      expect(commands!.length).toBeGreaterThan(1);
      for (const [i, script] of commands!.entries()) await writeFile(commandScript(lanes.lanes.commandsPrefix, i), script);
      const laneGraph = maskFilterGraph(tracks, 'fill', lanes);
      const oneEach = maskFilterGraph(tracks, 'fill', video);
      const filters = (graph: string) => graph.split('drawbox').length - 1;
      expect(filters(oneEach)).toBeGreaterThan(LANE_MIN_BOXES);
      expect(filters(laneGraph)).toBeLessThan(filters(oneEach) / 3);
      await writeFile(join(dir, 'lanes.filter'), laneGraph);
      await writeFile(join(dir, 'each.filter'), oneEach);
      const [plain, drawnByLanes, drawnEach] = await Promise.all([
        frames(input),
        frames(input, join(dir, 'lanes.filter')),
        frames(input, join(dir, 'each.filter')),
      ]);
      expect(drawnByLanes).toHaveLength(40);
      for (let n = 0; n < 40; n++) {
        // The same pixels, masked the same; where fills overlap, masked either way.
        const mixed = mixedFills(tracks, n);
        const [lanesFrame, eachFrame, plainFrame] = [drawnByLanes[n], drawnEach[n], plain[n]];
        const wrong = [...lanesFrame.keys()].filter((i) =>
          mixed.has(i) ? lanesFrame[i] === plainFrame[i] && eachFrame[i] !== plainFrame[i] : lanesFrame[i] !== eachFrame[i],
        );
        expect(wrong, `frame ${n}`).toEqual([]);
        // Not equal by accident: the whole-clip box is drawn on every frame.
        expect(drawnEach[n].equals(plain[n])).toBe(false);
      }
    });
  }

  it('are not used without the frames\' times, or with few boxes', () => {
    const tracks = busyTracks(40);
    const video = { fps: 10, frameCount: 40, overlayFrameBase: 0 };
    expect(maskCommands(tracks, 'fill', video)).toBeUndefined();
    expect(maskFilterGraph(tracks, 'fill', video)).not.toContain('sendcmd');
    const times = Array.from({ length: 40 }, (_, i) => i / 10);
    const few = { ...video, lanes: { times, commandsPrefix: '/tmp/x.cmd' } };
    expect(maskCommands(tracks.slice(0, 10), 'fill', few)).toBeUndefined();
    expect(maskCommands(tracks, 'fill', { ...few, lanes: { times, commandsPrefix: '/tmp/a b.cmd' } })).toBeUndefined();
    expect(maskFilterGraph(tracks, 'fill', { ...few, lanes: { times, commandsPrefix: '/tmp/a b.cmd' } })).not.toContain('sendcmd');
  });
});
