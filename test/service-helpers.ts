/** A web service on a fresh queue and data root, for the service's API and browser tests. */
import { createHash, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { parseConfig } from '../src/config.js';
import { redisConnection } from '../src/queue/jobs.js';
import { parseTokens } from '../src/service/auth.js';
import { startService, type ServeOptions } from '../src/service/server.js';
import { FailureLimiter } from '../src/service/sessions.js';
import { startWorker } from '../workers/redact-worker.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export const TOKENS = {
  uploader: 'uploader-token-aaaa-aaaa-aaaa-aaaa',
  uploader2: 'uploader-token-bbbb-bbbb-bbbb-bbbb',
  reviewer: 'reviewer-token-cccc-cccc-cccc-cccc',
  admin: 'admin-token-dddd-eeee-dddd-eeee-dd',
};

export async function startTestService(root: string, maxUploadBytes: number, extra: Partial<ServeOptions> = {}) {
  const queueName = `test-${randomUUID()}`;
  const service = await startService({
    // Tests send many wrong tokens from one address on purpose; the throttle has its own test.
    limiter: new FailureLimiter(1000),
    dataRoot: root,
    redisUrl: REDIS_URL,
    queueName,
    port: 0,
    config: parseConfig({}),
    maxUploadBytes,
    eventPollMs: 100,
    log: () => {},
    tokens: parseTokens(
      {
        tokens: [
          { name: 'qa-1', role: 'uploader', token: TOKENS.uploader },
          { name: 'qa-2', role: 'uploader', token: TOKENS.uploader2 },
          { name: 'sec-1', role: 'reviewer', token: TOKENS.reviewer },
          // Stored as a hash: the file need not hold the token itself.
          { name: 'ops', role: 'admin', sha256: createHash('sha256').update(TOKENS.admin).digest('hex') },
        ],
      },
      'test tokens',
    ),
    ...extra,
  });
  let worker: ReturnType<typeof startWorker> | undefined;
  return {
    service,
    queueName,
    url: service.url,
    startWorker() {
      worker ??= startWorker({ redisUrl: REDIS_URL, dataRoot: root, queueName, concurrency: 1, log: () => {} });
    },
    async close() {
      await worker?.close();
      await service.close();
      const connection = redisConnection(REDIS_URL);
      const queue = new Queue(queueName, { connection });
      await queue.obliterate({ force: true });
      await queue.close();
      await connection.quit();
    },
  };
}
