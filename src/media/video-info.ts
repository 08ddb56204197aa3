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
});
export type VideoInfo = z.infer<typeof VideoInfoSchema>;
