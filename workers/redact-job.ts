/**
 * One redaction, in a child process of its own. The worker sends the request over IPC and
 * receives progress and the outcome; it kills the child's whole process group (ffmpeg
 * included) on a time limit. If the worker dies, the IPC channel closes and this process
 * takes its group down with it, so no orphan keeps writing.
 */
import { parseConfig } from '../src/config.js';
import { BadInputError, safeMessage, VerificationError, VeilError } from '../src/errors.js';
import { redactVideo } from '../src/pipeline/redact.js';

export interface ChildRequest {
  input: string;
  output: string;
  manifest: string;
  config: unknown;
}

export type ChildMessage =
  | { type: 'progress'; stage: string; percent: number }
  | { type: 'done'; piiTracks: number; changingTracks: number; durationSec: number; seconds: number }
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

process.once('message', async (request: ChildRequest) => {
  try {
    const result = await redactVideo({
      input: request.input,
      output: request.output,
      manifest: request.manifest,
      config: parseConfig(request.config),
      onProgress: (p) => void send({ type: 'progress', stage: p.stage, percent: Math.round(p.fraction * 100) }),
    });
    const m = result.manifest;
    await send({
      type: 'done',
      piiTracks: m.summary.piiTracks,
      changingTracks: m.summary.changingTracks,
      durationSec: m.input.durationSec,
      seconds: m.analysis.seconds,
    });
  } catch (err) {
    const kind = err instanceof BadInputError ? 'bad-input' : err instanceof VerificationError ? 'verification' : 'transient';
    const message = err instanceof VeilError ? err.message : `unexpected failure: ${safeMessage(err)}`;
    await send({ type: 'error', kind, message });
  }
  process.disconnect?.();
  process.exit(0);
});
