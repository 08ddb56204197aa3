/**
 * Pure builders of ffmpeg options. The adapter in ffmpeg.ts only runs what these return,
 * so every argument the pipeline passes to ffmpeg is visible (and tested) here.
 */
import type { Config } from '../config.js';
import { fileUrl, pinnedInputOptions, timeLimitSec } from './input.js';
import type { VideoInfo } from './video-info.js';

export interface FfmpegJob {
  input: string;
  inputOptions: string[];
  outputOptions: string[];
  /** A file path, or null to stream the output on stdout. */
  output: string | null;
  /** Further inputs, each after its own options (numbered 1, 2, ... in maps). */
  moreInputs?: Array<{ input: string; inputOptions: string[] }>;
  /**
   * Killed (SIGKILL) when it runs longer than this: on the wall clock when it writes a file,
   * in ffmpeg's own CPU time when it streams to a reader that may keep it waiting. Every job
   * on an input has one.
   */
  timeLimitSec?: number;
}

/**
 * The input side of every job that reads a recording: its demuxer pinned, the file
 * protocol alone, the path as a file URL, and a time limit from its duration (input.ts).
 */
function recordingInput(path: string, info: VideoInfo, extra: string[] = []): Pick<FfmpegJob, 'input' | 'inputOptions' | 'timeLimitSec'> {
  return {
    input: fileUrl(path),
    inputOptions: [...QUIET, ...extra, ...pinnedInputOptions(info.demuxer)],
    timeLimitSec: timeLimitSec(info.durationSec),
  };
}

/** Quiet on stderr except errors, so nothing from the input (its metadata, say) is logged. */
export const QUIET = ['-hide_banner', '-loglevel', 'error'];

/**
 * Decodes the video stream alone to raw frames on stdout, every frame at its own time. On
 * a segment (see VideoInfo.segment), a job that does not seek itself seeks to the
 * segment's first frame and stops after its last.
 */
function rawFramesJob(path: string, info: VideoInfo, filter: string[], output: string[] = [], input: string[] = []): FfmpegJob {
  if (info.segment && !input.includes('-ss')) {
    input = [...input, '-ss', info.segment.seekSec.toFixed(6)];
    if (!output.includes('-frames:v')) output = [...output, '-frames:v', String(info.frameCount)];
  }
  return {
    ...recordingInput(path, info, input),
    outputOptions: ['-map', `0:${info.videoStreamIndex}`, '-an', '-sn', '-dn', ...filter, '-fps_mode', 'passthrough', ...output, '-f', 'rawvideo'],
    output: null,
  };
}

/** Frame indices the analysis reads: every `step`-th frame, and always the last one. */
export function sampleFrameIndices(frameCount: number, step: number): number[] {
  const out: number[] = [];
  for (let n = 0; n < frameCount; n += step) out.push(n);
  if (out[out.length - 1] !== frameCount - 1) out.push(frameCount - 1);
  return out;
}

export function sampleStep(info: VideoInfo, intervalSec: number): number {
  return Math.max(1, Math.round(info.fps * intervalSec));
}

/**
 * Decodes every frame reduced 4x by area averaging, as 8-bit grey: one raw image of
 * floor(width / 4) x floor(height / 4) bytes a frame on stdout. Each byte is the mean of
 * 4x4 pixels, enough to see any stroke change and cheap to pipe.
 */
export function reducedFramesJob(path: string, info: VideoInfo): FfmpegJob {
  return rawFramesJob(path, info, ['-vf', `extractplanes=y,scale=${Math.floor(info.width / 4)}:${Math.floor(info.height / 4)}:flags=area,format=gray`]);
}

/**
 * The filter that keeps the listed frames (by number) as full-size grey. The terms are
 * summed as a balanced tree: ffmpeg's expression parser gives up on a flat sum of more
 * than about a hundred terms.
 */
export function selectFramesFilter(frames: readonly number[]): string {
  const terms = [...new Set(frames)].sort((a, b) => a - b).map((n) => `eq(n\\,${n})`);
  return `select='${balancedSum(terms)}',format=gray`;
}

/** Terms of an ffmpeg expression summed as a balanced tree: its parser gives up on a flat sum of about a hundred. */
export function balancedSum(terms: readonly string[]): string {
  return terms.length <= 8
    ? terms.join('+')
    : `(${balancedSum(terms.slice(0, terms.length >> 1))})+(${balancedSum(terms.slice(terms.length >> 1))})`;
}

/**
 * Decodes the `count` frames listed in a filter script (see selectFramesFilter), full size,
 * grey, and stops after the last of them instead of decoding the rest of the video.
 */
export function selectedFramesJob(path: string, info: VideoInfo, filterScriptPath: string, count: number): FfmpegJob {
  return rawFramesJob(path, info, ['-filter_script:v', filterScriptPath], ['-frames:v', String(count)]);
}

/**
 * A check of how this ffmpeg numbers frames in overlay position expressions: a 16 px box
 * overlaid at y = n * 16 on three grey frames. Frame 0 shows it at y 0 if `n` counts from
 * 0, at y 16 if from 1 (ffmpeg 5.1 does the latter; its `enable` counts from 0).
 */
