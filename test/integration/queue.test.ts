import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PII_TYPES } from '../../src/pii/types.js';
import { redisConnection } from '../../src/queue/jobs.js';
import { measureExposure } from '../../src/synth/exposure.js';
import { findLeaks } from '../../src/synth/leaks.js';
import { writeScene } from '../../src/synth/render.js';
import { chatScene, profileScene } from '../../src/synth/scenarios.js';
import type { GroundTruth } from '../../src/synth/scene.js';
import { startWorker } from '../../workers/redact-worker.js';
import { ROOT, SMALL, tempDir, veil } from '../helpers.js';
import { enqueueFile, freshQueue, REDIS_URL, redisText } from '../queue-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let sample: string;
let truth: GroundTruth;
const connection = redisConnection(REDIS_URL);
const toClose: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('veil-queue-'));
  sample = join(dir, 'call with customer.mp4');
  truth = await writeScene(profileScene({ ...SMALL, seconds: 2, seed: 31 }), sample);
});

afterEach(async () => {
  while (toClose.length) await toClose.pop()!().catch(() => {});
});

afterAll(async () => {
  await connection.quit();
  await cleanup();
});

const setup = () => freshQueue(dir, connection, toClose);

function worker(name: string, root: string, extra: Partial<Parameters<typeof startWorker>[0]> = {}) {
  const w = startWorker({ redisUrl: REDIS_URL, dataRoot: root, queueName: name, log: () => {}, ...extra });
  toClose.push(() => w.close());
  return w;
}

const enqueue = enqueueFile;

