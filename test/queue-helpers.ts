/** A fresh queue and data root for one queue test, and what Redis holds of it. */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { addRecording, redisConnection, type RedactJobData, type RedactJobResult } from '../src/queue/jobs.js';
import { LocalStorage } from '../src/storage/local.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A queue with its own name and a data root under `dir`; `toClose` gets what removes them. */
export async function freshQueue(dir: string, connection: Redis, toClose: Array<() => Promise<unknown>>) {
  const name = `test-${randomUUID()}`;
  const root = join(dir, name);
  const storage = await new LocalStorage(root).init();
  const queue = new Queue<RedactJobData, RedactJobResult>(name, {
    connection,
    defaultJobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 500 } },
  });
  const events = new QueueEvents(name, { connection: redisConnection(REDIS_URL) });
  await events.waitUntilReady();
  toClose.push(async () => {
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
  });
  return { name, root, storage, queue, events };
}

export async function enqueueFile(storage: LocalStorage, queue: Queue<RedactJobData, RedactJobResult>, file: string) {
  const { id, ext } = await storage.ingest(file);
  return addRecording(queue, { recordingId: id, ext: ext as RedactJobData['ext'], options: {} });
}

/** Every value of every key of queue `name` in Redis, as text. */
export async function redisText(connection: Redis, name: string): Promise<string[]> {
  const out: string[] = [];
  for (const key of await connection.keys(`bull:${name}:*`)) {
    const type = await connection.type(key);
    if (type === 'hash') out.push(JSON.stringify(await connection.hgetall(key)));
    else if (type === 'list') out.push(JSON.stringify(await connection.lrange(key, 0, -1)));
    else if (type === 'zset') out.push(JSON.stringify(await connection.zrange(key, '0', '-1')));
    else if (type === 'set') out.push(JSON.stringify(await connection.smembers(key)));
    else if (type === 'string') out.push(String(await connection.get(key)));
    else if (type === 'stream') out.push(JSON.stringify(await connection.xrange(key, '-', '+')));
  }
  return out;
}
