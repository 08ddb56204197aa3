import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { BadInputError } from './errors.js';
import { PII_TYPES, PiiType } from './pii/types.js';

export const MaskStyle = z.enum(['fill', 'blur', 'pixelate']);
export type MaskStyle = z.infer<typeof MaskStyle>;

export const ConfigSchema = z
  .object({
    limits: z
      .object({
        maxWidth: z.number().int().positive().default(7680),
        maxHeight: z.number().int().positive().default(4320),
        maxDurationSec: z.number().positive().default(6 * 3600),
        maxFps: z.number().positive().default(240),
        /** ffprobe's time limit on an input; every ffmpeg run gets one from the video's duration. */
        probeTimeoutSec: z.number().positive().max(3600).default(60),
      })
      .strict()
      .prefault({}),
    analysis: z
      .object({
        /**
         * changes: read what changed, when it settles (the pipeline). naive: OCR whole frames
         * every naiveIntervalSec, for comparison only; it can miss short-lived PII.
         */
        mode: z.enum(['changes', 'naive']).default('changes'),
        naiveIntervalSec: z.number().positive().max(10).default(0.5),
        /** A 4x4-pixel cell whose mean grey level moves by more than this has changed. */
        changeThreshold: z.number().min(1).max(64).default(10),
        /** A changed region is read once it has been still this long. */
        settleSec: z.number().min(0).max(5).default(0.1),
        /** Changes less than this far apart (typing) are one burst: a value found at its end is masked from its start. */
        burstGapSec: z.number().min(0).max(30).default(1.5),
        /** OCR workers; defaults to the number of cores. */
        ocrWorkers: z.number().int().positive().max(64).optional(),
        /** Text lower than this many pixels is read again from an enlarged frame. */
        minTextHeight: z.number().int().min(4).max(64).default(14),
        maxUpscale: z.number().min(1).max(4).default(3),
        /**
         * Analyse a recording longer than one and a half of these (seconds) in segments of
         * about this length, cut at keyframes, one after another. The queue's workers analyse
         * the segments of long recordings at once (see `veil worker --split-sec`).
         */
        segmentSec: z.number().min(1).max(24 * 3600).optional(),
      })
      .strict()
      .prefault({}),
    detection: z
      .object({
        entities: z.array(PiiType).default([...PII_TYPES]),
        /** Exact values (case-insensitive) that are never masked, e.g. the exchange's own support address. */
        allowList: z.array(z.string().min(1)).default([]),
        minConfidence: z.number().min(0).max(1).default(0.3),
        /** Patterns of the exchange's own (account numbers, customer ids), as regular expressions. */
        extraPatterns: z
          .array(
            z
              .object({
                type: PiiType,
                pattern: z.string().min(1).refine((p) => {
                  try {
                    new RegExp(p, 'u');
                    return true;
                  } catch {
                    return false;
                  }
                }, 'not a valid regular expression'),
                flags: z.string().regex(/^[imsu]*$/).default(''),
                confidence: z.number().min(0).max(1).default(0.8),
              })
              .strict(),
          )
          .default([]),
        /** More label words: the value after "Member ID:" is PII of the given type. */
        extraLabels: z.array(z.object({ words: z.array(z.string().min(2)).min(1), type: PiiType }).strict()).default([]),
      })
      .strict()
      .prefault({}),
    verification: z
      .object({
        /** Frames of the output OCR'd whole after rendering (track bounds, midpoints between reads). */
        maxFrames: z.number().int().min(1).max(1000).default(8),
        /** What verification looks for; defaults to detection.entities. */
        entities: z.array(PiiType).optional(),
        /** On a finding, redact once more with it added before failing. */
        repass: z.boolean().default(true),
        /**
         * With repass: how many more passes at most, each adding what the one before found.
         * A pass's new masks can cut a line of text in half where none was, which OCR reads
         * as noise that a detector may take for a value.
         */
        maxRepasses: z.number().int().min(1).max(5).default(2),
      })
      .strict()
      .prefault({}),
    mask: z
      .object({
        style: MaskStyle.default('fill'),
        /** Pixels added on every side of a detected box. */
        padding: z.number().int().min(0).max(200).default(6),
      })
      .strict()
      .prefault({}),
    encode: z
      .object({
        preset: z
          .enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow'])
          .default('veryfast'),
        crf: z.number().int().min(0).max(51).default(20),
        /**
         * A recording of at least 20 s is rendered in this many parts at once (cut at
         * keyframes, joined without a second encode; see src/pipeline/render.ts): the
         * masks are drawn on one thread a render, so parts can keep more cores busy. Default 1
         * (whole): on 2 cores, 2 parts measured no faster and took some 300 MiB more.
         */
        renderParts: z.number().int().min(1).max(16).optional(),
      })
      .strict()
      .prefault({}),
    /** When set, inputs and outputs must resolve inside one of these directories. */
    allowedRoots: z.array(z.string().min(1)).optional(),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

export function parseConfig(input: unknown, source = 'configuration'): Config {
  const result = ConfigSchema.safeParse(input ?? {});
  if (!result.success) {
    const problems = result.error.issues
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new BadInputError(`invalid ${source}: ${problems}`);
  }
  return result.data;
}

export async function loadConfigFile(path: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new BadInputError(`cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BadInputError(`config file ${path} is not valid JSON`);
  }
  return parseConfig(json, `config file ${path}`);
}

export function renderPartCount(config: Config): number {
  return config.encode.renderParts ?? 1;
}

export function ocrWorkerCount(config: Config): number {
  return config.analysis.ocrWorkers ?? Math.max(1, availableParallelism());
}
