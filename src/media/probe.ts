import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import type { Config } from '../config.js';
import { AbortedError, BadInputError, TransientError } from '../errors.js';
import { demuxerOf, fileUrl, pinnedInputOptions, type Demuxer } from './input.js';
import { VideoInfoSchema, type VideoInfo } from './video-info.js';

interface RawStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  nb_frames?: string | number;
  nb_read_packets?: string | number;
  duration?: string | number;
  disposition?: { attached_pic?: number };
  tags?: { rotate?: string | number };
  side_data_list?: Array<{ rotation?: number | string }>;
}

interface RawProbe {
  streams: RawStream[];
  format: { format_name?: string; duration?: string | number; size?: string | number };
}

function ratio(text: string | undefined): number {
  if (!text) return 0;
  const [n, d] = text.split('/').map(Number);
  if (!Number.isFinite(n)) return 0;
  if (d === undefined) return n;
  return d > 0 ? n / d : 0;
}

function int(value: string | number | undefined): number | undefined {
  const n = typeof value === 'number' ? value : value === undefined ? NaN : Number.parseInt(value, 10);
  return Number.isFinite(n) ? n : undefined;
}

function num(value: string | number | undefined): number | undefined {
  const n = typeof value === 'number' ? value : value === undefined ? NaN : Number.parseFloat(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Pure: turns ffprobe's output into VideoInfo, or says why the input cannot be used. */
export function videoInfoFromProbe(raw: RawProbe, sizeBytes: number, config: Config, demuxer: Demuxer = 'mov'): VideoInfo {
  // The pinned demuxer read it; anything else (a playlist, an image sequence) never gets here.
  if (raw.format.format_name && !raw.format.format_name.split(',').some((n) => n === demuxer || (demuxer === 'matroska' && n === 'webm'))) {
    throw new BadInputError('the input is not an MP4/MOV or Matroska/WebM video');
  }
  const video = raw.streams.filter((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const v = video[0];
  if (!v) throw new BadInputError('the input has no video stream');
  const codedW = v.width ?? 0;
  const codedH = v.height ?? 0;
  if (codedW <= 0 || codedH <= 0) throw new BadInputError('the video stream has no frame size');
  const rotationRaw =
    num(v.side_data_list?.find((d) => d.rotation !== undefined)?.rotation) ?? num(v.tags?.rotate) ?? 0;
  const rotation = ((Math.round(rotationRaw / 90) * 90) % 360 + 360) % 360;
  const [width, height] = rotation % 180 === 0 ? [codedW, codedH] : [codedH, codedW];
  const { maxWidth, maxHeight, maxDurationSec, maxFps } = config.limits;
  if (width > maxWidth || height > maxHeight) {
    throw new BadInputError(`frame size ${width}x${height} is over the limit of ${maxWidth}x${maxHeight}`);
  }
  const fps = ratio(v.avg_frame_rate) || ratio(v.r_frame_rate);
  if (!(fps > 0)) throw new BadInputError('the video stream has no frame rate');
  if (fps > maxFps) throw new BadInputError(`frame rate ${fps.toFixed(2)} is over the limit of ${maxFps}`);
  const packets = int(v.nb_read_packets) ?? 0;
  if (packets <= 0) throw new BadInputError('the video stream has no frames');
  const declared = int(v.nb_frames);
  if (declared !== undefined && declared > 0 && packets < declared) {
    throw new BadInputError(`the file is truncated: ${packets} of ${declared} video frames are present`);
  }
  const durationSec = num(v.duration) ?? num(raw.format.duration) ?? packets / fps;
  if (!(durationSec > 0)) throw new BadInputError('the video has zero duration');
  if (durationSec > maxDurationSec) {
    throw new BadInputError(`duration ${Math.round(durationSec)} s is over the limit of ${maxDurationSec} s`);
  }
  const audio = raw.streams
    .filter((s) => s.codec_type === 'audio')
    .map((s) => ({ index: s.index, codec: s.codec_name ?? 'unknown' }));
  const droppedStreams = raw.streams
    .filter((s) => s.index !== v.index && s.codec_type !== 'audio')
    .map((s) => ({ index: s.index, type: s.codec_type ?? 'unknown', codec: s.codec_name ?? 'unknown' }));
  return VideoInfoSchema.parse({
    sizeBytes,
    demuxer,
    container: raw.format.format_name ?? 'unknown',
    durationSec,
    width,
    height,
    rotation,
    fps,
    frameCount: packets,
    videoCodec: v.codec_name ?? 'unknown',
    pixelFormat: v.pix_fmt ?? 'unknown',
    videoStreamIndex: v.index,
    audio,
    droppedStreams,
  });
}

/** The ffprobe binary: FFPROBE_PATH, or the one on PATH (as fluent-ffmpeg finds it). */
export function ffprobeBinary(): string {
  return process.env.FFPROBE_PATH || 'ffprobe';
}

/** Pure: ffprobe's arguments for an input read with `demuxer` (pinned, file protocol only). */
export function ffprobeArgs(path: string, demuxer: Demuxer): string[] {
  return [
    '-hide_banner', '-loglevel', 'error',
    ...pinnedInputOptions(demuxer),
    '-count_packets', '-show_streams', '-show_format', '-of', 'json',
    '-i', fileUrl(path),
  ];
}

/**
 * Pure: ffprobe's arguments to list the timestamps and flags of one stream's packets and
 * the file's start time, as CSV lines `packet,<s>,<flags>` and `format,<s>` (pinned
 * demuxer, file protocol only). A keyframe's flags begin with K.
 */
export function packetTimesArgs(path: string, demuxer: Demuxer, streamIndex: number): string[] {
  return [
    '-hide_banner', '-loglevel', 'error',
    ...pinnedInputOptions(demuxer),
    '-select_streams', String(streamIndex),
    '-show_entries', 'packet=pts_time,flags:format=start_time', '-of', 'csv=p=1',
    '-i', fileUrl(path),
  ];
}

/**
 * Pure: the time of each frame as ffmpeg's filters see it (seconds from the file's start,
 * the frames in presentation order), from packetTimesArgs' output; undefined unless there
 * is one distinct time a frame.
 */
export function frameTimesFrom(csv: string, frameCount: number): number[] | undefined {
  return framesFrom(csv, frameCount)?.times;
}

/**
 * Pure: as frameTimesFrom, with the frames (by number, in presentation order) that are
 * keyframes: where a decode can start without anything before it.
 */
export function framesFrom(csv: string, frameCount: number): { times: number[]; keyframes: number[] } | undefined {
  let start: number | undefined;
  const packets: Array<{ t: number; key: boolean }> = [];
  for (const line of csv.split('\n')) {
    const [section, value, flags] = line.trim().split(',');
    if (section === 'format') start = Number.parseFloat(value);
    else if (section === 'packet') packets.push({ t: Number.parseFloat(value), key: (flags ?? '').startsWith('K') });
  }
  if (start === undefined || !Number.isFinite(start) || packets.length !== frameCount || packets.some((p) => !Number.isFinite(p.t))) return undefined;
  packets.sort((a, b) => a.t - b.t);
  for (let i = 1; i < packets.length; i++) if (!(packets[i].t > packets[i - 1].t)) return undefined;
  const keyframes = packets.flatMap((p, i) => (p.key ? [i] : []));
  return { times: packets.map((p) => p.t - start!), keyframes };
}

/**
 * Each frame's time in ffmpeg's filters (see frameTimesFrom), read from the container's
 * packets without decoding; undefined when they cannot be known exactly or read.
 */
export async function probeFrameTimes(path: string, info: VideoInfo, config: Config, signal?: AbortSignal): Promise<number[] | undefined> {
  return (await probeFrames(path, info, config, signal))?.times;
}

/** Each frame's time and the keyframes (see framesFrom); undefined when they cannot be known exactly or read. */
export async function probeFrames(path: string, info: VideoInfo, config: Config, signal?: AbortSignal): Promise<{ times: number[]; keyframes: number[] } | undefined> {
  try {
    const csv = await runFfprobe(path, packetTimesArgs(path, info.demuxer, info.videoStreamIndex), config.limits.probeTimeoutSec, signal);
    return framesFrom(csv, info.frameCount);
  } catch (err) {
    // Only a stop ends the job here: its callers have a way on without the times.
    if (err instanceof AbortedError) throw err;
    return undefined;
  }
}

/**
 * Runs ffprobe with a time limit and the caller's abort signal; it is killed (SIGKILL) by
 * either. fluent-ffmpeg's ffprobe offers neither, so this one runs the binary itself.
 */
function runFfprobe(path: string, args: string[], timeoutSec: number, signal?: AbortSignal): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      ffprobeBinary(),
      args,
      { timeout: timeoutSec * 1000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, signal, windowsHide: true },
      (err, stdout, stderr) => {
        if (err) {
          const e = err as NodeJS.ErrnoException & { killed?: boolean };
          if (signal?.aborted) return reject(new AbortedError('stopped before the probe finished'));
          if (e.code === 'ENOENT') return reject(new TransientError('ffprobe could not be started: install ffmpeg (npm run setup) or set FFPROBE_PATH'));
          if (e.killed) return reject(new BadInputError(`the input could not be read within ${timeoutSec} s`));
          return reject(new BadInputError(`the input is not a readable video (${lastLine(scrubPath(String(stderr || e.message), path))})`));
        }
        resolvePromise(String(stdout));
      },
    );
  });
}

