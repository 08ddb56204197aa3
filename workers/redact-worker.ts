/**
 * The BullMQ worker: takes redaction jobs, runs each in a child process (so the event
 * loop stays free to renew locks), archives only verified output, and quarantines what
 * can never succeed. Workers on several machines share only Redis and the data root.
 *
 * A long recording is split: its job (the parent) adds one child job a segment, to the
 * same queue, and waits for them (a BullMQ flow); any worker analyses a segment and seals
 * its analysis into the data root. When the last child is done the parent runs again and
 * adds a second child a segment: each plans the masks of the whole recording from all the
 * analyses and renders its segment's frames. Then the parent joins the rendered segments
 * without a second encode (an MP4, MOV or Matroska output; a WebM one it renders whole),
 * and verifies and archives the recording once. A worker killed mid-segment loses that
 * segment alone: its job is taken again.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, UnrecoverableError, WaitingChildrenError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { parseConfig, type ConfigInput } from '../src/config.js';
import { probeVideo } from '../src/media/probe.js';
import { containerForPath, JOINABLE_CONTAINERS } from '../src/media/ffmpeg-args.js';
import { newSealKey } from '../src/pipeline/segments.js';
import { segmentsOf } from '../src/pipeline/split.js';
import {
  QUEUE_NAME,
  RedactJobData,
  redisConnection,
  SEGMENT_JOB,
  SegmentJobData,
  type RedactJobResult,
  type SegmentJobResult,
} from '../src/queue/jobs.js';
import { LocalStorage } from '../src/storage/local.js';
import { safeMessage } from '../src/errors.js';
import { restrictUmask } from '../src/util/fs.js';
import type { ChildMessage, ChildRequest } from './redact-job.js';

export interface WorkerOptions {
  redisUrl: string;
  dataRoot: string;
  queueName?: string;
  concurrency?: number;
  /** Per-job time limit; the child and its ffmpeg are killed when it passes. */
  timeoutSec?: number;
  /** How long a job's lock lasts without renewal (a dead worker's job is retaken after it). */
  lockMs?: number;
  /** Pipeline configuration (the same file as `veil redact --config`). */
  config?: ConfigInput;
  /**
   * Recordings longer than one and a half of these (seconds) are analysed in segments of
   * about this length by child jobs, which any worker takes; 0 never splits. Default 300.
   */
  splitSec?: number;
  /**
   * A split recording's segments rendered by child jobs too, and joined (see the top of
   * this file); false: the parent renders it whole after the analyses. Default true.
   */
  splitRender?: boolean;
  log?: (line: string) => void;
}

// The child runs compiled JavaScript; from the TypeScript sources (tests), use the build.
const HERE = fileURLToPath(import.meta.url);
const CHILD = HERE.endsWith('.ts')
  ? join(dirname(HERE), '../dist/workers/redact-job.js')
  : join(dirname(HERE), 'redact-job.js');

class JobFailure extends Error {
  constructor(
    readonly kind: 'bad-input' | 'verification' | 'transient',
    message: string,
  ) {
    super(message);
  }
}

function runChild(request: ChildRequest, timeoutSec: number, onProgress: (stage: string, percent: number) => void): Promise<Extract<ChildMessage, { type: 'done' }>> {
  return new Promise((resolve, reject) => {
    // The child's own output is not kept: errors come back as classified messages.
    const child: ChildProcess = fork(CHILD, [], { detached: true, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    let outcome: ChildMessage | undefined;
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      outcome = { type: 'error', kind: 'transient', message: `time limit of ${timeoutSec} s passed` };
      killGroup();
    }, timeoutSec * 1000);
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'progress') onProgress(m.stage, m.percent);
      else outcome ??= m;
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      killGroup();
      if (outcome?.type === 'done') resolve(outcome);
      else if (outcome?.type === 'error') reject(new JobFailure(outcome.kind, outcome.message));
      else reject(new JobFailure('transient', `the redaction process ended (${signal ?? code}) without a result`));
    });
    child.send(request);
  });
}

