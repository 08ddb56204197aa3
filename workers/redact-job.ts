/**
 * One redaction, or one segment's analysis, in a child process of its own. The worker
 * sends the request over IPC and receives progress and the outcome; it kills the child's
 * whole process group (ffmpeg included) on a time limit. If the worker dies, the IPC
 * channel closes and this process takes its group down with it, so no orphan keeps writing.
 */
import { readFile } from 'node:fs/promises';
import { ocrWorkerCount, parseConfig } from '../src/config.js';
import { BadInputError, safeMessage, VerificationError, VeilError } from '../src/errors.js';
import { probeVideo } from '../src/media/probe.js';
import { createTesseractEngine } from '../src/ocr/tesseract.js';
import { redactVideo } from '../src/pipeline/redact.js';
import { joinAnalyses, openAnalysis, sealAnalysis, type Segment } from '../src/pipeline/segments.js';
import { analyseSegment } from '../src/pipeline/split.js';
import { writeFileAtomic } from '../src/util/fs.js';

export type ChildRequest =
  | {
      kind: 'redact';
      input: string;
      output: string;
      manifest: string;
      config: unknown;
      /** The recording was analysed in segments: their sealed analyses, in order, and the key. */
      segments?: { paths: string[]; key: string };
    }
  | { kind: 'segment'; input: string; config: unknown; segment: Segment; sealed: string; key: string };

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

async function redact(request: Extract<ChildRequest, { kind: 'redact' }>): Promise<Extract<ChildMessage, { type: 'done' }>> {
  const segments = request.segments;
  const key = segments && Buffer.from(segments.key, 'base64');
  const result = await redactVideo(
    {
      input: request.input,
      output: request.output,
      manifest: request.manifest,
      config: parseConfig(request.config),
      onProgress: (p) => void send({ type: 'progress', stage: p.stage, percent: Math.round(p.fraction * 100) }),
    },
    segments && key
      ? {
          analyse: async (_input, info) => {
            const parts = await Promise.all(segments.paths.map(async (p) => openAnalysis(await readFile(p), key)));
            return joinAnalyses(parts, info.frameCount);
          },
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

process.once('message', async (request: ChildRequest) => {
  try {
    await send(request.kind === 'segment' ? await analyse(request) : await redact(request));
  } catch (err) {
    const kind = err instanceof BadInputError ? 'bad-input' : err instanceof VerificationError ? 'verification' : 'transient';
    const message = err instanceof VeilError ? err.message : `unexpected failure: ${safeMessage(err)}`;
    await send({ type: 'error', kind, message });
  }
  process.disconnect?.();
  process.exit(0);
});
