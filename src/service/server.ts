/**
 * `veil serve`: the web service on one port, with the queue it feeds and, for admins, the
 * BullMQ dashboard. Redaction itself runs in workers (`veil worker`, or `--worker` here).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Config } from '../config.js';
import { restrictUmask } from '../util/fs.js';
import { addRecording, QUEUE_NAME, redactQueue, redisConnection } from '../queue/jobs.js';
import { LocalStorage } from '../storage/local.js';
import { createApp } from './app.js';
import type { FailureLimiter } from './sessions.js';
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
  /** Behind a reverse proxy: client addresses from X-Forwarded-For, https (Secure cookies) from X-Forwarded-Proto. */
  trustProxy?: boolean;
  /** Time limits on connections (ms). */
  timeouts?: Partial<ServerTimeouts>;
  /** The throttle on failed sign-ins (default: 10 per address in 15 minutes). */
  limiter?: FailureLimiter;
  log?: (line: string) => void;
}

export interface ServerTimeouts {
  /** The request's headers must arrive within this. */
  headersMs: number;
  /** A whole request, upload included, must arrive within this (4 GiB at 10 Mbit/s is about an hour). */
  requestMs: number;
  /** A connection that sends or receives nothing for this long is closed (a stalled upload). */
  idleMs: number;
}

export const DEFAULT_TIMEOUTS: ServerTimeouts = { headersMs: 20_000, requestMs: 2 * 3600_000, idleMs: 60_000 };

export const DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 ** 3;

export async function startService(options: ServeOptions) {
  restrictUmask();
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
  // Read-only: jobs are retried, removed or promoted by the workers' own rules, not by hand
  // from a browser (a removed job would leave its original in the inbox).
  createBullBoard({ queues: [new BullMQAdapter(queue, { readOnlyMode: true })], serverAdapter: board, options: { uiConfig: { boardTitle: 'veil queue' } } });

  const app = createApp({
    registry,
    tokens: options.tokens,
    config: options.config,
    maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    eventPollMs: options.eventPollMs,
    trustProxy: options.trustProxy,
    limiter: options.limiter,
    enqueue: async (data) => void (await addRecording(queue, data)),
    dashboard: board.getRouter(),
    log,
  });

  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      // How often Node checks the two limits above.
      connectionsCheckingInterval: Math.min(5000, timeouts.headersMs),
    },
    app,
  );
  server.listen(options.port ?? 8080, options.host ?? '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  // Idle sockets are destroyed (a stalled upload's partial file is removed by its handler);
  // event streams send a keep-alive well within this.
  server.setTimeout(timeouts.idleMs);
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
