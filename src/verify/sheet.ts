/**
 * A contact sheet of the frames a verification looked at, for spot-checks. Findings are
 * filled in red: the sheet shows where PII was readable without showing it.
 */
import sharp from 'sharp';
import { TransientError } from '../errors.js';
import { seekThumbnailJob } from '../media/ffmpeg-args.js';
import { streamFfmpeg } from '../media/ffmpeg.js';
import type { GreyFrame } from '../media/frames.js';
import type { VideoInfo } from '../media/video-info.js';
import type { Finding } from './verify.js';

export interface SheetTile {
  frame: number;
  width: number;
  height: number;
  rgb: Buffer;
}

export async function sheetTile(frame: GreyFrame, findings: Finding[], tileWidth: number): Promise<SheetTile> {
  const rgb = Buffer.alloc(frame.width * frame.height * 3);
  for (let i = 0; i < frame.width * frame.height; i++) rgb.fill(frame.data[i], i * 3, i * 3 + 3);
  for (const f of findings) {
    for (let y = Math.max(0, f.box.y); y < Math.min(frame.height, f.box.y + f.box.h); y++) {
      for (let x = Math.max(0, f.box.x); x < Math.min(frame.width, f.box.x + f.box.w); x++) {
        const i = (y * frame.width + x) * 3;
        rgb[i] = 220;
        rgb[i + 1] = 30;
        rgb[i + 2] = 30;
      }
    }
  }
  const height = Math.max(1, Math.round((frame.height * tileWidth) / frame.width));
  const out = await sharp(rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .resize(tileWidth, height)
    .raw()
    .toBuffer();
  return { frame: frame.index, width: tileWidth, height, rgb: out };
}

export async function writeSheet(tiles: SheetTile[], path: string, columns = 4): Promise<void> {
  const sorted = [...tiles].sort((a, b) => a.frame - b.frame);
  const gap = 6;
  const w = sorted[0]?.width ?? 320;
  const h = sorted[0]?.height ?? 180;
  const rows = Math.max(1, Math.ceil(sorted.length / columns));
  const width = columns * w + (columns + 1) * gap;
  const height = rows * h + (rows + 1) * gap;
  await sharp({ create: { width, height, channels: 3, background: { r: 40, g: 40, b: 40 } } })
    .composite(
      sorted.map((t, i) => ({
        input: t.rgb,
        raw: { width: t.width, height: t.height, channels: 3 as const },
        left: gap + (i % columns) * (w + gap),
        top: gap + Math.floor(i / columns) * (h + gap),
      })),
    )
    .png()
    .toFile(path);
}

/**
 * A colour contact sheet of `frames` of a (redacted) video, for a person to spot-check:
 * each frame found by seeking, so the cost does not grow with the video's length.
 */
export async function spotCheckSheet(path: string, info: VideoInfo, frames: readonly number[], out: string, tileWidth = 320): Promise<void> {
  const width = Math.min(tileWidth, info.width) & ~1;
  const height = Math.max(2, Math.round((info.height * width) / info.width) & ~1);
  const tiles: SheetTile[] = [];
  for (const frame of frames) {
    const decoder = streamFfmpeg(seekThumbnailJob(path, info, frame, width, height));
    const chunks: Buffer[] = [];
    for await (const chunk of decoder.output as AsyncIterable<Buffer>) chunks.push(chunk);
    await decoder.done;
    const rgb = Buffer.concat(chunks);
    if (rgb.length !== width * height * 3) throw new TransientError(`frame ${frame} could not be decoded for the sheet`);
    tiles.push({ frame, width, height, rgb });
  }
  await writeSheet(tiles, out, Math.min(4, Math.max(1, tiles.length)));
}
