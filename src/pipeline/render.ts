/**
 * The render: the masks burned into a re-encode of the input, whole or in segments. A long
 * recording's segments can be rendered by several workers, or a recording in parts at once
 * by one (each its own frames, H.264 in MP4), and joined without a second encode, with the
 * input's audio; the join is kept only if it has every frame of the input at the input's
 * times, else the render is done whole.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { TransientError } from '../errors.js';
import { JOINABLE_CONTAINERS, joinRendersJob, renderJob, segmentFilterPrefix, segmentRenderJob } from '../media/ffmpeg-args.js';
import { overlayFrameBase, runFfmpeg } from '../media/ffmpeg.js';
import { probeFrames, probeFrameTimes, probeVideo } from '../media/probe.js';
import type { VideoInfo } from '../media/video-info.js';
import type { MaskTrack } from '../plan/plan.js';
import { commandScript, LANE_MIN_BOXES, maskRender, type GraphEpisode, type GraphVideo } from '../render/filters.js';
import { withinSegment } from '../render/segments.js';
import { temporaryNameFor } from '../util/fs.js';
import { planSegments, segmentInfo, type Segment } from './segments.js';

export interface RenderOptions {
  signal?: AbortSignal;
  onFrames?: (n: number) => void;
}

/** Writes the filter script (and the lanes' commands) for `tracks` on `video` into `work`; returns the script's path. */
async function writeGraph(tracks: MaskTrack[], config: Config, video: GraphVideo, work: string, prefix = ''): Promise<string> {
  const script = join(work, 'masks.filter');
  const { graph, scripts } = maskRender(tracks, config.mask.style, video);
  for (const [i, commands] of scripts.entries()) await writeFile(commandScript(video.lanes!.commandsPrefix, i), commands, { mode: 0o600 });
  await writeFile(script, prefix + graph, { mode: 0o600 });
  return script;
}

/** Only moving masks need ffmpeg's overlay frame numbering; a still screen skips the check. */
const frameBaseFor = async (tracks: readonly MaskTrack[]) => (tracks.some((t) => t.path) ? overlayFrameBase() : 0);

async function checkFrames(path: string, expected: number, config: Config, what: string): Promise<void> {
  const rendered = await probeVideo(path, config).catch((err) => {
    throw new TransientError(`the ${what} cannot be read back (${(err as Error).message})`);
  });
  if (rendered.frameCount !== expected) throw new TransientError(`the ${what} has ${rendered.frameCount} frames, not ${expected}`);
}

/** What a render of a whole recording draws, and where. */
export interface WholeRender {
  input: string;
  /** The output, under its temporary name. */
  partial: string;
  info: VideoInfo;
  tracks: MaskTrack[];
  episodes: readonly GraphEpisode[];
  config: Config;
  container: string;
  /** A private directory for the filter script and the parts. */
  work: string;
}

/** Renders `tracks` into `partial` and checks the result has every frame of the input. */
export async function renderWhole(
  { input, partial, info, tracks, episodes, config, container, work }: WholeRender,
  options: RenderOptions,
): Promise<void> {
  // Many boxes are drawn by lanes moved by timed commands, and a scroll's masks clipped to
  // its region by a pane timed frame by frame: both need each frame's time.
  const timed = tracks.length > LANE_MIN_BOXES || tracks.some((t) => t.path);
  const times = timed ? await probeFrameTimes(input, info, config, options.signal) : undefined;
  const video: GraphVideo = {
    ...info,
    overlayFrameBase: await frameBaseFor(tracks),
    episodes,
    ...(times ? { lanes: { times, commandsPrefix: join(work, 'masks.cmd') } } : {}),
  };
  const script = await writeGraph(tracks, config, video, work);
  await runFfmpeg(renderJob(input, partial, info, script, config, container), options);
  await checkFrames(partial, info.frameCount, config, 'render');
}

/** Shorter recordings are rendered whole: a part's own start costs more than it saves. */
const MIN_PARTS_SEC = 20;

/** How an output was rendered: in how many parts joined, and each part's first frame after the first. */
export interface Rendered {
  parts: number;
  cuts: number[];
}

/**
 * Renders `tracks` into `partial`, in `parts` parts at once where it can (cut at keyframes,
 * each rendered as a segment, joined), else whole; checks the result has every frame of
 * the input; says how many parts were joined, and the first frame of each after the
 * first. The masks are drawn on one thread a render: on a screen with many masks the
 * encoder waits for them, and parts keep more cores busy.
 */
