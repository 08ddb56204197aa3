/**
 * What the web service knows of a recording: who uploaded it and where it stands. The
 * state is read from the places the workers write (archive/, quarantine/, inbox/) and from
 * the queue's job; the service keeps only who uploaded each recording, one file per
 * uploader under <root>/service/owners/<id>/ (created exclusively, so two uploads of the
 * same file at once both count). Nothing here holds a file's original name.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ManifestSchema, type Manifest } from '../manifest.js';
import { JobProgress } from '../queue/jobs.js';
import { LocalStorage, RecordingId } from '../storage/local.js';
import { TOKEN_NAME } from './auth.js';

export const RecordingState = z.enum(['queued', 'processing', 'retrying', 'done', 'failed']);
export type RecordingState = z.infer<typeof RecordingState>;

export const RecordingStatus = z.object({
  id: RecordingId,
  state: RecordingState,
  /** Stage of the redaction while processing (probe, analyse, render, verify, ...). */
  stage: z.string().optional(),
  percent: z.number().min(0).max(100),
  uploadedAt: z.string().optional(),
  attempts: z.number().int().min(0),
  error: z.object({ kind: z.string(), message: z.string() }).optional(),
  result: z
    .object({
      durationSec: z.number(),
      piiTracks: z.number().int(),
      changingTracks: z.number().int(),
      byType: z.record(z.string(), z.number().int()),
    })
    .optional(),
});
export type RecordingStatus = z.infer<typeof RecordingStatus>;

/** The queue as the service sees it: one job's state, by recording id. */
export interface JobView {
  state: string;
  progress: unknown;
  attemptsMade: number;
  maxAttempts: number;
  failedReason?: string;
}
export interface QueueView {
  job(id: string): Promise<JobView | undefined>;
}

const OwnersRecord = z.object({ id: RecordingId, owners: z.array(z.string()), uploadedAt: z.string() });
type OwnersRecord = z.infer<typeof OwnersRecord>;
const OwnerFile = z.object({ uploadedAt: z.string() });

