import { stat } from 'node:fs/promises';
import ffmpeg from 'fluent-ffmpeg';
import type { Config } from '../config.js';
import { BadInputError, TransientError } from '../errors.js';
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
export function videoInfoFromProbe(raw: RawProbe, sizeBytes: number, config: Config): VideoInfo {
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

function runFfprobe(path: string): Promise<RawProbe> {
  return new Promise((resolve, reject) => {
    ffmpeg.ffprobe(path, ['-count_packets'], (err, data) => {
      if (err) reject(err);
      else resolve(data as unknown as RawProbe);
    });
  });
}

/** Probes a file; every way it can be unusable becomes a BadInputError with a clear message. */
export async function probeVideo(path: string, config: Config): Promise<VideoInfo> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new BadInputError(`${path} is not a regular file`);
    size = st.size;
  } catch (err) {
    if (err instanceof BadInputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new BadInputError(
      code === 'ENOENT' ? `${path} does not exist` : `cannot read ${path} (${code ?? 'error'})`,
    );
  }
  if (size === 0) throw new BadInputError(`${path} is empty (0 bytes)`);
  let raw: RawProbe;
  try {
    raw = await runFfprobe(path);
  } catch (err) {
    const message = String((err as Error).message ?? err);
    if (/ENOENT|spawn|Cannot find ffprobe/i.test(message)) {
      throw new TransientError('ffprobe could not be started: install ffmpeg (npm run setup) or set FFPROBE_PATH');
    }
    throw new BadInputError(`${path} is not a readable video (${lastLine(message)})`);
  }
  return videoInfoFromProbe(raw, size, config);
}

/** The last meaningful line of a tool's error output, without the path prefix ffmpeg adds. */
export function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^ffprobe (exited|was killed)/.test(l));
  const line = lines[lines.length - 1] ?? 'unknown error';
  return line.replace(/^.*?:\s(?=[A-Z])/, '').slice(0, 200);
}
