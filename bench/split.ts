/**
 * `npm run bench:split`: a long recording redacted through the queue, split into segments
 * that worker processes analyse and then render as child jobs (see
 * workers/redact-worker.ts), with 1 and with 2 worker processes on this machine, against a
 * plain ffmpeg transcode of the same file in the same run. Prints each segment's times, the
 * wall times, and from them the wall time projected on more machines (one worker process
 * each, as many cores as this one).
 *
 *   npm run bench:split -- [--minutes 30] [--split-sec 300] [--block-sec 300] [--workers 1,2]
 *
 * The recording is `minutes` long, 1080p30, made of blocks of `block-sec` seconds, each a
 * different support screen (a customer profile, transactions, a chat, a terminal) on
 * which the agent's pointer moves for the first 40 s and then rests, as in a call: made
 * once and kept under bench-output/split/. Needs Redis at REDIS_URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Queue, QueueEvents } from 'bullmq';
import { parseConfig } from '../src/config.js';
import { plainTranscodeJob, QUIET } from '../src/media/ffmpeg-args.js';
import { runFfmpeg } from '../src/media/ffmpeg.js';
import { probeVideo } from '../src/media/probe.js';
import { addRecording, redisConnection, type RedactJobData, type SegmentJobResult } from '../src/queue/jobs.js';
import { LocalStorage } from '../src/storage/local.js';
import { writeScene } from '../src/synth/render.js';
import { chatScene, profileScene, terminalScene, transactionsScene, withPointer } from '../src/synth/scenarios.js';
import { timed, treeRss } from './measure.js';
import type { SceneSpec } from '../src/synth/scene.js';

const root = resolve(new URL('../..', import.meta.url).pathname);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The pointer of `scene` moving for its first `seconds`, then resting where it stopped. */
function pointerFor(scene: SceneSpec, seconds: number, seed: number): SceneSpec {
  const moving = withPointer(scene, seed);
  const until = Math.round(seconds * scene.fps);
  const keys = (moving.pointer ?? []).filter(([frame]) => frame <= until);
  return { ...moving, pointer: keys };
}

async function makeRecording(path: string, minutes: number, blockSec: number): Promise<void> {
  const dir = `${path}.blocks`;
  await mkdir(dir, { recursive: true });
  const o = { width: 1920, height: 1080, fps: 30, seconds: blockSec };
  const screens = [
    (seed: number) => profileScene({ ...o, seed }),
    (seed: number) => transactionsScene({ ...o, seed }),
    (seed: number) => chatScene({ ...o, seed }),
    (seed: number) => terminalScene({ ...o, seed }),
  ];
  const blocks = Math.ceil((minutes * 60) / blockSec);
  const list: string[] = [];
  for (let i = 0; i < blocks; i++) {
    const file = join(dir, `block-${i}.mp4`);
    if (!existsSync(file)) {
      process.stderr.write(`bench:split: making block ${i + 1} of ${blocks}\n`);
      await writeScene(pointerFor(screens[i % screens.length](40 + i), 40, 60 + i), file);
    }
    list.push(`file '${file}'`);
  }
  const listFile = join(dir, 'list.txt');
  await writeFile(listFile, `${list.join('\n')}\n`);
  // The blocks share their encoding: joined without a second encode.
  await runFfmpeg({ input: listFile, inputOptions: [...QUIET, '-f', 'concat', '-safe', '0'], outputOptions: ['-c', 'copy', '-f', 'mp4', '-y'], output: path });
}

interface SplitRun {
  workers: number;
  wallSec: number;
  /** From the parent's start to the moment its children were added. */
  planSec: number;
  /** The segments' analyses, and their renders (none when the parent rendered whole). */
  segments: ChildRun[];
  renders: ChildRun[];
  /** From the last analysis to the first render: the parent adding the render children. */
  betweenSec: number;
  /** From the last child's end to the archive: join (or render whole), verify, finalise. */
  afterSec: number;
  /** Peak resident memory of the worker processes and everything they ran, summed. */
  peakMiB: number;
  stageSeconds?: Record<string, number>;
  /** From the manifest: segments joined, and what the first verification found (a second pass renders whole). */
  renderedSegments?: number;
  firstPassFindings: number;
  firstPass: Array<{ frame: number; type: string; detector: string; box: { x: number; y: number; w: number; h: number } }>;
}

