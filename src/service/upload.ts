/**
 * An upload, streamed to a temporary file in pieces (never held whole in memory), cut off
 * as soon as it passes the size limit, then checked with ffprobe before anything is queued.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Config } from '../config.js';
import { BadInputError } from '../errors.js';
import { probeVideo } from '../media/probe.js';
import type { VideoInfo } from '../media/video-info.js';
import { RecordingExt } from '../storage/local.js';

export class TooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`the upload is larger than the limit of ${formatBytes(limitBytes)}`);
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(n % 1024 ** 3 ? 1 : 0)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(n % 1024 ** 2 ? 1 : 0)} MiB`;
  return `${n} bytes`;
}

/**
 * Streams `body` into `dir` under a hidden temporary name; throws TooLargeError past
 * `maxBytes`. The body is not destroyed on that error (its connection is still needed to
 * answer); the caller drains or closes it.
 */
export async function receiveUpload(body: Readable, dir: string, maxBytes: number): Promise<{ path: string; bytes: number }> {
  const path = join(dir, `.upload-${randomBytes(8).toString('hex')}`);
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) done(new TooLargeError(maxBytes));
      else done(null, chunk);
    },
  });
  const onError = (err: Error) => limit.destroy(err);
  const onClose = () => {
    if (!body.readableEnded) limit.destroy(new BadInputError('the upload was cut off before it finished'));
  };
  body.on('error', onError);
  body.on('close', onClose);
  body.pipe(limit);
  try {
    await pipeline(limit, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  } catch (err) {
    body.unpipe(limit);
    await rm(path, { force: true });
    throw err;
  } finally {
    body.off('error', onError);
    body.off('close', onClose);
  }
  if (bytes === 0) {
    await rm(path, { force: true });
    throw new BadInputError('the upload is empty');
  }
  return { path, bytes };
}

/**
 * The extension a checked upload is stored under: the one the client names if it fits the
 * container ffprobe found, else the container's usual one.
 */
export function extensionFor(info: VideoInfo, requested: string | undefined): string {
  const container = info.container;
  const fits: Record<string, RegExp> = {
    '.mp4': /mp4|mov/,
    '.mov': /mov|mp4/,
    '.mkv': /matroska/,
    '.webm': /webm|matroska/,
  };
  const wanted = requested?.toLowerCase();
  if (wanted && RecordingExt.safeParse(wanted).success && fits[wanted]?.test(container)) return wanted;
  if (/matroska|webm/.test(container)) return /webm/.test(container) && info.videoCodec.startsWith('vp') ? '.webm' : '.mkv';
  if (/mov|mp4/.test(container)) return '.mp4';
  throw new BadInputError(`recordings must be MP4, MOV, MKV or WebM files (this one is ${container.split(',')[0]})`);
}

/** Probes a received upload and renames it with the extension of its container. Removes it when it is not a usable video. */
export async function checkUpload(path: string, requestedExt: string | undefined, config: Config, signal?: AbortSignal): Promise<{ path: string; ext: string; info: VideoInfo }> {
  try {
    const info = await probeVideo(path, config, { signal });
    const ext = extensionFor(info, requestedExt);
    const named = `${path}${ext}`;
    await rename(path, named);
    return { path: named, ext, info };
  } catch (err) {
    await rm(path, { force: true });
    // Probe messages speak of "the input"; to an uploader it is the upload.
    if (err instanceof BadInputError) throw new BadInputError(err.message.replace(/^the input\b/, 'the upload'));
    throw err;
  }
}
