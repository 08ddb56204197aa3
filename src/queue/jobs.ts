/**
 * The redaction queue's contract: job payloads and results, validated with zod. Payloads
 * carry a recording id and options, never a file name or content: job data sits in Redis
 * in clear text.
 */
import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { MaskStyle } from '../config.js';
import { RecordingExt, RecordingId } from '../storage/local.js';

export const QUEUE_NAME = 'veil-redact';

export const RedactJobData = z
  .object({
    recordingId: RecordingId,
    ext: RecordingExt,
    options: z.object({ style: MaskStyle.optional() }).strict().default({}),
  })
  .strict();
export type RedactJobData = z.infer<typeof RedactJobData>;

export const RedactJobResult = z.object({
  recordingId: RecordingId,
  /** archive/<id>, relative to the data root. */
  archived: z.string(),
  alreadyArchived: z.boolean(),
  piiTracks: z.number().int(),
  changingTracks: z.number().int(),
  durationSec: z.number(),
  seconds: z.number(),
});
export type RedactJobResult = z.infer<typeof RedactJobResult>;

export const JobProgress = z.object({ stage: z.string(), percent: z.number().min(0).max(100) });

export function redisConnection(url: string): Redis {
  // BullMQ workers block on Redis; they need requests that wait, not fail, while it is away.
  return new Redis(url, { maxRetriesPerRequest: null });
}

export function redactQueue(connection: ConnectionOptions, name = QUEUE_NAME): Queue<RedactJobData, RedactJobResult> {
  const queue = new Queue<RedactJobData, RedactJobResult>(name, {
    connection,
    defaultJobOptions: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 5000 },
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: { age: 30 * 24 * 3600 },
    },
  });
  queue.on('error', (err) => console.error(`veil: queue error: ${err.message}`));
  return queue;
}

/** Adds a job for a recording already in the inbox; the content id as job id makes a second add a no-op. */
export async function addRecording(queue: Queue<RedactJobData, RedactJobResult>, data: RedactJobData) {
  const parsed = RedactJobData.parse(data);
  return queue.add('redact', parsed, { jobId: parsed.recordingId });
}
