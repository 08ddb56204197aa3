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

/** Where a long recording is cut for analysis (see src/pipeline/segments.ts). */
export const SegmentPlan = z
  .object({
    index: z.number().int().min(0),
    firstFrame: z.number().int().min(0),
    frameCount: z.number().int().positive(),
    lead: z.number().int().min(0),
    startSec: z.number().min(0),
    seekSec: z.number().min(0),
  })
  .strict();

/**
 * The key a recording's segment analyses are sealed with (random, 32 bytes, base64): it
 * sits in Redis, the sealed files in the data root, so neither alone gives what OCR read.
 */
export const SealKey = z.string().regex(/^[A-Za-z0-9+/]{43}=$/);

export const RedactJobData = z
  .object({
    recordingId: RecordingId,
    ext: RecordingExt,
    options: z.object({ style: MaskStyle.optional() }).strict().default({}),
    /** Set by the worker when it splits the recording: its segments, analysed by child jobs. */
    split: z.object({ key: SealKey, segments: z.array(SegmentPlan).min(2) }).strict().optional(),
  })
  .strict();
export type RedactJobData = z.infer<typeof RedactJobData>;

/** The name of a child job that analyses, or renders, one segment of its parent's recording. */
export const SEGMENT_JOB = 'segment';

/**
 * 'analyse': the segment's analysis, sealed. 'render': once every segment is analysed, the
 * segment's frames rendered with the masks of the whole recording (planned from all the
 * analyses), to be joined by the parent.
 */
export const SegmentStage = z.enum(['analyse', 'render']);

export const SegmentJobData = z
  .object({
    recordingId: RecordingId,
    ext: RecordingExt,
    segment: SegmentPlan,
    key: SealKey,
    stage: SegmentStage.default('analyse'),
    /** A render's: how many segments the recording has (whose analyses it opens), and the parent's mask style. */
    segments: z.number().int().min(2).optional(),
    style: MaskStyle.optional(),
  })
  .strict();
export type SegmentJobData = z.infer<typeof SegmentJobData>;

/** What a segment's job returns: its size and timing, never what it read. */
export const SegmentJobResult = z.object({
  recordingId: RecordingId,
  segment: z.number().int(),
  stage: SegmentStage.default('analyse'),
  frames: z.number().int(),
  reads: z.number().int(),
  seconds: z.number(),
});
export type SegmentJobResult = z.infer<typeof SegmentJobResult>;

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
