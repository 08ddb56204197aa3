import { spawn, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRecording, redisConnection, type RedactJobData, type RedactJobResult } from '../../src/queue/jobs.js';
import { LocalStorage } from '../../src/storage/local.js';
import { writeScene } from '../../src/synth/render.js';
import { chatScene, profileScene } from '../../src/synth/scenarios.js';
import { startWorker } from '../../workers/redact-worker.js';
import { SMALL, tempDir } from '../helpers.js';

// A Redis server of this test's own (with an append-only file, as production should run
// BullMQ's Redis), so that restarting it does not disturb anything else.
const PORT = 16000 + Math.floor(Math.random() * 2000);
const URL = `redis://127.0.0.1:${PORT}`;

let dir: string;
let cleanup: () => Promise<void>;

function startRedis() {
  const child = spawn('redis-server', ['--port', String(PORT), '--bind', '127.0.0.1', '--appendonly', 'yes', '--save', '', '--dir', dir], {
    stdio: 'ignore',
    detached: true,
  });
  child.unref();
}

async function waitForRedis(up: boolean) {
  for (let i = 0; i < 100; i++) {
    let answering = false;
    try {
      answering = execFileSync('redis-cli', ['-p', String(PORT), 'ping'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().includes('PONG');
    } catch {
      answering = false;
    }
    if (answering === up) return;
    await sleep(100);
  }
  throw new Error(`redis on ${PORT} did not come ${up ? 'up' : 'down'}`);
}

async function restartRedis(downMs: number) {
  execFileSync('redis-cli', ['-p', String(PORT), 'shutdown']);
  await waitForRedis(false);
  await sleep(downMs);
  startRedis();
  await waitForRedis(true);
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('veil-redis-'));
  startRedis();
  await waitForRedis(true);
});

afterAll(async () => {
  try {
    execFileSync('redis-cli', ['-p', String(PORT), 'shutdown', 'nosave']);
  } catch {
    /* already down */
  }
  await cleanup();
});

describe('a worker whose Redis restarts', () => {
  it('reconnects when idle and when busy, and loses no job', async () => {
    const name = `test-${randomUUID()}`;
    const root = join(dir, 'data');
    const storage = await new LocalStorage(root).init();
    const connection = redisConnection(URL);
    connection.on('error', () => {});
    const queue = new Queue<RedactJobData, RedactJobResult>(name, { connection, defaultJobOptions: { attempts: 3 } });
    queue.on('error', () => {});
    const eventsConnection = redisConnection(URL);
    eventsConnection.on('error', () => {});
    const events = new QueueEvents(name, { connection: eventsConnection });
    events.on('error', () => {});
    const worker = startWorker({ redisUrl: URL, dataRoot: root, queueName: name, lockMs: 10_000, log: () => {} });
    try {
      await worker.worker.waitUntilReady();

      // Idle: Redis goes away and comes back; then a job arrives.
      await restartRedis(500);
      const a = join(dir, 'a.mp4');
      await writeScene(profileScene({ ...SMALL, seconds: 1, seed: 41 }), a);
      const ia = await storage.ingest(a);
      const jobA = await addRecording(queue, { recordingId: ia.id, ext: ia.ext, options: {} });
      await events.waitUntilReady();
      const ra = await jobA.waitUntilFinished(events, 120_000);
      expect(ra.recordingId).toBe(ia.id);

      // Busy: Redis restarts while the job runs.
      const b = join(dir, 'b.mp4');
      await writeScene(chatScene({ ...SMALL, seconds: 8, seed: 42 }), b);
      const ib = await storage.ingest(b);
      const jobB = await addRecording(queue, { recordingId: ib.id, ext: ib.ext, options: {} });
      for (let i = 0; i < 200 && !(await jobB.isActive()); i++) await sleep(50);
      expect(await jobB.isActive()).toBe(true);
      await restartRedis(500);
      for (let i = 0; i < 1200; i++) {
        if (await storage.isArchived(ib.id).catch(() => false)) break;
        await sleep(100);
      }
      for (let i = 0; i < 100 && !(await jobB.isCompleted().catch(() => false)); i++) await sleep(100);
      expect(await queue.getJob(ib.id).then((j) => j?.finishedOn)).toBeGreaterThan(0);
      expect((await storage.listArchive()).sort()).toEqual([ia.id, ib.id].sort());
      expect(await readdir(storage.inbox)).toEqual([]);
    } finally {
      await worker.close();
      await events.close();
      eventsConnection.disconnect();
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    }
  });
});
