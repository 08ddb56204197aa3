/**
 * The BullMQ worker: takes redaction jobs, runs each in a child process (so the event
 * loop stays free to renew locks), archives only verified output, and quarantines what
 * can never succeed. Workers on several machines share only Redis and the data root.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ConfigInput } from '../src/config.js';
import { QUEUE_NAME, RedactJobData, redisConnection, type RedactJobResult } from '../src/queue/jobs.js';
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

  const processor = async (job: Job<RedactJobData, RedactJobResult>): Promise<RedactJobResult> => {
    const parsed = RedactJobData.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError('the job payload is not valid');
    const { recordingId: id, ext, options: jobOptions } = parsed.data;
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
      return done(true);
    }
    await storage.cleanWork(id);
    const work = storage.workDir(id);
    await import('node:fs/promises').then((fs) => fs.mkdir(work, { recursive: true }));
    const config: ConfigInput = {
      ...options.config,
      mask: { ...options.config?.mask, ...(jobOptions.style ? { style: jobOptions.style } : {}) },
      analysis: {
        ...options.config?.analysis,
        ocrWorkers: options.config?.analysis?.ocrWorkers ?? Math.max(1, Math.floor(2 / concurrency)),
      },
    };
    const original = await storage.inboxEntry(id);
    if (!original) throw new UnrecoverableError('the recording is no longer in the inbox');
    const output = `${work}/video${original.ext}`;
    const manifest = `${work}/manifest.json`;
    try {
      const result = await runChild({ input: original.path, output, manifest, config }, options.timeoutSec ?? 3600, (stage, percent) => {
        job.updateProgress({ stage, percent }).catch((err: unknown) => log(`veil worker: progress not saved: ${safeMessage(err)}`));
      });
      const archived = await storage.archive(id, output, manifest, original.ext);
      await storage.removeFromInbox(id, ext);
      return done(!archived, result);
    } catch (err) {
      if (err instanceof JobFailure && err.kind !== 'transient') {
        await storage.quarantine(id, ext, { kind: err.kind, message: err.message, attempts: job.attemptsMade + 1 });
        throw new UnrecoverableError(err.message);
      }
      // Retried by BullMQ; a system error's message names paths, so only its code is kept.
      throw err instanceof JobFailure ? err : new Error(safeMessage(err));
    } finally {
      await storage.cleanWork(id);
    }
  };

  const worker = new Worker<RedactJobData, RedactJobResult>(options.queueName ?? QUEUE_NAME, processor, {
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
      const data = RedactJobData.safeParse(job.data);
      if (data.success) {
        void storage
          .quarantine(data.data.recordingId, data.data.ext, { kind: 'failed', message: err.message, attempts: job.attemptsMade })
          .catch((e: unknown) => log(`veil worker: quarantine failed: ${safeMessage(e)}`));
      }
    }
  });
  worker.on('completed', (job) => log(`veil worker: ${job.id} archived`));

  return {
    worker,
    async close() {
      await worker.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