export function overlayNumberingJob(): FfmpegJob {
  return {
    input: 'color=c=black:s=16x64:r=10:d=0.3',
    inputOptions: [...QUIET, '-f', 'lavfi'],
    outputOptions: ['-filter_complex', "color=c=white:s=16x16:r=10[m];[0:v][m]overlay=x=0:y='n*16':eval=frame:shortest=1,format=gray", '-frames:v', '1', '-f', 'rawvideo'],
    output: null,
  };
}

/** A hair before the frame's time, so rounding never lands on the next frame. */
function seekTo(info: VideoInfo, frame: number): string[] {
  const segment = info.segment;
  if (!segment) return ['-ss', Math.max(0, (frame - 0.25) / info.fps).toFixed(6)];
  return ['-ss', (frame === 0 ? segment.seekSec : segment.startSec + (frame - 0.25) / info.fps).toFixed(6)];
}

/**
 * Decodes one frame, found by seeking to its time (from the keyframe before it, not from
 * the start of the file): full size, grey. For a few frames spread over a long video.
 */
export function seekFrameJob(path: string, info: VideoInfo, frame: number): FfmpegJob {
  return rawFramesJob(path, info, ['-vf', 'format=gray'], ['-frames:v', '1'], seekTo(info, frame));
}

/** One frame, found by seeking, scaled to a thumbnail of width x height as raw RGB (contact sheets). */
export function seekThumbnailJob(path: string, info: VideoInfo, frame: number, width: number, height: number): FfmpegJob {
  return rawFramesJob(path, info, ['-vf', `scale=${width}:${height}:flags=area,format=rgb24`], ['-frames:v', '1'], seekTo(info, frame));
}

/**
 * Frames first..first+count-1 of one region, found by seeking: grey, full height, a
 * quarter of the width (each value the mean of 4 pixels of a row), for measuring how far
 * the region's content moved (vertical moves stay exact to the pixel).
 */
export function regionRowsJob(path: string, info: VideoInfo, box: { x: number; y: number; w: number; h: number }, first: number, count: number): FfmpegJob {
  return regionJob(path, info, box, first, count, `scale=${box.w / 4}:${box.h}:flags=area,`);
}

/** The luma of `box` over `count` frames from `first`, through `scale` (a filter and a comma, or nothing), as grey. */
function regionJob(path: string, info: VideoInfo, box: { x: number; y: number; w: number; h: number }, first: number, count: number, scale: string): FfmpegJob {
  const filter = `extractplanes=y,crop=${box.w}:${box.h}:${box.x}:${box.y},${scale}format=gray`;
  return rawFramesJob(path, info, ['-vf', filter], ['-frames:v', String(count)], seekTo(info, first));
}

/** As regionRowsJob, for sideways motion: full width, each value the mean of 4 pixels of one column. */
export function regionColumnsJob(path: string, info: VideoInfo, box: { x: number; y: number; w: number; h: number }, first: number, count: number): FfmpegJob {
  return regionJob(path, info, box, first, count, `scale=${box.w}:${box.h / 4}:flags=area,`);
}

/** As regionRowsJob, at full size: for sideways motion that also drifts a little up or down. */
export function regionFullJob(path: string, info: VideoInfo, box: { x: number; y: number; w: number; h: number }, first: number, count: number): FfmpegJob {
  return regionJob(path, info, box, first, count, '');
}

/** Decodes the sampled frames as 8-bit grey, full size, one raw frame after another on stdout. */
export function sampledGreyFramesJob(path: string, info: VideoInfo, step: number): FfmpegJob {
  const last = info.frameCount - 1;
  return rawFramesJob(path, info, ['-vf', `select='not(mod(n\\,${step}))+eq(n\\,${last})',format=gray`]);
}

const CONTAINER_BY_EXTENSION: Record<string, string> = {
  '.mp4': 'mp4',
  '.m4v': 'mp4',
  '.mov': 'mov',
  '.mkv': 'matroska',
  '.webm': 'webm',
};

export function containerForPath(path: string): string | undefined {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? undefined : CONTAINER_BY_EXTENSION[path.slice(dot).toLowerCase()];
}

export const OUTPUT_EXTENSIONS = Object.keys(CONTAINER_BY_EXTENSION);

/** Audio codecs each output container takes as they are; anything else is re-encoded. */
const AUDIO_COPIES: Record<string, string[]> = {
  mp4: ['aac', 'mp3', 'alac', 'opus', 'ac3', 'eac3', 'flac'],
  mov: ['aac', 'mp3', 'alac', 'ac3', 'pcm_s16le', 'pcm_s16be', 'pcm_s24le'],
  webm: ['opus', 'vorbis'],
};

/**
 * How the audio goes into `container`: copied untouched where the container takes the
 * codec (matroska takes anything), else re-encoded (Opus for WebM, AAC otherwise), so a
 * recording whose name and content disagree is still rendered, not failed over and over.
 */
