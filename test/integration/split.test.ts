import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { probeVideo } from '../../src/media/probe.js';
import { redactVideo } from '../../src/pipeline/redact.js';
import { segmentsOf } from '../../src/pipeline/split.js';
import { redisConnection, type SegmentJobResult } from '../../src/queue/jobs.js';
import { measureExposure } from '../../src/synth/exposure.js';
import { findLeaks } from '../../src/synth/leaks.js';
import { writeScene } from '../../src/synth/render.js';
import { chatScene, transactionsScene, withPointer } from '../../src/synth/scenarios.js';
import type { GroundTruth } from '../../src/synth/scene.js';
import { startWorker } from '../../workers/redact-worker.js';
import { ROOT, SMALL, tempDir } from '../helpers.js';
import { enqueueFile, freshQueue, REDIS_URL, redisText } from '../queue-helpers.js';

// 12 s at 10 fps, a keyframe every 4 s (writeScene): three segments of 4 s.
const SEGMENT_SEC = 4;
let dir: string;
let cleanup: () => Promise<void>;
let scroll: string;
let scrollTruth: GroundTruth;
let chat: string;
let chatTruth: GroundTruth;
const connection = redisConnection(REDIS_URL);
const toClose: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('veil-split-'));
  // A list that scrolls across both cuts, and a chat whose pointer never rests.
  scroll = join(dir, 'scroll.mp4');
  scrollTruth = await writeScene(transactionsScene({ ...SMALL, seconds: 12, seed: 5 }), scroll);
  chat = join(dir, 'chat.mp4');
  chatTruth = await writeScene(withPointer(chatScene({ ...SMALL, seconds: 12, seed: 9 }), 3), chat);
});

afterEach(async () => {
  while (toClose.length) await toClose.pop()!().catch(() => {});
});

afterAll(async () => {
  await connection.quit();
  await cleanup();
});

describe('a recording analysed in segments', () => {
  it('is cut at keyframes, each segment after the first with a lead-in', async () => {
    const config = parseConfig({});
    const info = await probeVideo(scroll, config);
    const segments = await segmentsOf(scroll, info, config, SEGMENT_SEC);
    expect(segments.map((s) => [s.firstFrame, s.frameCount])).toEqual([[0, 40], [40, 40], [80, 40]]);
    expect(segments.map((s) => s.lead)).toEqual([0, 4, 4]);
    // Shorter than one and a half segments: whole.
    expect(await segmentsOf(scroll, info, config, 9)).toHaveLength(1);
  });

  for (const [name, file, truth] of [
    ['a scrolling list', () => scroll, () => scrollTruth],
    ['a chat with a moving pointer', () => chat, () => chatTruth],
  ] as const) {
    it(`is masked as the whole analysis masks it: ${name}`, async () => {
      const input = file();
      const run = async (segmentSec?: number) => {
        const output = join(dir, `${name.replace(/\W+/g, '-')}-${segmentSec ?? 'whole'}.mp4`);
        const { manifest } = await redactVideo({ input, output, config: parseConfig({ analysis: { segmentSec } }) });
        return { manifest, exposure: await measureExposure(input, output, truth()), frames: (await probeVideo(output, parseConfig({}))).frameCount };
      };
      const whole = await run();
      const split = await run(SEGMENT_SEC);
      expect(split.frames).toBe(whole.frames);
      expect(split.manifest.output.frameCount).toBe(whole.manifest.input.frameCount);
      expect(split.manifest.analysis.segments).toBe(3);
      expect(whole.manifest.analysis.segments).toBeUndefined();
      expect(whole.exposure.piiItemFrames).toBeGreaterThan(150);
      expect(whole.exposure.exposedItemFrames).toBe(0);
      expect(split.exposure.exposedItemFrames).toBe(0);
      // The same kinds of PII found (the values OCR made of them differ with the frames read).
      const types = (m: typeof whole.manifest) => [...new Set(m.tracks.flatMap((t) => t.types))].sort();
      expect(types(split.manifest)).toEqual(types(whole.manifest));
      // And it masks little more of what is not PII.
      const share = (e: typeof whole.exposure) => e.maskedTextItemFrames / e.textItemFrames;
      expect(share(split.exposure)).toBeLessThanOrEqual(share(whole.exposure) + 0.03);
    });
  }
});

const setup = () => freshQueue(dir, connection, toClose);
const enqueue = enqueueFile;

