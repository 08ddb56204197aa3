/**
 * `veil serve`: the web service on one port, with the queue it feeds and, for admins, the
 * BullMQ dashboard. Redaction itself runs in workers (`veil worker`, or `--worker` here).
 */
import type { AddressInfo } from 'node:net';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Config } from '../config.js';
import { addRecording, QUEUE_NAME, redactQueue, redisConnection } from '../queue/jobs.js';
import { LocalStorage } from '../storage/local.js';
import { createApp } from './app.js';
import type { TokenTable } from './auth.js';
import { RecordingRegistry, type QueueView } from './recordings.js';

export interface ServeOptions {
  dataRoot: string;
  redisUrl: string;
  tokens: TokenTable;
  config: Config;
  host?: string;
  port?: number;
  queueName?: string;
  maxUploadBytes?: number;
  eventPollMs?: number;
  log?: (line: string) => void;
}

export const DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 ** 3;

export async function startService(options: ServeOptions) {
  const log = options.log ?? ((line: string) => console.error(line));
  const connection = redisConnection(options.redisUrl);
  connection.on('error', (err) => log(`veil serve: redis: ${err.message}`));
  const queue = redactQueue(connection, options.queueName ?? QUEUE_NAME);
  const queueView: QueueView = {
    async job(id) {
      const job = await queue.getJob(id);
      if (!job) return undefined;
      return {
        state: await job.getState(),
        progress: job.progress,
        attemptsMade: job.attemptsMade,
        maxAttempts: job.opts.attempts ?? 1,
        failedReason: job.failedReason || undefined,
      };
    },
  };
  const registry = await new RecordingRegistry(new LocalStorage(options.dataRoot), queueView).init();

  const board = new ExpressAdapter();
  board.setBasePath('/admin/queues');
  createBullBoard({ queues: [new BullMQAdapter(queue, { readOnlyMode: false })], serverAdapter: board, options: { uiConfig: { boardTitle: 'veil queue' } } });

  const app = createApp({
    registry,
    tokens: options.tokens,
    config: options.config,
    maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    eventPollMs: options.eventPollMs,
    enqueue: async (data) => void (await addRecording(queue, data)),
    dashboard: board.getRouter(),
    log,
  });

  const server = app.listen(options.port ?? 8080, options.host ?? '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  // Uploads of large recordings take long: no request time limit, but idle sockets are closed.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 5000;
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  return {
    url,
    registry,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