export function audioCodecOptions(container: string, audio: VideoInfo['audio'], from = 0): string[] {
  if (!audio.length) return [];
  const copies = AUDIO_COPIES[container];
  if (!copies || audio.every((a) => copies.includes(a.codec))) return ['-map', `${from}:a`, '-c:a', 'copy'];
  return ['-map', `${from}:a`, ...(container === 'webm' ? ['-c:a', 'libopus', '-b:a', '96k'] : ['-c:a', 'aac', '-b:a', '160k'])];
}

/**
 * One re-encode with the masks burned in: the same frames at the same times (no frame is
 * dropped or duplicated), audio copied as it is where the container allows (see above), and nothing else from the input carried
 * over: no container or stream metadata, chapters, subtitles, data or attachments.
 */
export function renderJob(
  input: string,
  output: string,
  info: VideoInfo,
  filterScriptPath: string,
  config: Config,
  container: string,
): FfmpegJob {
  return {
    ...recordingInput(input, info, ['-stats']),
    outputOptions: [
      '-map', `0:${info.videoStreamIndex}`,
      ...audioCodecOptions(container, info.audio),
      '-filter_script:v', filterScriptPath,
      ...videoEncodeOptions(info, config, container),
      '-fps_mode', 'passthrough',
      ...cleanOutputOptions(container),
    ],
    output,
  };
}

function videoEncodeOptions(info: VideoInfo, config: Config, container: string): string[] {
  const codec = container === 'webm'
    ? ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-crf', String(config.encode.crf + 12), '-b:v', '0']
    : ['-c:v', 'libx264', '-preset', config.encode.preset, '-crf', String(config.encode.crf)];
  const evenSize = info.width % 2 === 0 && info.height % 2 === 0;
  return [...codec, '-pix_fmt', evenSize ? 'yuv420p' : 'yuv444p'];
}

/** Nothing from the input beyond its video and audio: no metadata, chapters, subtitles or data. */
function cleanOutputOptions(container: string): string[] {
  return [
    '-map_metadata', '-1',
    '-map_metadata:s:v', '-1',
    '-map_metadata:s:a', '-1',
    '-map_chapters', '-1',
    '-sn', '-dn',
    ...(container === 'mp4' || container === 'mov' ? ['-movflags', '+faststart'] : []),
    '-f', container,
    '-y',
  ];
}

/** The containers whose video (H.264) a render in segments can be joined into without a second encode. */
export const JOINABLE_CONTAINERS = ['mp4', 'mov', 'matroska'];

/**
 * One segment of a render (`info` as segmentInfo gives it: a lead-in, then the segment's
 * own frames): decoded from the lead-in's seek point, the lead-in dropped by the filter
 * script itself (see segmentFilterPrefix), `frameCount - lead` frames encoded as H.264 in
 * MP4, video alone, timed from 0.
 */
export function segmentRenderJob(input: string, output: string, info: VideoInfo, filterScriptPath: string, config: Config): FfmpegJob {
  const segment = info.segment;
  if (!segment) throw new Error('segmentRenderJob needs a segment');
  return {
    ...recordingInput(input, info, ['-stats', '-ss', segment.seekSec.toFixed(6)]),
    outputOptions: [
      '-map', `0:${info.videoStreamIndex}`,
      '-an',
      '-filter_script:v', filterScriptPath,
      ...videoEncodeOptions(info, config, 'mp4'),
      '-fps_mode', 'passthrough',
      '-frames:v', String(info.frameCount - segment.lead),
      ...cleanOutputOptions('mp4'),
    ],
    output,
  };
}

/** What a segment's filter script starts with: the lead-in dropped, the segment's own frames timed from 0. */
export const segmentFilterPrefix = (lead: number) => `trim=start_frame=${lead},setpts=PTS-STARTPTS,`;

/**
 * The rendered segments (listed, in order, in a concat script of `file` lines) joined
 * without a second encode, with the input's audio (copied where the container takes it).
 */
export function joinRendersJob(listPath: string, input: string, output: string, info: VideoInfo, container: string): FfmpegJob {
  const original = recordingInput(input, info);
  return {
    input: fileUrl(listPath),
    inputOptions: [...QUIET, '-stats', '-f', 'concat', '-safe', '0', '-protocol_whitelist', 'file'],
    moreInputs: info.audio.length ? [{ input: original.input, inputOptions: original.inputOptions }] : [],
    timeLimitSec: original.timeLimitSec,
    outputOptions: ['-map', '0:v', '-c:v', 'copy', ...audioCodecOptions(container, info.audio, 1), ...cleanOutputOptions(container)],
    output,
  };
}

/** The yardstick: a plain re-encode of the same file with the same encoder settings (and the same pinned input). */
export function plainTranscodeJob(input: string, output: string, config: Config, info: VideoInfo): FfmpegJob {
  return {
    ...recordingInput(input, info),
    outputOptions: [
      '-map', '0:v:0', '-map', '0:a?', '-c:a', 'copy',
      '-c:v', 'libx264', '-preset', config.encode.preset, '-crf', String(config.encode.crf),
      '-pix_fmt', 'yuv420p', '-fps_mode', 'passthrough', '-f', 'mp4', '-y',
    ],
    output,
  };
}