const QuarantineRecord = z.object({ kind: z.string(), message: z.string(), attempts: z.number().int().optional() });

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export class RecordingRegistry {
  readonly ownersDir: string;
  readonly uploadsDir: string;
  readonly sheetsDir: string;

  constructor(
    readonly storage: LocalStorage,
    readonly queue: QueueView,
  ) {
    const base = join(storage.root, 'service');
    this.ownersDir = join(base, 'owners');
    this.uploadsDir = join(base, 'uploads');
    this.sheetsDir = join(base, 'sheets');
  }

  /**
   * Makes the service's directories and removes what a stopped service left: partial
   * uploads (one service owns uploads/; a restart ends every upload in flight) and stale
   * temporary files of the storage.
   */
  async init(): Promise<this> {
    await this.storage.init();
    for (const dir of [this.ownersDir, this.uploadsDir, this.sheetsDir]) await mkdir(dir, { recursive: true, mode: 0o750 });
    for (const name of await readdir(this.uploadsDir)) await rm(join(this.uploadsDir, name), { recursive: true, force: true });
    await this.storage.sweep();
    return this;
  }

  private ownerDir(id: string) {
    return join(this.ownersDir, id);
  }

  async owners(id: string): Promise<OwnersRecord | undefined> {
    const names = await readdir(this.ownerDir(id)).catch(() => [] as string[]);
    const entries: Array<{ owner: string; at: string }> = [];
    for (const name of names) {
      const at = OwnerFile.safeParse(await readJson(join(this.ownerDir(id), name)));
      if (at.success && TOKEN_NAME.test(name)) entries.push({ owner: name, at: at.data.uploadedAt });
    }
    if (!entries.length) return undefined;
    entries.sort((a, b) => a.at.localeCompare(b.at));
    return { id, owners: entries.map((e) => e.owner), uploadedAt: entries[0].at };
  }

  /**
   * Records that `owner` uploaded recording `id` (the same content uploaded by two people
   * has two owners). One file per owner, created exclusively: concurrent uploads cannot
   * overwrite each other's ownership.
   */
  async addOwner(id: string, owner: string): Promise<void> {
    if (!TOKEN_NAME.test(owner)) throw new Error('owner names are token names');
    await mkdir(this.ownerDir(id), { recursive: true, mode: 0o750 });
    await writeFile(join(this.ownerDir(id), owner), `${JSON.stringify({ uploadedAt: new Date().toISOString() })}\n`, { flag: 'wx', mode: 0o640 }).catch((err) => {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    });
  }

  async isOwner(id: string, owner: string): Promise<boolean> {
    return (await this.owners(id))?.owners.includes(owner) ?? false;
  }

  /** The archived manifest, once the recording is done. */
  async manifest(id: string): Promise<Manifest | undefined> {
    const raw = await readJson(join(this.storage.archivePath(id), 'manifest.json'));
    if (raw === undefined) return undefined;
    return ManifestSchema.parse(raw);
  }

  /** The archived redacted video's path, once the recording is done. */
  async videoPath(id: string): Promise<string | undefined> {
    const dir = this.storage.archivePath(id);
    const names = await readdir(dir).catch(() => [] as string[]);
    const video = names.find((n) => /^video\.[a-z0-9]+$/.test(n));
    return video ? join(dir, video) : undefined;
  }

  /** Where a recording stands, or undefined if nothing is known of it. */
  async status(id: string): Promise<RecordingStatus | undefined> {
    if (!RecordingId.safeParse(id).success) return undefined;
    const owners = await this.owners(id);
    const base = { id, uploadedAt: owners?.uploadedAt, percent: 0, attempts: 0 };
    const manifest = await this.manifest(id);
    if (manifest) {
      return {
        ...base,
        state: 'done',
        percent: 100,
        result: {
          durationSec: manifest.input.durationSec,
          piiTracks: manifest.summary.piiTracks,
          changingTracks: manifest.summary.changingTracks,
          byType: manifest.summary.byType,
        },
      };
    }
    const quarantined = QuarantineRecord.safeParse(await readJson(join(this.storage.quarantineDir, `${id}.reason.json`)));
    if (quarantined.success) {
      const q = quarantined.data;
      return { ...base, state: 'failed', attempts: q.attempts ?? 0, error: { kind: q.kind, message: q.message } };
    }
    const job = await this.queue.job(id);
    if (job) {
      const progress = JobProgress.safeParse(job.progress);
      const attempts = job.attemptsMade;
      switch (job.state) {
        case 'active':
          return { ...base, state: 'processing', attempts, stage: progress.data?.stage, percent: progress.data?.percent ?? 0 };
        case 'waiting-children':
          // Split: its segments are being analysed, or rendered, by child jobs.
          return { ...base, state: 'processing', attempts, stage: progress.data?.stage === 'render' ? 'render' : 'analyse', percent: progress.data?.percent ?? 0 };
        case 'completed':
          // Archived a moment ago, or archived under another data root: the archive decides.
          return { ...base, state: 'processing', attempts, stage: 'archive', percent: 100 };
        case 'failed':
          return { ...base, state: 'failed', attempts, error: { kind: 'failed', message: job.failedReason ?? 'the job failed' } };
        case 'delayed':
          return { ...base, state: attempts > 0 ? 'retrying' : 'queued', attempts, error: attempts > 0 && job.failedReason ? { kind: 'transient', message: job.failedReason } : undefined };
        default:
          return { ...base, state: 'queued', attempts };
      }
    }
    if (await this.storage.inboxEntry(id)) return { ...base, state: 'queued' };
    if (owners) return { ...base, state: 'failed', error: { kind: 'lost', message: 'the recording is neither queued nor archived' } };
    return undefined;
  }

  /** Every recording the service or the workers know of, newest first; only `owner`'s if given. */
  async list(owner?: string): Promise<RecordingStatus[]> {
    const ids = new Set<string>();
    const add = (names: string[], pattern: RegExp) => {
      for (const n of names) {
        const m = pattern.exec(n);
        if (m && RecordingId.safeParse(m[1]).success) ids.add(m[1]);
      }
    };
    add(await readdir(this.ownersDir).catch(() => []), /^(rec-[0-9a-f]{32})$/);
    if (!owner) {
      add(await readdir(this.storage.archiveDir).catch(() => []), /^(rec-[0-9a-f]{32})$/);
      add(await readdir(this.storage.quarantineDir).catch(() => []), /^(rec-[0-9a-f]{32})\.reason\.json$/);
      add(await readdir(this.storage.inbox).catch(() => []), /^(rec-[0-9a-f]{32})\.[a-z0-9]+$/);
    }
    const out: Array<RecordingStatus & { sortKey: number }> = [];
    for (const id of ids) {
      if (owner && !(await this.isOwner(id, owner))) continue;
      const status = await this.status(id);
      if (!status) continue;
      const when = status.uploadedAt ? Date.parse(status.uploadedAt) : ((await stat(this.storage.archivePath(id)).catch(() => null))?.mtimeMs ?? 0);
      out.push({ ...status, sortKey: when });
    }
    return out.sort((a, b) => b.sortKey - a.sortKey).map(({ sortKey: _k, ...s }) => s);
  }

  sheetPath(id: string): string {
    return join(this.sheetsDir, `${id}.png`);
  }
}
