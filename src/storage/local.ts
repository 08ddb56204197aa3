/**
 * Local-filesystem storage under a data root shared by every worker:
 *   inbox/       recordings waiting, named by recording id (never by their original name)
 *   work/<id>/   one attempt's temporary files, removed by the next attempt
 *   work/<id>.segments/ a split recording's segment analyses, sealed, and its rendered segments, until it is archived
 *   archive/<id>/ video + manifest.json, put in place together by one rename
 *   quarantine/  recordings that cannot be redacted, each with a reason file (no PII)
 * Every write goes to a temporary name first; nothing half-written is ever visible under
 * a final name. Originals are 0600 and everything else 0640: the data root is the service
 * user's alone. An original lives in the inbox only while its job does: it is removed
 * once archived, moved to quarantine on a permanent failure, and never stored twice.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, link, mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { z } from 'zod';
import { BadInputError } from '../errors.js';
import { OUTPUT_EXTENSIONS } from '../media/ffmpeg-args.js';
import { demuxerOf, type Demuxer } from '../media/input.js';

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

/** Modes of what veil writes under the data root. */
export const ORIGINAL_MODE = 0o600;
export const FILE_MODE = 0o640;

/**
 * The extension a recording is stored under: the one it was given if that names the
 * container its bytes show, else that container's usual one. The output is written in the
 * same container, so a mislabelled file is not rendered into a container its streams do
 * not fit.
 */
export function extensionForDemuxer(demuxer: Demuxer, named: string): string {
  const fits: Record<Demuxer, string[]> = { mov: ['.mp4', '.m4v', '.mov'], matroska: ['.mkv', '.webm'] };
  return fits[demuxer].includes(named) ? named : demuxer === 'mov' ? '.mp4' : '.mkv';
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
    for (const dir of [this.inbox, this.work, this.archiveDir, this.quarantineDir]) await mkdir(dir, { recursive: true, mode: 0o750 });
    return this;
  }

  inboxPath(id: string, ext: string): string {
    return join(this.inbox, `${id}${ext}`);
  }

  workDir(id: string): string {
    return join(this.work, id);
  }

  /**
   * The sealed analyses of a split recording's segments (see segments.ts): kept across the
   * attempts of its job, removed once it is archived or quarantined.
   */
  segmentsDir(id: string): string {
    return join(this.work, `${id}.segments`);
  }

  segmentPath(id: string, index: number): string {
    return join(this.segmentsDir(id), `${index}.sealed`);
  }

  /** A split recording's segment rendered with its masks (MP4, video alone), and beside it the digest of the masks drawn (`.tracks`). */
  segmentRenderPath(id: string, index: number): string {
    return join(this.segmentsDir(id), `${index}.mp4`);
  }

  async cleanSegments(id: string): Promise<void> {
    await rm(this.segmentsDir(id), { recursive: true, force: true });
  }

  archivePath(id: string): string {
    return join(this.archiveDir, id);
  }

  /** The inbox file of recording `id`, whatever its extension, if there is one (a stat per extension, not a listing). */
  async inboxEntry(id: string): Promise<{ ext: string; path: string } | undefined> {
    for (const ext of OUTPUT_EXTENSIONS) {
      const path = this.inboxPath(id, ext);
      if ((await stat(path).catch(() => null))?.isFile()) return { ext, path };
    }
    return undefined;
  }

  /**
   * Puts a recording into the inbox under its content id, as 0600. `link` hard-links it
   * where it can (so the source's mode changes too: only for a source the caller removes
   * afterwards); otherwise it is copied and the caller's file is left as it was. The same
   * content already in the inbox is not stored twice: `created` says whether this call put
   * the file there. The source itself is never removed here.
   */
  async ingest(source: string, options: { link?: boolean } = {}): Promise<{ id: string; ext: string; path: string; created: boolean }> {
    const named = extname(source).toLowerCase();
    if (!RecordingExt.safeParse(named).success) {
      throw new BadInputError(`recordings must end in one of ${OUTPUT_EXTENSIONS.join(', ')}`);
    }
    const st = await stat(source).catch(() => null);
    // No path in the message: a file's name can itself be personal data, and watch logs it.
    if (!st?.isFile()) throw new BadInputError('the file is not readable');
    if (st.size === 0) throw new BadInputError('the file is empty (0 bytes)');
    const ext = extensionForDemuxer(await demuxerOf(source), named);
    const id = await contentId(source);
    const existing = await this.inboxEntry(id);
    if (existing) return { id, ext: existing.ext, path: existing.path, created: false };
    const path = this.inboxPath(id, ext);
    const tmp = join(this.inbox, `.${id}.${randomBytes(4).toString('hex')}.partial`);
    try {
      if (options.link) await link(source, tmp).catch(() => copyFile(source, tmp));
      else await copyFile(source, tmp);
      await chmod(tmp, ORIGINAL_MODE);
      await fsyncPath(tmp);
      await rename(tmp, path);
    } finally {
      await rm(tmp, { force: true });
    }
    return { id, ext, path, created: true };
  }

  /**
   * Removes what an interrupted process left: hidden temporary files and directories
   * (`.*.partial`) in the inbox, archive and quarantine older than `olderThanMs`. Live
   * writes of other workers sharing the root are younger than that.
   */
  async sweep(olderThanMs = 3600_000): Promise<number> {
    let removed = 0;
    for (const dir of [this.inbox, this.archiveDir, this.quarantineDir]) {
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        if (!name.startsWith('.') || !name.includes('.partial')) continue;
        const st = await stat(join(dir, name)).catch(() => null);
        if (st && Date.now() - st.mtimeMs > olderThanMs) {
          await rm(join(dir, name), { recursive: true, force: true });
          removed++;
        }
      }
    }
    return removed;
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
        await chmod(to, FILE_MODE);
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
    const entry = await this.inboxEntry(id);
    await rm(entry?.path ?? this.inboxPath(id, ext), { force: true });
    await fsyncPath(this.inbox);
  }

  async isQuarantined(id: string): Promise<boolean> {
    return (await stat(join(this.quarantineDir, `${id}.reason.json`)).catch(() => null)) !== null;
  }

  /** Moves a recording out of the inbox with a reason file. The reason names no PII. */
  async quarantine(id: string, ext: string, reason: QuarantineReason): Promise<void> {
    const reasonPath = join(this.quarantineDir, `${id}.reason.json`);
    const tmp = join(this.quarantineDir, `.${id}.${randomBytes(4).toString('hex')}.partial`);
    await writeFile(tmp, `${JSON.stringify({ id, ...reason, at: new Date().toISOString() }, null, 2)}\n`, { mode: FILE_MODE });
    await rename(tmp, reasonPath);
    const entry = (await this.inboxEntry(id)) ?? { ext, path: this.inboxPath(id, ext) };
    const kept = join(this.quarantineDir, `${id}${entry.ext}`);
    await rename(entry.path, kept).then(
      () => chmod(kept, ORIGINAL_MODE),
      (err) => {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      },
    );
  }

  async cleanWork(id: string): Promise<void> {
    await rm(this.workDir(id), { recursive: true, force: true });
  }

  async listArchive(): Promise<string[]> {
    return (await readdir(this.archiveDir)).sort();
  }
}
