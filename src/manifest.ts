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
    /** Analysed in this many segments (a long recording split across workers); absent when whole. */
    segments: z.number().int().min(2).optional(),
    /** Rendered in this many segments (by other workers, or at once here), joined without a second encode; absent when rendered whole. */
    renderedSegments: z.number().int().min(2).optional(),
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
    /** What the first pass found (never the value): masked, and rendered again. */
    firstPass: z
      .array(z.object({ frame: z.number().int(), type: z.string(), detector: z.string(), box: z.object({ x: z.number(), y: z.number(), w: z.number(), h: z.number() }) }))
      .optional(),
    repass: z.boolean(),
    /** With a second pass: the findings of each pass in turn (the last none). */
    passFindings: z.array(z.number().int()).optional(),
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

/**
 * An e-mail address standing alone: not glued to other text on either side (OCR reads
 * `@` as `©` or `®` at times). Only such a token gives a masked form with its domain.
 */
const EMAIL_TOKEN = /(?<![^\s,;:<>()[\]"'])([A-Za-z0-9._%+-]+)[@©®]([A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24})(?![A-Za-z0-9@©®._%+-])/g;

/**
 * The masked forms of one detection: what tells a reviewer the kind of thing masked, not
 * what it was. Built from the type and at most three characters of the text, never by
 * cutting pieces out of it: a detection can hold several values that OCR ran together,
 * and each e-mail address gets a form of its own (`j***@example.com`) only when it stands
 * alone; anything else gives `j***` plus its last two characters, or `***`.
 */
export function maskedForms(type: PiiTypeT, value: string): string[] {
  const v = value.trim();
  if (type === 'email') {
    const forms = [...v.matchAll(EMAIL_TOKEN)].map((m) => `${m[1][0]}***@${m[2].toLowerCase()}`);
    if (forms.length) return [...new Set(forms)];
    return [v.length >= 5 ? `${v[0]}***@***` : '***'];
  }
  if (v.length >= 10) return [`${v[0]}***${v.slice(-2)}`];
  if (v.length >= 5) return [`${v[0]}***`];
  return ['***'];
}

/** The masked forms of one detection as one string (reports, command-line output). */
export function maskValue(type: PiiTypeT, value: string): string {
  return maskedForms(type, value).join(', ');
}
