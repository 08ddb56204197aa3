/**
 * One redaction, or one segment's analysis or render, in a child process of its own. The worker
 * sends the request over IPC and receives progress and the outcome; it kills the child's
 * whole process group (ffmpeg included) on a time limit. If the worker dies, the IPC
 * channel closes and this process takes its group down with it, so no orphan keeps writing.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ocrWorkerCount, parseConfig, type Config } from '../src/config.js';
import { BadInputError, safeMessage, TransientError, VerificationError, VeilError } from '../src/errors.js';
import { probeFrameTimes, probeVideo } from '../src/media/probe.js';
import type { VideoInfo } from '../src/media/video-info.js';
import { createTesseractEngine } from '../src/ocr/tesseract.js';
import type { AnalyseResult } from '../src/pipeline/analyse.js';
import { detectOptions, maskPieces, planTracks, redactVideo } from '../src/pipeline/redact.js';
import { joinRenders, renderSegment } from '../src/pipeline/render.js';
import { joinAnalyses, openAnalysis, sealAnalysis, type Segment } from '../src/pipeline/segments.js';
import { analyseSegment } from '../src/pipeline/split.js';
import { tracksDigest } from '../src/render/segments.js';
import { writeFileAtomic } from '../src/util/fs.js';

export type ChildRequest =
  | {
      kind: 'redact';
      input: string;
      output: string;
      manifest: string;
      config: unknown;
      /**
       * The recording was analysed in segments: their sealed analyses, in order, and the key;
       * and, if they were rendered in segments too, the rendered segments, in order.
       */
      segments?: { paths: string[]; key: string; renders?: Array<{ path: string; segment: Segment }> };
    }
  | { kind: 'segment'; input: string; config: unknown; segment: Segment; sealed: string; key: string }
  | {
      kind: 'render';
      input: string;
      config: unknown;
      segment: Segment;
      /** Every segment's sealed analysis, in order: the masks are the whole recording's. */
      analyses: string[];
      key: string;
      output: string;
    };

export type ChildMessage =
  | { type: 'progress'; stage: string; percent: number }
  | { type: 'done'; piiTracks: number; changingTracks: number; durationSec: number; seconds: number; frames: number; reads: number }
  | { type: 'error'; kind: 'bad-input' | 'verification' | 'transient'; message: string };

const send = (m: ChildMessage) => new Promise<void>((res) => (process.send ? process.send(m, () => res()) : res()));

function dieWithGroup(): never {
  try {
    process.kill(-process.pid, 'SIGKILL');
  } catch {
    /* not a group leader */
  }
  process.exit(1);
}

process.on('disconnect', dieWithGroup);

/** The sealed analyses of a recording's segments, opened and joined. */
async function joinedAnalysis(paths: readonly string[], key: string, info: VideoInfo): Promise<AnalyseResult> {
  const secret = Buffer.from(key, 'base64');
  const parts = await Promise.all(paths.map(async (p) => openAnalysis(await readFile(p), secret)));
  return joinAnalyses(parts, info.frameCount);
}

/** What a render of `analysis` draws, as a digest (see tracksDigest): the segments' renders and the join must agree. */
const digestOf = (tracks: ReturnType<typeof planTracks>, analysis: Pick<AnalyseResult, 'motion'>, config: Config) =>
  tracksDigest(tracks, analysis.motion, config.mask.style);

async function redact(request: Extract<ChildRequest, { kind: 'redact' }>): Promise<Extract<ChildMessage, { type: 'done' }>> {
  const segments = request.segments;
  const config = parseConfig(request.config);
  const renders = segments?.renders;
  const result = await redactVideo(
    {
      input: request.input,
      output: request.output,
      manifest: request.manifest,
      config,
      onProgress: (p) => void send({ type: 'progress', stage: p.stage, percent: Math.round(p.fraction * 100) }),
    },
    segments
      ? {
          analyse: (_input, info) => joinedAnalysis(segments.paths, segments.key, info),
          ...(renders
            ? {
                // Joined only if every segment drew the masks planned here.
                renderJoined: async ({ input, partial, info, tracks, episodes, container, work, signal }) => {
                  const digest = digestOf(tracks, { motion: [...episodes] }, config);
                  for (const r of renders) if ((await readFile(`${r.path}.tracks`, 'utf8').catch(() => '')) !== digest) return undefined;
                  return (await joinRenders(input, renders, partial, info, config, container, work, { signal })) ? { parts: renders.length, cuts: renders.slice(1).map((r) => r.segment.firstFrame) } : undefined;
                },
              }
            : {}),
        }
      : {},
  );
  const m = result.manifest;
  return {
    type: 'done',
    piiTracks: m.summary.piiTracks,
    changingTracks: m.summary.changingTracks,
    durationSec: m.input.durationSec,
    seconds: m.analysis.seconds,
    frames: m.input.frameCount,
    reads: m.analysis.reads,
  };
}

async function analyse(request: Extract<ChildRequest, { kind: 'segment' }>): Promise<Extract<ChildMessage, { type: 'done' }>> {
  const started = Date.now();
  const config = parseConfig(request.config);
  const info = await probeVideo(request.input, config);
  const workers = ocrWorkerCount(config);
  const ocr = await createTesseractEngine({ workers });
  try {
    const stored = await analyseSegment(request.input, info, request.segment, config, ocr, {
      workers,
      onProgress: (done, total) => void send({ type: 'progress', stage: 'analyse', percent: Math.round((done / total) * 100) }),
    });
    await writeFileAtomic(request.sealed, sealAnalysis(stored, Buffer.from(request.key, 'base64')));
    return {
      type: 'done',
      piiTracks: 0,
      changingTracks: 0,
      durationSec: info.durationSec,
      seconds: (Date.now() - started) / 1000,
      frames: request.segment.frameCount,
      reads: stored.ocrCount,
    };
  } finally {
    await ocr.close();
  }
}

async function render(request: Extract<ChildRequest, { kind: 'render' }>): Promise<Extract<ChildMessage, { type: 'done' }>> {
  const started = Date.now();
  const config = parseConfig(request.config);
  const info = await probeVideo(request.input, config);
  const analysis = await joinedAnalysis(request.analyses, request.key, info);
  const tracks = planTracks(maskPieces(analysis, detectOptions(config)), info, config);
  const times = await probeFrameTimes(request.input, info, config);
  if (!times) throw new TransientError('the frame times of a split recording cannot be read');
  const work = await mkdtemp(join(tmpdir(), 'veil-'));
  const { frameCount } = request.segment;
  try {
    await renderSegment(request.input, request.output, info, request.segment, tracks, analysis.motion, times, config, work, {
      onFrames: (n) => void send({ type: 'progress', stage: 'render', percent: Math.min(100, Math.round((n / frameCount) * 100)) }),
    });
    await writeFileAtomic(`${request.output}.tracks`, digestOf(tracks, analysis, config));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { type: 'done', piiTracks: 0, changingTracks: 0, durationSec: info.durationSec, seconds: (Date.now() - started) / 1000, frames: frameCount, reads: 0 };
}

process.once('message', async (request: ChildRequest) => {
  try {
    await send(request.kind === 'segment' ? await analyse(request) : request.kind === 'render' ? await render(request) : await redact(request));
  } catch (err) {
    const kind = err instanceof BadInputError ? 'bad-input' : err instanceof VerificationError ? 'verification' : 'transient';
    const message = err instanceof VeilError ? err.message : `unexpected failure: ${safeMessage(err)}`;
    await send({ type: 'error', kind, message });
  }
  process.disconnect?.();
  process.exit(0);
});
