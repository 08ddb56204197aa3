/**
 * The manifest written beside a redacted video. It says what was masked, where and when,
 * and never the raw values: at most a masked form such as `j***@example.com`.
 */
import { z } from 'zod';
import { MaskStyle } from './config.js';
import { PiiType, type PiiType as PiiTypeT } from './pii/types.js';

const BoxSchema = z.object({ x: z.number().int(), y: z.number().int(), w: z.number().int(), h: z.number().int() });

export const ManifestSchema = z.object({
  schema: z.literal('veil.manifest/1'),
  tool: z.object({ name: z.literal('veil'), version: z.string() }),
  createdAt: z.string(),
  input: z.object({
    sha256: z.string().length(64),
    sizeBytes: z.number().int(),
    durationSec: z.number(),
    width: z.number().int(),
    height: z.number().int(),
    fps: z.number(),
    frameCount: z.number().int(),
    videoCodec: z.string(),
    audioStreams: z.number().int(),
    droppedStreams: z.array(z.object({ type: z.string(), codec: z.string() })),
  }),
  output: z.object({
    file: z.string(),
    sha256: z.string().length(64),
    sizeBytes: z.number().int(),
    frameCount: z.number().int(),
  }),
  settings: z.object({
    style: MaskStyle,
    padding: z.number().int(),
    settleSec: z.number(),
    entities: z.array(PiiType),
    minConfidence: z.number(),
    allowListEntries: z.number().int(),
    ocrModel: z.string(),
  }),
  analysis: z.object({
    framesDecoded: z.number().int(),
    /** OCR reads of changed regions, and the pixels they covered. */
    reads: z.number().int(),
    pixelsRead: z.number().int(),
    seconds: z.number(),
    /** Wall seconds by stage: probe (with OCR start-up), analyse, render (every pass), verify, finalise. */
    stageSeconds: z.record(z.string(), z.number()),
  }),
  tracks: z.array(
    z.object({
      id: z.number().int(),
      /** pii: found by a detector; changing: masked whole while it changed, before it could be read. */
      kind: z.enum(['pii', 'changing']),
      types: z.array(PiiType),
      detectors: z.array(z.string()),
      confidence: z.number().min(0).max(1),
      fromFrame: z.number().int(),
      toFrame: z.number().int(),
      startSec: z.number(),
      endSec: z.number(),
      box: BoxSchema,
      /** A mask that moved with scrolled content: its box on the last frame (`box` is on the first). */
      endBox: BoxSchema.optional(),
      masked: z.array(z.string()),
    }),
  ),
  /** The output was OCR'd again on these frames; it is only written with zero findings. */
  verification: z.object({
    frames: z.array(z.number().int()),
    firstPassFindings: z.number().int(),
    repass: z.boolean(),
    findings: z.literal(0),
  }),
  summary: z.object({
    tracks: z.number().int(),
    piiTracks: z.number().int(),
    changingTracks: z.number().int(),
    byType: z.record(z.string(), z.number().int()),
  }),
});
export type Manifest = z.infer<typeof ManifestSchema>;

/** A form of a value that tells a reviewer what kind of thing was masked, not what it was. */
export function maskValue(type: PiiTypeT, value: string): string {
  const v = value.trim();
  if (type === 'email') {
    const at = v.search(/[@©®]/);
    if (at > 0) return `${v[0]}***@${v.slice(at + 1).trim()}`;
  }
  if (v.length >= 10) return `${v[0]}***${v.slice(-2)}`;
  if (v.length >= 5) return `${v[0]}***`;
  return '***';
}