describe('split recordings on the queue', () => {
  it('are analysed and rendered by two workers as child jobs, then joined, verified and archived once', async () => {
    const { name, root, storage, queue, events } = await setup();
    const config = { analysis: { ocrWorkers: 1 } };
    for (let i = 0; i < 2; i++) {
      const w = startWorker({ redisUrl: REDIS_URL, dataRoot: root, queueName: name, splitSec: SEGMENT_SEC, config, log: () => {} });
      toClose.push(() => w.close());
    }
    const job = await enqueue(storage, queue, scroll);
    const result = await job.waitUntilFinished(events, 300_000);
    expect(result.alreadyArchived).toBe(false);
    const archived = storage.archivePath(job.id!);
    expect((await readdir(archived)).sort()).toEqual(['manifest.json', 'video.mp4']);
    const manifest = JSON.parse(await readFile(join(archived, 'manifest.json'), 'utf8'));
    expect(manifest.output.frameCount).toBe(120);
    expect(manifest.analysis.segments).toBe(3);
    expect(manifest.analysis.renderedSegments).toBe(3);
    // Verified on both sides of each join (the segments start at frames 40 and 80).
    for (const cut of [40, 80]) {
      expect(manifest.verification.frames.some((n: number) => n >= cut - 4 && n < cut)).toBe(true);
      expect(manifest.verification.frames.some((n: number) => n >= cut && n < cut + 4)).toBe(true);
    }
    expect((await measureExposure(scroll, join(archived, 'video.mp4'), scrollTruth)).exposedItemFrames).toBe(0);
    // Two children a segment, an analysis and a render: each stage every frame once, each child with its own timing.
    const children = (await queue.getJobs(['completed'])).filter((j) => j.name === 'segment').map((j) => j.returnvalue as unknown as SegmentJobResult);
    for (const stage of ['analyse', 'render']) {
      const of = children.filter((c) => c.stage === stage);
      expect(of.map((c) => c.segment).sort()).toEqual([0, 1, 2]);
      expect(of.reduce((n, c) => n + c.frames, 0)).toBe(120);
    }
    for (const c of children) expect(c.seconds).toBeGreaterThan(0);
    // Nothing left behind: the sealed analyses go with the recording.
    expect(await readdir(storage.work)).toEqual([]);
    expect(await readdir(storage.inbox)).toEqual([]);
    // What OCR read never reaches Redis: not in the jobs, their results or their progress.
    const redis = (await redisText(connection, name)).join('\n');
    expect(redis).toContain('segment');
    expect(findLeaks({ redis }, scrollTruth.items.filter((i) => i.kind === 'pii'))).toEqual([]);
  });

  it('lose only the segment a killed worker was analysing (rendered whole by the parent with --render-whole)', async () => {
    const { name, root, storage, queue, events } = await setup();
    const job = await enqueue(storage, queue, chat);
    const env = { ...process.env, VEIL_QUEUE: name, VEIL_LOCK_MS: '3000', REDIS_URL };
    const start = () =>
      spawn(process.execPath, [join(ROOT, 'bin/veil.js'), 'worker', '--root', root, '--split-sec', String(SEGMENT_SEC), '--render-whole'], { env, stdio: 'ignore' });
    const first: ChildProcess = start();
    toClose.push(async () => void first.kill('SIGKILL'));
    // One worker takes the segments in order: kill it inside the second.
    const second = `${job.id}-s1`;
    for (let i = 0; i < 600; i++) {
      const j = await queue.getJob(second);
      if (typeof j?.progress === 'object' && (j.progress as { percent: number }).percent > 5) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await queue.getJob(second).then((j) => j?.progress)).toMatchObject({ stage: 'analyse' });
    first.kill('SIGKILL');
    const next = start();
    toClose.push(async () => void next.kill('SIGTERM'));
    const result = await job.waitUntilFinished(events, 300_000);
    expect(result.alreadyArchived).toBe(false);
    expect(await storage.listArchive()).toEqual([job.id]);
    const started = async (k: number) => (await queue.getJob(`${job.id}-s${k}`))!.attemptsStarted;
    expect(await started(0)).toBe(1);
    expect(await started(1)).toBe(2);
    expect(await started(2)).toBe(1);
    expect(await queue.getJob(`${job.id}-r0`)).toBeUndefined();
    const manifest = JSON.parse(await readFile(join(storage.archivePath(job.id!), 'manifest.json'), 'utf8'));
    expect(manifest.analysis.renderedSegments).toBeUndefined();
    expect((await measureExposure(chat, join(storage.archivePath(job.id!), 'video.mp4'), chatTruth)).exposedItemFrames).toBe(0);
  });
});
