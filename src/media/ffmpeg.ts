/**
 * The one adapter that runs ffmpeg (through fluent-ffmpeg). Arguments come from
 * ffmpeg-args.ts; this file only starts the process, reports progress, streams output,
 * stops it on abort and turns failures into classified errors.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import { AbortedError, BadInputError, TransientError } from '../errors.js';
import { overlayNumberingJob, type FfmpegJob } from './ffmpeg-args.js';
import { lastLine, scrubPath } from './probe.js';

export interface RunOptions {
  signal?: AbortSignal;
  /** Frames written so far, from ffmpeg's stats line. */
  onFrames?: (frames: number) => void;
}

const DECODE_FAILURE = /Invalid data found|could not find codec|Decoder .* not found|unsupported|moov atom not found|error while decoding|Invalid NAL|corrupt/i;

function classify(err: Error, stderr: string, job: FfmpegJob, signal?: AbortSignal, timedOut = false): Error {
  if (signal?.aborted) return new AbortedError('stopped before it finished');
  if (timedOut) return new TransientError(`ffmpeg was stopped after its time limit of ${job.timeLimitSec} s`);
  // ffmpeg names its input in errors; a file's name can be personal data.
  const input = job.input.startsWith('file:') ? job.input.slice('file:'.length) : job.input;
  const detail = lastLine(scrubPath(stderr || err.message, input));
  if (/ENOENT|Cannot find ffmpeg/i.test(err.message)) {
    return new TransientError('ffmpeg could not be started: install it (npm run setup) or set FFMPEG_PATH');
  }
  if (DECODE_FAILURE.test(stderr)) return new BadInputError(`the video cannot be decoded (${detail})`);
  return new TransientError(`ffmpeg failed (${detail})`);
}

/**
 * fluent-ffmpeg splits a lone array element at its space ("-metadata" values, paths with
 * spaces); passing the options as separate arguments keeps every one whole.
 */
export function addOptions(cmd: ffmpeg.FfmpegCommand, where: 'input' | 'output', options: string[]): ffmpeg.FfmpegCommand {
  if (options.length === 0) return cmd;
  const [first, ...rest] = options;
  return where === 'input' ? cmd.inputOptions(first, ...rest) : cmd.outputOptions(first, ...rest);
}

function command(job: FfmpegJob, options: RunOptions) {
  const cmd = ffmpeg({ stdoutLines: 30 }).input(job.input);
  addOptions(cmd, 'input', [...job.inputOptions, '-nostdin']);
  for (const more of job.moreInputs ?? []) addOptions(cmd.input(more.input), 'input', more.inputOptions);
  addOptions(cmd, 'output', job.outputOptions);
  if (options.onFrames) {
    const onFrames = options.onFrames;
    cmd.on('progress', (p: { frames?: number }) => {
      if (typeof p.frames === 'number' && Number.isFinite(p.frames)) onFrames(p.frames);
    });
  }
  return cmd;
}

/** CPU seconds a process has used (user and system), or undefined where /proc cannot tell. */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, fields 14 and 15 of the line (11 and 12 after the name), in clock ticks of 1/100 s.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Kills ffmpeg (SIGKILL) when `signal` aborts or the job's time limit passes. Returns the
 * detach function and a flag read when ffmpeg ends: did the time limit kill it?
 * A job that writes a file is timed on the wall clock. A job that streams to this process
 * waits whenever its reader is busy (frames queued for OCR), which is no fault of the
 * input: it is timed by the CPU time ffmpeg itself used, which is what a hostile input
 * makes grow, where /proc tells it (on the wall clock elsewhere).
 */
function withLimits(cmd: ffmpeg.FfmpegCommand, job: FfmpegJob, signal: AbortSignal | undefined, streaming = false): { detach: () => void; timedOut: () => boolean } {
  let timedOut = false;
  const kill = () => cmd.kill('SIGKILL');
  signal?.addEventListener('abort', kill, { once: true });
  const limit = job.timeLimitSec;
  const expire = () => {
    timedOut = true;
    kill();
  };
  let timer: NodeJS.Timeout | undefined;
  if (limit && streaming && existsSync('/proc/self/stat')) {
    const started = Date.now();
    timer = setInterval(() => {
      const pid = (cmd as unknown as { ffmpegProc?: { pid?: number } }).ffmpegProc?.pid;
      const used = cpuSeconds(pid);
      // Before ffmpeg has started, or where its CPU time cannot be read, the wall clock counts.
      if (used === undefined ? Date.now() - started > limit * 1000 : used > limit) expire();
    }, Math.min(2000, limit * 250));
  } else if (limit) {
    timer = setTimeout(expire, limit * 1000);
  }
  timer?.unref();
  return {
    detach: () => {
      clearTimeout(timer);
      clearInterval(timer);
      signal?.removeEventListener('abort', kill);
    },
    timedOut: () => timedOut,
  };
}