export async function renderInParts(render: WholeRender, parts: number, options: RenderOptions): Promise<Rendered> {
  const { input, partial, info, tracks, episodes, config, container, work } = render;
  const whole = async () => {
    await renderWhole(render, options);
    return { parts: 1, cuts: [] };
  };
  if (parts < 2 || info.durationSec < MIN_PARTS_SEC || !JOINABLE_CONTAINERS.includes(container)) return whole();
  const frames = await probeFrames(input, info, config, options.signal);
  const segments = frames ? planSegments(frames.times, frames.keyframes, (0.9 * info.durationSec) / parts, 0) : [];
  if (!frames || segments.length < 2) return whole();
  const { times } = frames;
  const done = new Array<number>(segments.length).fill(0);
  const dirs = segments.map((s) => join(work, `part${s.index}`));
  try {
    const paths = await Promise.all(
      segments.map(async (segment) => {
        const dir = dirs[segment.index];
        await mkdir(dir, { mode: 0o700 });
        const path = join(dir, 'video.mp4');
        await renderSegment(input, path, info, segment, tracks, episodes, times, config, dir, {
          signal: options.signal,
          onFrames: (n) => {
            done[segment.index] = n;
            options.onFrames?.(done.reduce((a, b) => a + b, 0));
          },
        });
        return { path, segment };
      }),
    );
    if (!(await joinRenders(input, paths, partial, info, config, container, work, options))) return await whole();
    return { parts: segments.length, cuts: segments.slice(1).map((s) => s.firstFrame) };
  } finally {
    // Gone whatever happened: a second pass renders again in the same work directory.
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  }
}

/**
 * Renders one segment's frames (the whole recording's `tracks`, cut to the segment) into
 * `output`, an MP4 of its video alone timed from 0. `times` are the whole recording's frame
 * times (probeFrames), which a segment always has (see segmentsOf).
 */
export async function renderSegment(
  input: string,
  output: string,
  info: VideoInfo,
  segment: Segment,
  tracks: readonly MaskTrack[],
  episodes: readonly GraphEpisode[],
  times: readonly number[],
  config: Config,
  work: string,
  options: RenderOptions = {},
): Promise<void> {
  const { firstFrame: first, frameCount: count } = segment;
  const own = withinSegment(tracks, episodes, first, count, config.mask.style);
  const video: GraphVideo = {
    fps: info.fps,
    frameCount: count,
    width: info.width,
    height: info.height,
    overlayFrameBase: await frameBaseFor(own.tracks),
    episodes: own.episodes,
    lanes: { times: times.slice(first, first + count).map((t) => t - times[first]), commandsPrefix: join(work, 'masks.cmd') },
  };
  const script = await writeGraph(own.tracks, config, video, work, segmentFilterPrefix(segment.lead));
  const partial = temporaryNameFor(output);
  try {
    await runFfmpeg(segmentRenderJob(input, partial, segmentInfo(info, segment), script, config), options);
    await checkFrames(partial, count, config, `render of segment ${segment.index + 1}`);
    await rename(partial, output);
  } finally {
    await rm(partial, { force: true });
  }
}

/**
 * Joins rendered segments (in order) into `partial` with the input's audio. Each segment
 * lasts until the next one's first frame (at a variable frame rate, its last frame's own
 * duration does not say when that is). True when the result has every frame of the input
 * at its time (within a quarter of a frame); false (and `partial` gone) when it does not,
 * or the input's frame times cannot be read, for the caller to render whole instead.
 */
export async function joinRenders(
  input: string,
  parts: ReadonlyArray<{ path: string; segment: Segment }>,
  partial: string,
  info: VideoInfo,
  config: Config,
  container: string,
  work: string,
  options: RenderOptions = {},
): Promise<boolean> {
  // A concat script takes one name a line.
  if (parts.some((p) => /[\r\n]/.test(p.path))) return false;
  const want = await probeFrameTimes(input, info, config, options.signal);
  if (!want) return false;
  const list = join(work, 'segments.txt');
  const lines = parts.map(({ path, segment }, k) => {
    const next = parts[k + 1]?.segment.firstFrame;
    const duration = next === undefined ? '' : `duration ${(want[next] - want[segment.firstFrame]).toFixed(6)}\n`;
    return `file '${path.replace(/'/g, "'\\''")}'\n${duration}`;
  });
  await writeFile(list, lines.join(''), { mode: 0o600 });
  await runFfmpeg(joinRendersJob(list, input, partial, info, container), options);
  const joined = await probeVideo(partial, config).catch(() => undefined);
  const got = joined && (await probeFrameTimes(partial, joined, config, options.signal));
  const slack = 1 / (4 * info.fps);
  if (got && got.length === want.length && got.every((t, i) => Math.abs(t - want[i]) <= slack)) return true;
  await rm(partial, { force: true });
  return false;
}