export function startWorker(options: WorkerOptions) {
  restrictUmask();
  const log = options.log ?? ((line: string) => console.error(line));
  const storage = new LocalStorage(options.dataRoot);
  // What an earlier worker left when it was killed: temporary files (not a live job's).
  void storage
    .init()
    .then(() => storage.sweep())
    .catch((err: unknown) => log(`veil worker: sweep of the data root failed: ${safeMessage(err)}`));
  const connection: Redis = redisConnection(options.redisUrl);
  connection.on('error', (err) => log(`veil worker: redis: ${err.message}`));
  const concurrency = options.concurrency ?? 1;

  const jobConfig = (style?: RedactJobData['options']['style']): ConfigInput => ({
    ...options.config,
    mask: { ...options.config?.mask, ...(style ? { style } : {}) },
    analysis: {
      ...options.config?.analysis,
      ocrWorkers: options.config?.analysis?.ocrWorkers ?? Math.max(1, Math.floor(2 / concurrency)),
    },
  });
  const splitSec = options.splitSec ?? 300;
  // Child jobs are added to the same queue (one pool of workers takes both kinds).
  const queue = new Queue(options.queueName ?? QUEUE_NAME, { connection });
  queue.on('error', (err) => log(`veil worker: queue: ${err.message}`));
  const progressOf = (job: Job) => (stage: string, percent: number) => {
    job.updateProgress({ stage, percent }).catch((err: unknown) => log(`veil worker: progress not saved: ${safeMessage(err)}`));
  };
  /** Moves a recording to quarantine for good, with its split analyses gone. */
  const quarantine = async (id: string, ext: string, kind: 'bad-input' | 'verification' | 'failed', message: string, attempts: number) => {
    await storage.quarantine(id, ext, { kind, message, attempts });
    await storage.cleanSegments(id);
  };

  /** The segments to split a recording into, or undefined to redact it whole (an input it cannot probe fails in the child, classified). */
  const planSplit = async (input: string) => {
    if (!(splitSec > 0)) return undefined;
    try {
      const config = parseConfig(jobConfig());
      const info = await probeVideo(input, config);
      const segments = await segmentsOf(input, info, config, splitSec);
      return segments.length > 1 ? segments : undefined;
    } catch {
      return undefined;
    }
  };

  const segmentsReady = async (id: string, count: number) => {
    for (let i = 0; i < count; i++) if (!(await stat(storage.segmentPath(id, i)).catch(() => null))) return false;
    return true;
  };

  const rendersReady = async (id: string, count: number) => {
    for (let i = 0; i < count; i++) if (!(await stat(`${storage.segmentRenderPath(id, i)}.tracks`).catch(() => null))) return false;
    return true;
  };

  const processSegment = async (job: Job): Promise<SegmentJobResult> => {
    const parsed = SegmentJobData.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError('the job payload is not valid');
    const { recordingId: id, segment, key, stage } = parsed.data;
    await storage.init();
    const original = await storage.inboxEntry(id);
    if (!original) throw new UnrecoverableError('the recording is no longer in the inbox');
    await mkdir(storage.segmentsDir(id), { recursive: true, mode: 0o750 });
    try {
      const request: ChildRequest =
        stage === 'render'
          ? {
              kind: 'render',
              input: original.path,
              config: jobConfig(parsed.data.style),
              segment,
              analyses: Array.from({ length: parsed.data.segments ?? 0 }, (_, i) => storage.segmentPath(id, i)),
              key,
              output: storage.segmentRenderPath(id, segment.index),
            }
          : { kind: 'segment', input: original.path, config: jobConfig(), segment, sealed: storage.segmentPath(id, segment.index), key };
      const done = await runChild(request, options.timeoutSec ?? 3600, progressOf(job));
      return { recordingId: id, segment: segment.index, stage, frames: done.frames, reads: done.reads, seconds: done.seconds };
    } catch (err) {
      if (err instanceof JobFailure && err.kind !== 'transient') {
        await quarantine(id, original.ext, err.kind, err.message, job.attemptsMade + 1);
        throw new UnrecoverableError(err.message);
      }
      throw err instanceof JobFailure ? err : new Error(safeMessage(err));
    }
  };

  const processor = async (job: Job, token?: string): Promise<RedactJobResult | SegmentJobResult> => {
    if (job.name === SEGMENT_JOB) return processSegment(job);
    const parsed = RedactJobData.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError('the job payload is not valid');
    let data = parsed.data;
    const { recordingId: id, ext, options: jobOptions } = data;
    await storage.init();
    const done = (alreadyArchived: boolean, m?: Extract<ChildMessage, { type: 'done' }>): RedactJobResult => ({
      recordingId: id,
      archived: relative(options.dataRoot, storage.archivePath(id)),
      alreadyArchived,
      piiTracks: m?.piiTracks ?? 0,
      changingTracks: m?.changingTracks ?? 0,
      durationSec: m?.durationSec ?? 0,
      seconds: m?.seconds ?? 0,
    });
    if (await storage.isArchived(id)) {
      // An earlier attempt archived it and died before cleaning up.
      await storage.removeFromInbox(id, ext);
      await storage.cleanWork(id);
      await storage.cleanSegments(id);
      return done(true);
    }
    const original = await storage.inboxEntry(id);
    if (!original) throw new UnrecoverableError('the recording is no longer in the inbox');
    if (!data.split) {
      const segments = await planSplit(original.path);
      if (segments) {
        data = { ...data, split: { key: newSealKey().toString('base64'), segments } };
        await job.updateData(data);
      }
    }
    const split = data.split;
    /** Adds a child job for each segment at `stage` (one that exists already, an earlier attempt's, is not added again) and waits for them. */
    const runChildren = async (stage: 'analyse' | 'render', ready: () => Promise<boolean>) => {
      if (!split || (await ready())) return;
      await mkdir(storage.segmentsDir(id), { recursive: true, mode: 0o750 });
      for (const segment of split.segments) {
        const render = stage === 'render' ? { segments: split.segments.length, ...(jobOptions.style ? { style: jobOptions.style } : {}) } : {};
        await queue.add(SEGMENT_JOB, SegmentJobData.parse({ recordingId: id, ext, segment, key: split.key, stage, ...render }), {
          jobId: `${id}-${stage === 'render' ? 'r' : 's'}${segment.index}`,
          parent: { id: job.id!, queue: job.queueQualifiedName },
          failParentOnFailure: true,
          attempts: 3,
          backoff: { type: 'exponential', delay: 5000 },
          removeOnComplete: { age: 7 * 24 * 3600 },
          removeOnFail: { age: 30 * 24 * 3600 },
        });
      }
      await job.updateProgress({ stage, percent: stage === 'render' ? 50 : 2 }).catch(() => {});
      if (token && (await job.moveToWaitingChildren(token))) throw new WaitingChildrenError();
      if (!(await ready())) throw new Error(`the ${stage === 'render' ? 'renders' : 'analyses'} of some segments are missing`);
    };
    await runChildren('analyse', () => segmentsReady(id, split?.segments.length ?? 0));
    // Then each segment is rendered by a child too, where the output's video can be joined without a second encode.
    const renderSplit = !!split && options.splitRender !== false && JOINABLE_CONTAINERS.includes(containerForPath(original.ext) ?? '');
    if (renderSplit) await runChildren('render', () => rendersReady(id, split.segments.length));
    await storage.cleanWork(id);
    const work = storage.workDir(id);
    await mkdir(work, { recursive: true });
    const output = `${work}/video${original.ext}`;
    const manifest = `${work}/manifest.json`;
    const segments = split && {
      paths: split.segments.map((s) => storage.segmentPath(id, s.index)),
      key: split.key,
      ...(renderSplit ? { renders: split.segments.map((s) => ({ path: storage.segmentRenderPath(id, s.index), segment: s })) } : {}),
    };
    try {
      const result = await runChild(
        { kind: 'redact', input: original.path, output, manifest, config: jobConfig(jobOptions.style), ...(segments ? { segments } : {}) },
        options.timeoutSec ?? 3600,
        progressOf(job),
      );
      const archived = await storage.archive(id, output, manifest, original.ext);
      await storage.removeFromInbox(id, ext);
      await storage.cleanSegments(id);
      return done(!archived, result);
    } catch (err) {
      if (err instanceof JobFailure && err.kind !== 'transient') {
        await quarantine(id, ext, err.kind, err.message, job.attemptsMade + 1);
        throw new UnrecoverableError(err.message);
      }
      // Retried by BullMQ; a system error's message names paths, so only its code is kept.
      throw err instanceof JobFailure ? err : new Error(safeMessage(err));
    } finally {
      await storage.cleanWork(id);
    }
  };

  const worker = new Worker(options.queueName ?? QUEUE_NAME, processor, {
    connection,
    concurrency,
    lockDuration: options.lockMs ?? 30_000,
    stalledInterval: options.lockMs ?? 30_000,
    maxStalledCount: 2,
  });
  worker.on('error', (err) => log(`veil worker: ${err.message}`));
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    log(`veil worker: ${job.id} failed (attempt ${job.attemptsMade}${final ? ', final' : ''}): ${err.message}`);
    if (final && !(err instanceof UnrecoverableError)) {
      // A segment that fails for good fails its parent (failParentOnFailure): the recording goes to quarantine either way.
      const data = job.name === SEGMENT_JOB ? SegmentJobData.safeParse(job.data) : RedactJobData.safeParse(job.data);
      if (data.success) {
        void quarantine(data.data.recordingId, data.data.ext, 'failed', err.message, job.attemptsMade).catch((e: unknown) =>
          log(`veil worker: quarantine failed: ${safeMessage(e)}`),
        );
      }
    }
  });
  worker.on('completed', (job) => log(`veil worker: ${job.id} archived`));

  return {
    worker,
    async close() {
      await worker.close();
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