describe('queue workers', () => {
  it('archive a verified recording with its manifest and empty the inbox', async () => {
    const { name, root, storage, queue, events } = await setup();
    const logs: string[] = [];
    worker(name, root, { log: (line) => void logs.push(line) });
    const job = await enqueue(storage, queue, sample);
    const result = await job.waitUntilFinished(events, 120_000);
    expect(result).toMatchObject({ recordingId: job.id, archived: `archive/${job.id}`, alreadyArchived: false });
    expect(result.piiTracks).toBeGreaterThanOrEqual(10);
    expect((await readdir(storage.archivePath(job.id!))).sort()).toEqual(['manifest.json', 'video.mp4']);
    for (const f of ['manifest.json', 'video.mp4']) expect((await stat(join(storage.archivePath(job.id!), f))).mode & 0o777).toBe(0o640);
    expect(await readdir(storage.inbox)).toEqual([]);
    expect(await readdir(storage.work)).toEqual([]);
    const exposure = await measureExposure(sample, join(storage.archivePath(job.id!), 'video.mp4'), truth);
    expect(exposure.exposedItemFrames).toBe(0);
    // Neither the job data nor its result carries a file name or a value.
    const stored = JSON.stringify([job.data, result, await queue.getJob(job.id!).then((j) => j?.progress)]);
    expect(stored).not.toMatch(/customer|Sofia|@/);
    for (const item of truth.items.filter((i) => i.kind === 'pii')) expect(stored).not.toContain(item.text);
    // Everything veil left outside the video: the manifest, every key of this queue in Redis, the worker's log.
    const redis = await redisText(connection, name);
    expect(redis.length).toBeGreaterThan(2);
    const written = {
      manifest: await readFile(join(storage.archivePath(job.id!), 'manifest.json'), 'utf8'),
      redis: redis.join('\n'),
      log: logs.join('\n'),
    };
    expect(findLeaks(written, truth.items.filter((i) => i.kind === 'pii'))).toEqual([]);
  });

  it('make queueing the same file twice one job', async () => {
    const { storage, queue } = await setup();
    const a = await enqueue(storage, queue, sample);
    const b = await enqueue(storage, queue, sample);
    expect(b.id).toBe(a.id);
    expect(await queue.getJobCounts('wait', 'active', 'delayed')).toMatchObject({ wait: 1 });
  });

  it('quarantine bad input at once, with a reason, and never retry it', async () => {
    const { name, root, storage, queue, events } = await setup();
    worker(name, root);
    // Text is refused before it is queued; an MP4 header over garbage is queued and fails.
    const text = join(dir, 'notes.mp4');
    await writeFile(text, 'not a video at all\n'.repeat(100));
    await expect(storage.ingest(text)).rejects.toThrow(/not an MP4\/MOV or Matroska\/WebM video/);
    const notVideo = join(dir, 'broken.mp4');
    await writeFile(notVideo, Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(12), Buffer.alloc(400, 7)]));
    const job = await enqueue(storage, queue, notVideo);
    await expect(job.waitUntilFinished(events, 60_000)).rejects.toThrow(/not a readable video|no video stream/);
    const failed = await queue.getJob(job.id!);
    expect(failed?.attemptsMade).toBe(1);
    const reason = JSON.parse(await readFile(join(storage.quarantineDir, `${job.id}.reason.json`), 'utf8'));
    expect(reason).toMatchObject({ id: job.id, kind: 'bad-input' });
    expect(await readdir(storage.quarantineDir)).toContain(`${job.id}.mp4`);
    expect((await stat(join(storage.quarantineDir, `${job.id}.mp4`))).mode & 0o777).toBe(0o600);
    expect(await readdir(storage.archiveDir)).toEqual([]);
    expect(await readdir(storage.inbox)).toEqual([]);
  });

  it('block archiving when verification finds PII', async () => {
    const { name, root, storage, queue, events } = await setup();
    worker(name, root, {
      config: {
        detection: { entities: PII_TYPES.filter((t) => t !== 'email') },
        verification: { entities: [...PII_TYPES], repass: false },
      },
    });
    const job = await enqueue(storage, queue, sample);
    await expect(job.waitUntilFinished(events, 120_000)).rejects.toThrow(/still shows PII/);
    expect(await readdir(storage.archiveDir)).toEqual([]);
    const reason = JSON.parse(await readFile(join(storage.quarantineDir, `${job.id}.reason.json`), 'utf8'));
    expect(reason.kind).toBe('verification');
    expect(JSON.stringify(reason)).not.toMatch(/@postmail|Sofia/);
  });

  it('archive 40 recordings with 2 workers: none lost, none twice', async () => {
    const { name, root, storage, queue, events } = await setup();
    const files: string[] = [];
    for (let i = 0; i < 40; i++) {
      const f = join(dir, `batch-${i}.mp4`);
      await writeScene(chatScene({ width: 320, height: 180, fps: 5, seconds: 1, fontSize: 12, seed: 100 + i }), f);
      files.push(f);
    }
    const started = Date.now();
    const jobs = [];
    for (const f of files) jobs.push(await enqueue(storage, queue, f));
    expect(new Set(jobs.map((j) => j.id)).size).toBe(40);
    const config = { analysis: { ocrWorkers: 1 } };
    worker(name, root, { config });
    worker(name, root, { config });
    const results = await Promise.all(jobs.map((j) => j.waitUntilFinished(events, 300_000)));
    const seconds = (Date.now() - started) / 1000;
    expect(results.every((r) => !r.alreadyArchived)).toBe(true);
    expect((await storage.listArchive()).filter((n) => !n.startsWith('.'))).toHaveLength(40);
    expect(await storage.listArchive()).toEqual(jobs.map((j) => j.id).sort());
    expect(await readdir(storage.inbox)).toEqual([]);
    const videoSeconds = results.reduce((a, r) => a + r.durationSec, 0);
    console.log(`40 jobs, 2 workers: ${seconds.toFixed(1)} s, ${((40 / seconds) * 60).toFixed(1)} recordings/min, ${(videoSeconds / seconds).toFixed(2)} video-s per wall-s`);
  });

  it('retake the job of a worker killed mid-job and archive it exactly once', async () => {
    const { name, root, storage, queue, events } = await setup();
    const long = join(dir, 'long.mp4');
    await writeScene(chatScene({ ...SMALL, seconds: 8, seed: 7 }), long);
    const job = await enqueue(storage, queue, long);
    const env = { ...process.env, VEIL_QUEUE: name, VEIL_LOCK_MS: '3000', REDIS_URL };
    const start = () => spawn(process.execPath, [join(ROOT, 'bin/veil.js'), 'worker', '--root', root], { env, stdio: 'ignore' });
    const first: ChildProcess = start();
    toClose.push(async () => void first.kill('SIGKILL'));
    // Wait until the first worker is inside the job, then kill it without warning.
    for (let i = 0; i < 300; i++) {
      const j = await queue.getJob(job.id!);
      if (typeof j?.progress === 'object' && (j.progress as { percent: number }).percent > 5) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await queue.getJob(job.id!).then((j) => j?.progress)).toMatchObject({ stage: expect.any(String) });
    first.kill('SIGKILL');
    const second = start();
    toClose.push(async () => void second.kill('SIGTERM'));
    const result = await job.waitUntilFinished(events, 180_000);
    expect(result.alreadyArchived).toBe(false);
    expect(await storage.listArchive()).toEqual([job.id]);
    expect(await readdir(storage.archivePath(job.id!))).toEqual(['manifest.json', 'video.mp4']);
    expect(await readdir(storage.inbox)).toEqual([]);
  });
});