type ChildRun = SegmentJobResult & { startedAt: number; finishedAt: number };

async function runSplit(input: string, workers: number, splitSec: number, work: string): Promise<SplitRun> {
  const name = `bench-split-${randomUUID()}`;
  const dataRoot = join(work, name);
  const storage = await new LocalStorage(dataRoot).init();
  const connection = redisConnection(REDIS_URL);
  const queue = new Queue<RedactJobData>(name, { connection });
  const eventsConnection = redisConnection(REDIS_URL);
  const events = new QueueEvents(name, { connection: eventsConnection });
  await events.waitUntilReady();
  const configPath = join(work, `${name}.config.json`);
  // One worker process a machine: its OCR workers take the cores; two here share them.
  await writeFile(configPath, JSON.stringify({ analysis: { ocrWorkers: Math.max(1, Math.floor(2 / workers)) } }));
  const children: ChildProcess[] = [];
  try {
    const { id, ext } = await storage.ingest(input);
    const started = Date.now();
    for (let i = 0; i < workers; i++) {
      children.push(
        spawn(process.execPath, [join(root, 'bin/veil.js'), 'worker', '--root', dataRoot, '--split-sec', String(splitSec), '--config', configPath], {
          env: { ...process.env, VEIL_QUEUE: name, REDIS_URL },
          stdio: ['ignore', 'ignore', 'inherit'],
        }),
      );
    }
    let peak = 0;
    const poll = setInterval(() => {
      void Promise.all(children.map((c) => treeRss(c.pid!))).then((rss) => (peak = Math.max(peak, rss.reduce((a, b) => a + b, 0))));
    }, 250);
    const job = await addRecording(queue, { recordingId: id, ext: ext as RedactJobData['ext'], options: {} });
    await job.waitUntilFinished(events, 6 * 3600_000).finally(() => clearInterval(poll));
    const wallSec = (Date.now() - started) / 1000;
    const parent = await queue.getJob(job.id!);
    const jobs = (await queue.getJobs(['completed']))
      .filter((j) => j.name === 'segment')
      .map((j) => ({ ...(j.returnvalue as unknown as SegmentJobResult), startedAt: j.processedOn ?? 0, finishedAt: j.finishedOn ?? 0 }))
      .sort((a, b) => a.segment - b.segment);
    const segments = jobs.filter((c) => c.stage !== 'render');
    const renders = jobs.filter((c) => c.stage === 'render');
    const firstChild = Math.min(...segments.map((s) => s.startedAt));
    const lastAnalysis = Math.max(...segments.map((s) => s.finishedAt));
    const lastChild = Math.max(...jobs.map((s) => s.finishedAt));
    const manifest = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(join(storage.archivePath(id), 'manifest.json'), 'utf8')));
    return {
      workers,
      wallSec,
      planSec: segments.length ? (firstChild - started) / 1000 : 0,
      segments,
      renders,
      betweenSec: renders.length ? (Math.min(...renders.map((r) => r.startedAt)) - lastAnalysis) / 1000 : 0,
      afterSec: segments.length ? ((parent?.finishedOn ?? Date.now()) - lastChild) / 1000 : wallSec,
      stageSeconds: manifest.analysis?.stageSeconds,
      renderedSegments: manifest.analysis?.renderedSegments,
      firstPassFindings: manifest.verification?.firstPassFindings ?? 0,
      firstPass: manifest.verification?.firstPass ?? [],
      peakMiB: peak / 2 ** 20,
    };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    await events.close();
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    await connection.quit();
    await eventsConnection.quit();
    await rm(dataRoot, { recursive: true, force: true });
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '30' },
      'split-sec': { type: 'string', default: '300' },
      'block-sec': { type: 'string', default: '300' },
      workers: { type: 'string', default: '1,2' },
    },
  });
  const minutes = Number(values.minutes);
  const splitSec = Number(values['split-sec']);
  const blockSec = Number(values['block-sec']);
  const work = join(root, 'bench-output', 'split');
  await mkdir(work, { recursive: true });
  const input = join(work, `session-${minutes}min-${blockSec}-1080p30.mp4`);
  if (!existsSync(input)) await makeRecording(input, minutes, blockSec);
  const config = parseConfig({});
  const info = await probeVideo(input, config);
  process.stderr.write(`bench:split: ${input} (${(info.durationSec / 60).toFixed(1)} min, ${info.frameCount} frames)\n`);

  const [, transcodeSec] = await timed(() => runFfmpeg(plainTranscodeJob(input, join(work, 'transcode.mp4'), config, info)));
  await rm(join(work, 'transcode.mp4'), { force: true });
  process.stderr.write(`bench:split: plain transcode ${transcodeSec.toFixed(1)} s\n`);

  const runs: SplitRun[] = [];
  for (const n of values.workers.split(',').map(Number)) {
    const run = await runSplit(input, n, splitSec, work);
    runs.push(run);
    process.stderr.write(`bench:split: ${n} worker process(es): ${run.wallSec.toFixed(1)} s\n`);
  }

  const x = (s: number) => `${(s / transcodeSec).toFixed(2)}x`;
  const lines = [
    `split bench: ${(info.durationSec / 60).toFixed(1)}-minute ${info.width}x${info.height} ${info.fps} fps recording, segments of about ${splitSec} s`,
    `plain transcode (libx264 veryfast): ${transcodeSec.toFixed(1)} s`,
  ];
  for (const r of runs) {
    lines.push(
      `${r.workers} worker process(es): wall ${r.wallSec.toFixed(1)} s (${x(r.wallSec)}): plan ${r.planSec.toFixed(1)} s, ${r.segments.length} segments analysed, ` +
        `${r.renders.length ? `${r.renders.length} rendered (${r.betweenSec.toFixed(1)} s between)` : 'rendered whole'}, after the last child ${r.afterSec.toFixed(1)} s ` +
        `(${r.renders.length ? 'join' : 'render'}, verify, archive); peak memory ${r.peakMiB.toFixed(0)} MiB`,
    );
    if (r.stageSeconds) lines.push(`  parent stages: ${Object.entries(r.stageSeconds).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}`);
    lines.push(
      `  output: ${r.renderedSegments ? `${r.renderedSegments} rendered segments joined` : 'rendered whole by the parent'}; ` +
        `first verification ${r.firstPassFindings ? `found ${r.firstPassFindings} value(s): masked, rendered again` : 'found nothing'}`,
    );
    for (const f of r.firstPass) {
      lines.push(`    found ${f.type} (${f.detector}) on frame ${f.frame} at ${f.box.x},${f.box.y} ${f.box.w}x${f.box.h}`);
    }
    const t0 = Math.min(...r.segments.map((s) => s.startedAt));
    const ran = (c: ChildRun) => `ran ${((c.startedAt - t0) / 1000).toFixed(1)}-${((c.finishedAt - t0) / 1000).toFixed(1)} s`;
    for (const s of r.segments) {
      const render = r.renders.find((c) => c.segment === s.segment);
      lines.push(
        `  segment ${s.segment}: ${s.frames} frames, ${s.reads} reads, analysed in ${s.seconds.toFixed(1)} s (${x(s.seconds)}), ${ran(s)}` +
          (render ? `; rendered in ${render.seconds.toFixed(1)} s (${x(render.seconds)}), ${ran(render)}` : ''),
      );
    }
  }
  // Projection: each machine one worker process with this machine's cores, taking segments
  // as they come (waves of n), first the analyses and then the renders, with the parent's
  // steps (planning, adding the renders, then join and verification) on one.
  const one = runs.find((r) => r.workers === 1 && r.segments.length);
  if (one) {
    const wave = (jobs: ChildRun[], machines: number) => {
      const loads = new Array<number>(machines).fill(0);
      for (const t of jobs.map((j) => j.seconds).sort((a, b) => b - a)) loads[loads.indexOf(Math.min(...loads))] += t;
      return Math.max(...loads);
    };
    for (const machines of [1, 2, 4, 8]) {
      const wall = one.planSec + wave(one.segments, machines) + one.betweenSec + (one.renders.length ? wave(one.renders, machines) : 0) + one.afterSec;
      lines.push(`projected on ${machines} machine(s): ${wall.toFixed(1)} s (${x(wall)}; ${(wall / 60).toFixed(1)} min)`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  await writeFile(join(work, 'results.txt'), `${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:split failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
