import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * A hidden temporary name beside `finalPath`, keeping its extension so tools that pick a
 * format from the name still do. Renaming it onto `finalPath` is atomic (same directory).
 */
export function temporaryNameFor(finalPath: string): string {
  const ext = extname(finalPath);
  const tag = randomBytes(6).toString('hex');
  return join(dirname(finalPath), `.${basename(finalPath, ext)}.${tag}.partial${ext}`);
}

/** Writes `data` to `path` through a temporary file, fsync and rename. */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = temporaryNameFor(path);
  try {
    const fh = await open(tmp, 'wx', 0o640);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Files the service and workers write under the data root are the service user's alone: new files
 * 0640 at most (originals are made 0600 explicitly). ffmpeg and the workers' children
 * inherit it.
 */
export function restrictUmask(): void {
  try {
    process.umask(0o027);
  } catch {
    /* not allowed in a worker thread; the explicit modes still apply */
  }
}
