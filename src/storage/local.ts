/**
 * Local-filesystem storage under a data root shared by every worker:
 *   inbox/       recordings waiting, named by recording id (never by their original name)
 *   work/<id>/   one attempt's temporary files, removed by the next attempt
 *   archive/<id>/ video + manifest.json, put in place together by one rename
 *   quarantine/  recordings that cannot be redacted, each with a reason file (no PII)
 * Every write goes to a temporary name first; nothing half-written is ever visible under
 * a final name.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { z } from 'zod';
import { BadInputError } from '../errors.js';
import { OUTPUT_EXTENSIONS } from '../media/ffmpeg-args.js';

export const RecordingId = z.string().regex(/^rec-[0-9a-f]{32}$/);
export const RecordingExt = z.enum(OUTPUT_EXTENSIONS as [string, ...string[]]);

async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function contentId(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `rec-${hash.digest('hex').slice(0, 32)}`;
}

export interface QuarantineReason {
  kind: 'bad-input' | 'verification' | 'failed';
  message: string;
  attempts: number;
}

export class LocalStorage {
  readonly inbox: string;
  readonly work: string;
  readonly archiveDir: string;
  readonly quarantineDir: string;

  constructor(readonly root: string) {
    this.inbox = join(root, 'inbox');
    this.work = join(root, 'work');
    this.archiveDir = join(root, 'archive');
    this.quarantineDir = join(root, 'quarantine');
  }

  async init(): Promise<this> {
    for (const dir of [this.inbox, this.work, this.archiveDir, this.quarantineDir]) await mkdir(dir, { recursive: true });
    return this;
  }

  inboxPath(id: string, ext: string): string {
    return join(this.inbox, `${id}${ext}`);
  }

  workDir(id: string): string {
    return join(this.work, id);
  }

  archivePath(id: string): string {
    return join(this.archiveDir, id);
  }

  /**
   * Puts a recording into the inbox under its content id. The source is hard-linked, or
   * copied, under a temporary name and renamed; `move` removes the source afterwards.
   */
  async ingest(source: string, options: { move?: boolean } = {}): Promise<{ id: string; ext: string; path: string }> {
    const ext = extname(source).toLowerCase();
    if (!RecordingExt.safeParse(ext).success) {
      throw new BadInputError(`recordings must end in one of ${OUTPUT_EXTENSIONS.join(', ')}`);
    }
    const st = await stat(source).catch(() => null);
    // No path in the message: a file's name can itself be personal data, and watch logs it.
    if (!st?.isFile()) throw new BadInputError('the file is not readable');
    const id = await contentId(source);
    const path = this.inboxPath(id, ext);
    const tmp = join(this.inbox, `.${id}.${randomBytes(4).toString('hex')}.partial`);
    try {
      await link(source, tmp).catch(() => copyFile(source, tmp));
      await fsyncPath(tmp);
      await rename(tmp, path);
    } finally {
      await rm(tmp, { force: true });
    }
    if (options.move) await rm(source, { force: true });
    return { id, ext, path };
  }

  async isArchived(id: string): Promise<boolean> {
    return (await stat(join(this.archivePath(id), 'manifest.json')).catch(() => null)) !== null;
  }

  /**
   * Archives a verified video and its manifest together: both are written into a hidden
   * directory, synced, and the directory renamed to archive/<id>. Returns false if the
   * recording was already archived (another attempt got there first).
   */
  async archive(id: string, video: string, manifest: string, ext: string): Promise<boolean> {
    const final = this.archivePath(id);
    if (await this.isArchived(id)) return false;
    const tmp = join(this.archiveDir, `.${id}.${randomBytes(4).toString('hex')}.partial`);
    await mkdir(tmp);
    try {
      const files: Array<[string, string]> = [
        [video, join(tmp, `video${ext}`)],
        [manifest, join(tmp, 'manifest.json')],
      ];
      for (const [from, to] of files) {
        await rename(from, to).catch(() => copyFile(from, to));
        await fsyncPath(to);
      }
      await fsyncPath(tmp);
      try {
        await rename(tmp, final);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOTEMPTY' || (err as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw err;
      }
      await fsyncPath(this.archiveDir);
      return true;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  async removeFromInbox(id: string, ext: string): Promise<void> {
    await rm(this.inboxPath(id, ext), { force: true });
    await fsyncPath(this.inbox);
  }

  /** Moves a recording out of the inbox with a reason file. The reason names no PII. */
  async quarantine(id: string, ext: string, reason: QuarantineReason): Promise<void> {
    const reasonPath = join(this.quarantineDir, `${id}.reason.json`);
    const tmp = join(this.quarantineDir, `.${id}.${randomBytes(4).toString('hex')}.partial`);
    await writeFile(tmp, `${JSON.stringify({ id, ...reason, at: new Date().toISOString() }, null, 2)}\n`);
    await rename(tmp, reasonPath);
    await rename(this.inboxPath(id, ext), join(this.quarantineDir, `${id}${ext}`)).catch((err) => {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    });
  }

  async cleanWork(id: string): Promise<void> {
    await rm(this.workDir(id), { recursive: true, force: true });
  }

  async listArchive(): Promise<string[]> {
    return (await readdir(this.archiveDir)).sort();
  }
}
