import { z } from 'zod';

/** What the pipeline knows about an input, converted once from ffprobe's output. */
export const VideoInfoSchema = z.object({
  sizeBytes: z.number().int().positive(),
  /** The demuxer every later run pins (chosen from the file's own bytes, see input.ts). */
  demuxer: z.enum(['mov', 'matroska']),
  container: z.string(),
  durationSec: z.number().positive(),
  /** Frame size as decoded and shown (after rotation). */
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  rotation: z.number().int(),
  fps: z.number().positive(),
  /** Frames in the video stream, counted from its packets. */
  frameCount: z.number().int().positive(),
  videoCodec: z.string(),
  pixelFormat: z.string(),
  videoStreamIndex: z.number().int().min(0),
  audio: z.array(z.object({ index: z.number().int(), codec: z.string() })),
  /** Streams the output will not carry: subtitles, data, attachments, extra video. */
  droppedStreams: z.array(z.object({ index: z.number().int(), type: z.string(), codec: z.string() })),
  /**
   * Set when this describes a run of the file's frames alone (a segment analysed on its
   * own): `frameCount` frames from frame `firstFrame`, whose time is `startSec`, decoded
   * by seeking to `seekSec` (between it and the frame before). Frame numbers in every job
   * on it count from `firstFrame`. The first `lead` frames belong to the segment before
   * (a lead-in, see segments.ts).
   */
  segment: z
    .object({ firstFrame: z.number().int().min(0), startSec: z.number().min(0), seekSec: z.number().min(0), lead: z.number().int().min(0) })
    .optional(),
});
export type VideoInfo = z.infer<typeof VideoInfoSchema>;