/**
 * Probes a file; every way it can be unusable becomes a BadInputError with a clear message.
 * Messages never name the path: a file's name can itself be personal data, and a server
 * path tells an uploader where things are kept.
 */
export async function probeVideo(path: string, config: Config, options: { signal?: AbortSignal } = {}): Promise<VideoInfo> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new BadInputError('the input is not a regular file');
    size = st.size;
  } catch (err) {
    if (err instanceof BadInputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new BadInputError(code === 'ENOENT' ? 'the input does not exist' : `the input cannot be read (${code ?? 'error'})`);
  }
  if (size === 0) throw new BadInputError('the input is empty (0 bytes)');
  const demuxer = await demuxerOf(path);
  const out = await runFfprobe(path, ffprobeArgs(path, demuxer), config.limits.probeTimeoutSec, options.signal);
  let raw: RawProbe;
  try {
    raw = JSON.parse(out) as RawProbe;
  } catch {
    throw new BadInputError('the input is not a readable video (ffprobe gave no description)');
  }
  return videoInfoFromProbe(raw, size, config, demuxer);
}

/** Replaces every mention of `path` (whole, as a file URL, or its base name) in a tool's message. */
export function scrubPath(text: string, path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  let out = text;
  for (const s of [fileUrl(path), path, base].filter((x) => x.length >= 3)) out = out.split(s).join('the input');
  return out;
}

/** The last meaningful line of a tool's error output, without the path prefix ffmpeg adds. */
export function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^ff(probe|mpeg) (exited|was killed)/.test(l) && !/^Command failed:/.test(l));
  const line = lines[lines.length - 1] ?? 'unknown error';
  return line.replace(/^.*?:\s(?=[A-Z])/, '').slice(0, 200);
}