/** Runs a job that writes a file. */
export function runFfmpeg(job: FfmpegJob, options: RunOptions = {}): Promise<void> {
  if (!job.output) throw new Error('runFfmpeg needs an output path; use streamFfmpeg for pipes');
  if (options.signal?.aborted) return Promise.reject(new AbortedError('stopped before it started'));
  return new Promise((resolve, reject) => {
    const cmd = command(job, options).output(job.output!);
    const { detach, timedOut } = withLimits(cmd, job, options.signal);
    cmd.on('error', (err: Error, _stdout: string | null, stderr: string | null) => {
      detach();
      reject(classify(err, stderr ?? '', job, options.signal, timedOut()));
    });
    cmd.on('end', () => {
      detach();
      resolve();
    });
    cmd.run();
  });
}

export interface FfmpegStream {
  output: Readable;
  done: Promise<void>;
  kill: () => void;
}

/** Runs a job whose output streams on stdout. `done` settles when ffmpeg exits. */
export function streamFfmpeg(job: FfmpegJob, options: RunOptions = {}): FfmpegStream {
  const cmd = command(job, options);
  const { detach, timedOut } = withLimits(cmd, job, options.signal, true);
  const done = new Promise<void>((resolve, reject) => {
    cmd.on('error', (err: Error, _stdout: string | null, stderr: string | null) => {
      detach();
      // A consumer that stops reading early kills ffmpeg on purpose; that is not a failure.
      if (/Output stream closed|EPIPE/.test(err.message) && !options.signal?.aborted && !timedOut()) resolve();
      else reject(classify(err, stderr ?? '', job, options.signal, timedOut()));
    });
    cmd.on('end', () => {
      detach();
      resolve();
    });
  });
  done.catch(() => {});
  const output = cmd.pipe() as Readable;
  return { output, done, kill: () => cmd.kill('SIGKILL') };
}

/** Checks once that the ffmpeg on this machine has what the pipeline uses. */
export async function checkFfmpegCapabilities(): Promise<void> {
  const [encoders, filters] = await Promise.all([
    new Promise<Record<string, unknown>>((res, rej) =>
      ffmpeg.getAvailableEncoders((err, e) => (err ? rej(err) : res(e))),
    ),
    new Promise<Record<string, unknown>>((res, rej) =>
      ffmpeg.getAvailableFilters((err, f) => (err ? rej(err) : res(f))),
    ),
  ]).catch((err: Error) => {
    throw new TransientError(
      `ffmpeg is not usable (${lastLine(err.message)}): install it with 'npm run setup' or set FFMPEG_PATH`,
    );
  });
  const missing = [
    ...['libx264'].filter((e) => !(e in encoders)).map((e) => `encoder ${e}`),
    ...['drawbox', 'boxblur', 'overlay', 'crop', 'scale'].filter((f) => !(f in filters)).map((f) => `filter ${f}`),
  ];
  if (missing.length) throw new TransientError(`this ffmpeg lacks ${missing.join(', ')}`);
}

let overlayBase: Promise<number> | undefined;

/**
 * The number overlay position expressions give frame 0 on this ffmpeg (0 or 1), found once
 * by drawing a box at y = n * 16 (see overlayNumberingJob). Masks that move are placed
 * with it; anything else found is an error, not a guess.
 */
export function overlayFrameBase(): Promise<number> {
  overlayBase ??= (async () => {
    const run = streamFfmpeg(overlayNumberingJob());
    const chunks: Buffer[] = [];
    for await (const c of run.output as AsyncIterable<Buffer>) chunks.push(c);
    await run.done;
    const frame = Buffer.concat(chunks);
    if (frame.length !== 16 * 64) throw new TransientError('ffmpeg did not run the overlay check');
    const row = [0, 16, 32].find((y) => frame[(y + 8) * 16 + 8] > 128);
    if (row === undefined) throw new TransientError('ffmpeg numbers overlay frames in an unexpected way');
    return row / 16;
  })();
  overlayBase.catch(() => (overlayBase = undefined));
  return overlayBase;
}