describe('time limits and the inbox watcher', () => {
  it('kill a job over its time limit, ffmpeg included, retry it, then quarantine it', async () => {
    const { name, root, storage, queue, events } = await setup();
    const long = join(dir, 'slow.mp4');
    await writeScene(chatScene({ ...SMALL, seconds: 8, seed: 8 }), long);
    worker(name, root, { timeoutSec: 1 });
    const job = await enqueue(storage, queue, long);
    await expect(job.waitUntilFinished(events, 60_000)).rejects.toThrow(/time limit of 1 s/);
    const failed = await queue.getJob(job.id!);
    expect(failed?.attemptsMade).toBe(3);
    const reasonFile = `${job.id}.reason.json`;
    for (let i = 0; i < 50 && !(await readdir(storage.quarantineDir)).includes(reasonFile); i++) await new Promise((r) => setTimeout(r, 100));
    const reason = JSON.parse(await readFile(join(storage.quarantineDir, reasonFile), 'utf8'));
    expect(reason).toMatchObject({ kind: 'failed', attempts: 3 });
    // Nothing of the killed attempts is still running.
    const { execFileSync } = await import('node:child_process');
    const running = execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter((l) => l.includes(job.id!) && !l.includes('ps -eo'));
    expect(running).toEqual([]);
    expect(await readdir(storage.archiveDir)).toEqual([]);
  });

  it('queue a recording dropped into the watched folder once it stops growing', async () => {
    const { name, root, queue } = await setup();
    const drop = join(dir, `drop-${name}`);
    await import('node:fs/promises').then((fs) => fs.mkdir(drop));
    const env = { ...process.env, VEIL_QUEUE: name, REDIS_URL };
    const watcher = spawn(process.execPath, [join(ROOT, 'bin/veil.js'), 'watch', drop, '--root', root, '--interval', '0.2'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    watcher.stdout!.on('data', (d) => (out += d));
    watcher.stderr!.on('data', (d) => (err += d));
    toClose.push(async () => void watcher.kill('SIGKILL'));
    // A file that is no recording, named with a person's name and number: skipped, named nowhere, left where it was.
    const bad = 'Jane Doe +44 7700 900123.mp4';
    await writeFile(join(drop, bad), 'meeting notes\n'.repeat(50));
    await import('node:fs/promises').then((fs) => fs.copyFile(sample, join(drop, 'dropped call.mp4')));
    for (let i = 0; i < 100 && !(out.includes('queued') && err.includes('skipped')); i++) await new Promise((r) => setTimeout(r, 100));
    expect(out).toMatch(/^queued rec-[0-9a-f]{32}\n$/);
    expect(err).toContain('veil: error: skipped a file: the input is not an MP4/MOV or Matroska/WebM video');
    expect(err).not.toMatch(/Jane|7700|900123/);
    expect(await readdir(drop)).toEqual([bad]);
    expect((await readdir(join(root, 'inbox'))).filter((n) => !n.startsWith('.'))).toHaveLength(1);
    expect(await queue.getJobCounts('wait')).toMatchObject({ wait: 1 });
    const exited = new Promise<number | null>((res) => watcher.on('exit', (code) => res(code)));
    watcher.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});

describe('veil enqueue', () => {
  it('queues files by content id and says so without their names', async () => {
    const { name, root, queue } = await setup();
    const result = await (async () => {
      process.env.VEIL_QUEUE = name;
      try {
        return await veil(['enqueue', '--root', root, sample]);
      } finally {
        delete process.env.VEIL_QUEUE;
      }
    })();
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^queued rec-[0-9a-f]{32} \(job rec-[0-9a-f]{32}\)\n$/);
    expect(await queue.getJobCounts('wait')).toMatchObject({ wait: 1 });
  });
});
