/**
 * The `veil` command line. Each command parses its options (bad options are bad input,
 * exit 2), runs, and prints one line of error on failure. Progress goes to stderr; results
 * to stdout.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { resolve, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigFile, ocrWorkerCount, parseConfig, MaskStyle, type Config } from '../config.js';
import { probeVideo } from '../media/probe.js';
import { addRecording, QUEUE_NAME, redactQueue, redisConnection, type RedactJobData } from '../queue/jobs.js';
import { watchInbox } from '../queue/watch.js';
import { LocalStorage } from '../storage/local.js';
import { createTesseractEngine } from '../ocr/tesseract.js';
import { checkAllowed, checkSideFile } from '../pipeline/paths.js';
import { restrictUmask, sha256File, writeFileAtomic } from '../util/fs.js';
import { sheetTile, writeSheet, type SheetTile } from '../verify/sheet.js';
import { findPiiInFrames, publicFinding, sampleFrames, type Finding } from '../verify/verify.js';
import { BadInputError, exitCodeFor, safeMessage, VeilError } from '../errors.js';
import { detectText } from '../pii/detect.js';
import { detectOptions, redactVideo, type RedactResult } from '../pipeline/redact.js';
import { writeScene } from '../synth/render.js';
import { profileScene } from '../synth/scenarios.js';
import { VERSION } from '../version.js';
import { progressPrinter } from './progress.js';

const HELP = `veil ${VERSION}: removes personal data from screen recordings

Usage:
  veil redact <input> --out <output> [options]
  veil verify <video> [--report <file.json>] [--sheet <file.png>] [--every <s> | --sample <n> --seed <k>]
  veil detect --jsonl [--config <file>]
  veil enqueue <file...> [--root <dir>]
  veil watch <inbox-dir> [--root <dir>]
  veil worker [--root <dir>] [--concurrency <n>] [--timeout <s>] [--split-sec <s>] [--render-whole] [--config <file>]
  veil serve [--root <dir>] [--tokens <file.json>] [--host <addr>] [--port <n>] [--worker]
  veil demo [--dir <directory>]
  veil --help | --version

veil redact
  Finds personal data on screen with OCR (names, emails, phones, addresses, card numbers,
  IBANs, crypto addresses, IPs, balances, national IDs, API keys) and masks it on every
  frame where it is visible. The output keeps the input's size, frame rate, frame count
  and audio; metadata, subtitles and data streams are dropped. The output and its
  manifest appear only when everything succeeded.

  --out <file>            where to write the redacted video (.mp4, .mov, .mkv, .webm)
  --manifest <file>       where to write the manifest (default: <out>.manifest.json)
  --style <style>         fill (default): boxes filled with the background colour; the text
                          is gone and cannot be recovered.
                          blur, pixelate: WEAKER, opt-in. Strong settings, but blurred or
                          pixelated text can in principle be partly reconstructed.
  --config <file>         JSON configuration (see README: limits, analysis, detection, mask)
  --padding <px>          pixels added around each mask (default 6)
  --workers <n>           OCR workers (default: one per core)
  --json                  print one JSON summary line on stdout instead of text
  --quiet                 print nothing on success

veil verify <video>
  Spot-checks any video: OCRs sampled frames and looks for PII with the same detector.
  Prints each finding (type, time, box, masked value only) and exits 3 if there is any.
  Every redaction runs this check on its own output before writing it. The first frame
  is read whole, each later one only where it differs from what was read before.

  --every <s>             one frame every s seconds (default 2)
  --whole-frames          read every sampled frame whole (slower)
  --sample <n>            n frames drawn at random instead, reproducibly with --seed <k>
  --report <file.json>    write the frames checked and the findings as JSON
  --sheet <file.png>      write a contact sheet of the frames checked (findings in red)
  --config <file>, --json as for redact

veil detect --jsonl
  Reads JSON Lines {"text": "..."} on stdin and writes, for each, one line
  {"detections":[{"type","start","end","confidence"}]} (JavaScript string indices).
  For trying a configuration on text.

Queue (BullMQ on Redis at REDIS_URL, default redis://127.0.0.1:6379; data root at --root
or VEIL_DATA_ROOT, with inbox/, work/, archive/ and quarantine/):
  veil enqueue <file...>  copies each recording into the inbox under its content id and
                          queues it; the same file queued twice is one job
  veil watch <dir>        queues recordings dropped into <dir> once they stop growing
                          (moves them into the inbox)
  veil worker             redacts queued recordings and archives verified output with its
                          manifest; bad input and failed verification go to quarantine/
                          with a reason. --concurrency (default 1), --timeout per job in
                          seconds (default 3600). Stops taking jobs on SIGTERM/SIGINT and
                          finishes the current ones. A recording longer than 1.5 x
                          --split-sec (default 300; 0: never) is analysed in segments of
                          about that length by child jobs that any worker takes; each
                          segment is then rendered by a child job too, and the parent
                          joins them without a second encode and verifies the whole
                          once. --render-whole: the parent renders the whole recording
                          itself after the analyses instead.

veil serve
  The web service for people: upload a recording (drag-and-drop, progress bar), follow its
  redaction live, review the redacted video with a timeline of what was masked and the
  verification verdict, spot-check a contact sheet of frames, and (admins) the queue
  dashboard at /admin/queues. The JSON API is under /api (see README). The original
  recording is never served.

  --tokens <file.json>    who may do what: {"tokens":[{"name":"qa-1","role":"uploader",
                          "token":"<32+ chars>"}, ...]}; roles uploader (upload, own
                          recordings), reviewer (all output, reports), admin (everything and
                          the dashboard). "sha256":"<hex>" may stand for "token". Or set
                          VEIL_TOKENS to the same JSON, or VEIL_TOKENS_FILE to the file.
  --host <addr>           address to listen on (default 127.0.0.1)
  --port <n>              port (default 8080; 0 picks a free one)
  --max-upload-mb <n>     largest upload accepted (default 4096)
  --config <file>         the pipeline configuration (its limits apply to uploads)
  --worker                also run one redaction worker in this process (one machine set-ups)
  --trust-proxy           behind a reverse proxy: take the client address from
                          X-Forwarded-For and https from X-Forwarded-Proto (Secure cookies)

  Pages sign in once with a token and keep a session (12 hours; sign-out ends it); ten
  wrong tokens from one address within 15 minutes lock it out for the rest of them.

veil demo
  Makes a sample support-screen recording with fake personal data, redacts it and prints
  where the files are (default directory: ./out/demo).

Exit codes: 0 success, 1 failure, 2 bad input or usage, 3 PII found by verification,
130 interrupted.`;

async function configFrom(values: { config?: string }, overrides: (c: Config) => unknown): Promise<Config> {
  const base = values.config ? await loadConfigFile(values.config) : parseConfig({});
  overrides(base);
  return parseConfig(base, 'options');
}

function number(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new BadInputError(`--${name} takes a number, not '${text}'`);
  return n;
}

function withSignals(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

function summary(result: RedactResult) {
  const m = result.manifest;
  return {
    ok: true,
    output: result.output,
    manifest: result.manifestPath,
    tracks: m.summary.tracks,
    byType: m.summary.byType,
    frames: m.input.frameCount,
    durationSec: m.input.durationSec,
    reads: m.analysis.reads,
    changingTracks: m.summary.changingTracks,
    seconds: m.analysis.seconds,
    stageSeconds: m.analysis.stageSeconds,
  };
}

function printResult(result: RedactResult, mode: { json?: boolean; quiet?: boolean }) {
  if (mode.quiet) return;
  if (mode.json) {
    process.stdout.write(`${JSON.stringify(summary(result))}\n`);
    return;
  }
  const m = result.manifest;
  const types = Object.entries(m.summary.byType).map(([t, n]) => `${t} ${n}`).join(', ') || 'no PII found';
  process.stdout.write(
    `redacted: ${result.output}\nmanifest: ${result.manifestPath}\n` +
      `masked:   ${m.summary.piiTracks} PII regions (${types}), ${m.summary.changingTracks} regions while they changed; ` +
      `${m.analysis.reads} OCR reads in ${m.analysis.seconds} s\n`,
  );
}

async function runRedact(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      manifest: { type: 'string' },
      style: { type: 'string' },
      config: { type: 'string' },
      padding: { type: 'string' },
      workers: { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
    },
  });
  if (positionals.length !== 1) throw new BadInputError('veil redact takes exactly one input file (see veil --help)');
  if (!values.out) throw new BadInputError('veil redact needs --out <file> (see veil --help)');
  const style = values.style === undefined ? undefined : MaskStyle.safeParse(values.style);
  if (style && !style.success) throw new BadInputError(`--style must be fill, blur or pixelate, not '${values.style}'`);
  const config = await configFrom(values, (c) => {
    if (style?.success) c.mask.style = style.data;
    const padding = number('padding', values.padding);
    if (padding !== undefined) c.mask.padding = padding;
    const workers = number('workers', values.workers);
    if (workers !== undefined) c.analysis.ocrWorkers = workers;
  });
  const progress = values.json || values.quiet ? undefined : progressPrinter();
  const { signal, dispose } = withSignals();
  try {
    const result = await redactVideo({
      input: positionals[0],
      output: values.out,
      manifest: values.manifest,
      config,
      signal,
      onProgress: progress?.update,
    });
    progress?.done();
    printResult(result, values);
    return 0;
  } finally {
    progress?.done();
    dispose();
  }
}

async function runDetect(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { jsonl: { type: 'boolean' }, config: { type: 'string' } } });
  if (!values.jsonl) throw new BadInputError('veil detect reads JSON Lines: pass --jsonl');
  const config = await configFrom(values, () => {});
  const options = detectOptions(config);
  let bad = 0;
  let n = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    n++;
    if (!line.trim()) continue;
    let text: unknown;
    try {
      text = (JSON.parse(line) as { text?: unknown }).text;
    } catch {
      text = undefined;
    }
    if (typeof text !== 'string') {
      bad++;
      process.stdout.write(`${JSON.stringify({ error: `line ${n} is not a JSON object with a "text" string` })}\n`);
      continue;
    }
    const detections = detectText(text, options).map(({ type, start, end, confidence }) => ({
      type,
      start,
      end,
      confidence: Math.round(confidence * 100) / 100,
    }));
    process.stdout.write(`${JSON.stringify({ detections })}\n`);
  }
  return bad ? 2 : 0;
}

async function runVerify(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      report: { type: 'string' },
      sheet: { type: 'string' },
      every: { type: 'string' },
      sample: { type: 'string' },
      seed: { type: 'string' },
      config: { type: 'string' },
      workers: { type: 'string' },
      json: { type: 'boolean' },
      'whole-frames': { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) throw new BadInputError('veil verify takes exactly one video (see veil --help)');
  const config = await configFrom(values, (c) => {
    const workers = number('workers', values.workers);
    if (workers !== undefined) c.analysis.ocrWorkers = workers;
  });
  const path = await checkAllowed(positionals[0], config.allowedRoots, 'input');
  const reportPath = values.report ? await checkSideFile(values.report, path, config.allowedRoots, 'report') : undefined;
  const sheetPath = values.sheet ? await checkSideFile(values.sheet, path, config.allowedRoots, 'sheet') : undefined;
  const info = await probeVideo(path, config);
  const frames = sampleFrames(info, {
    everySec: number('every', values.every),
    count: number('sample', values.sample),
    seed: number('seed', values.seed),
  });
  const workers = ocrWorkerCount(config);
  const ocr = await createTesseractEngine({ workers });
  const tiles: SheetTile[] = [];
  const { signal, dispose } = withSignals();
  let findings: Finding[];
  try {
    const detect = detectOptions(config);
    const raw = await findPiiInFrames(path, info, frames, ocr, {
      detect: { ...detect, entities: config.verification.entities ?? detect.entities },
      upscale: { minTextHeight: config.analysis.minTextHeight, maxScale: config.analysis.maxUpscale },
      workers,
      wholeFrames: values['whole-frames'],
      changeThreshold: config.analysis.changeThreshold,
      signal,
      onFrame: values.sheet ? async (frame, found) => void tiles.push(await sheetTile(frame, found, 320)) : undefined,
    });
    findings = raw.map(publicFinding).sort((a, b) => a.frame - b.frame);
  } finally {
    dispose();
    await ocr.close();
  }
  const report = { schema: 'veil.verify/1', sha256: await sha256File(path), framesChecked: frames, findings };
  if (reportPath) await writeFileAtomic(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  if (sheetPath) await writeSheet(tiles, sheetPath);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ok: findings.length === 0, framesChecked: frames.length, findings })}\n`);
  } else {
    for (const f of findings) {
      process.stdout.write(`finding: ${f.type} at ${f.timeSec.toFixed(2)} s (frame ${f.frame}) box ${f.box.x},${f.box.y} ${f.box.w}x${f.box.h} ${f.masked} [${f.detector}]\n`);
    }
    process.stdout.write(`${frames.length} frames checked, ${findings.length} findings\n`);
  }
  return findings.length ? 3 : 0;
}

function queueSettings(values: { root?: string; redis?: string }) {
  const root = values.root ?? process.env.VEIL_DATA_ROOT;
  if (!root) throw new BadInputError('no data root: pass --root <dir> or set VEIL_DATA_ROOT');
  restrictUmask();
  return { root: resolve(root), redisUrl: values.redis ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' };
}

async function withQueue<T>(redisUrl: string, fn: (queue: ReturnType<typeof redactQueue>) => Promise<T>): Promise<T> {
  const connection = redisConnection(redisUrl);
  connection.on('error', () => {});
  const queue = redactQueue(connection, process.env.VEIL_QUEUE ?? QUEUE_NAME);
  try {
    return await fn(queue);
  } finally {
    await queue.close();
    await connection.quit().catch(() => connection.disconnect());
  }
}

async function runEnqueue(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { root: { type: 'string' }, redis: { type: 'string' }, style: { type: 'string' } },
  });
  if (positionals.length === 0) throw new BadInputError('veil enqueue takes one or more recordings');
  const { root, redisUrl } = queueSettings(values);
  const storage = await new LocalStorage(root).init();
  const style = values.style === undefined ? undefined : MaskStyle.parse(values.style);
  return withQueue(redisUrl, async (queue) => {
    for (const file of positionals) {
      const { id, ext, created } = await storage.ingest(file);
      try {
        const job = await addRecording(queue, { recordingId: id, ext: ext as RedactJobData['ext'], options: style ? { style } : {} });
        process.stdout.write(`queued ${id} (job ${job.id})\n`);
      } catch (err) {
        if (created) await storage.removeFromInbox(id, ext).catch(() => {});
        throw err;
      }
    }
    return 0;
  });
}

async function runWatch(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { root: { type: 'string' }, redis: { type: 'string' }, interval: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new BadInputError('veil watch takes one directory');
  const { root, redisUrl } = queueSettings(values);
  const storage = await new LocalStorage(root).init();
  const { signal, dispose } = withSignals();
  const intervalMs = (number('interval', values.interval) ?? 1) * 1000;
  process.stderr.write(`veil: watching ${positionals[0]}\n`);
  try {
    return await withQueue(redisUrl, async (queue) => {
      for await (const file of watchInbox(positionals[0], { intervalMs, signal })) {
        // Copied in, queued, and only then removed from the watched directory: a failure
        // leaves the file where it was dropped and no copy that no job will take.
        let ingested: Awaited<ReturnType<LocalStorage['ingest']>> | undefined;
        try {
          ingested = await storage.ingest(file, { link: true });
          await addRecording(queue, { recordingId: ingested.id, ext: ingested.ext as RedactJobData['ext'], options: {} });
          await rm(file, { force: true });
          process.stdout.write(`queued ${ingested.id}\n`);
        } catch (err) {
          if (ingested?.created) await storage.removeFromInbox(ingested.id, ingested.ext).catch(() => {});
          // Never the file's name: it can hold a customer's name or number.
          process.stderr.write(`veil: error: skipped a file: ${safeMessage(err)}\n`);
        }
      }
      return 0;
    });
  } finally {
    dispose();
  }
}

async function runWorker(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      root: { type: 'string' },
      redis: { type: 'string' },
      concurrency: { type: 'string' },
      timeout: { type: 'string' },
      'split-sec': { type: 'string' },
      'render-whole': { type: 'boolean' },
      config: { type: 'string' },
    },
  });
  const { root, redisUrl } = queueSettings(values);
  const config = values.config ? JSON.parse(await readFile(values.config, 'utf8')) : {};
  parseConfig(config, `config file ${values.config}`);
  const { startWorker } = await import('../../workers/redact-worker.js');
  const running = startWorker({
    redisUrl,
    dataRoot: root,
    queueName: process.env.VEIL_QUEUE,
    concurrency: number('concurrency', values.concurrency) ?? 1,
    timeoutSec: number('timeout', values.timeout) ?? 3600,
    lockMs: number('lock', process.env.VEIL_LOCK_MS) ?? 30_000,
    splitSec: number('split-sec', values['split-sec']),
    splitRender: values['render-whole'] !== true,
    config,
  });
  process.stderr.write(`veil: worker ready (data root ${root})\n`);
  await new Promise<void>((res) => {
    const stop = () => {
      process.stderr.write('veil: stopping: finishing the current jobs\n');
      res();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await running.close();
  return 0;
}

async function runServe(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      root: { type: 'string' },
      redis: { type: 'string' },
      tokens: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'max-upload-mb': { type: 'string' },
      config: { type: 'string' },
      worker: { type: 'boolean' },
      'trust-proxy': { type: 'boolean' },
    },
  });
  const { root, redisUrl } = queueSettings(values);
  const config = await configFrom(values, () => {});
  const { loadTokens } = await import('../service/auth.js');
  const { startService, DEFAULT_MAX_UPLOAD_BYTES } = await import('../service/server.js');
  const tokens = await loadTokens(values.tokens);
  const maxMb = number('max-upload-mb', values['max-upload-mb']);
  if (maxMb !== undefined && !(maxMb > 0)) throw new BadInputError('--max-upload-mb must be positive');
  const port = number('port', values.port) ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new BadInputError(`--port must be 0-65535, not '${values.port}'`);
  const service = await startService({
    dataRoot: root,
    redisUrl,
    tokens,
    config,
    host: values.host ?? '127.0.0.1',
    port,
    queueName: process.env.VEIL_QUEUE,
    maxUploadBytes: maxMb !== undefined ? Math.round(maxMb * 1024 * 1024) : DEFAULT_MAX_UPLOAD_BYTES,
    trustProxy: values['trust-proxy'],
  });
  let worker: { close(): Promise<void> } | undefined;
  if (values.worker) {
    const { startWorker } = await import('../../workers/redact-worker.js');
    worker = startWorker({ redisUrl, dataRoot: root, queueName: process.env.VEIL_QUEUE, config: values.config ? JSON.parse(await readFile(values.config, 'utf8')) : {} });
  }
  process.stderr.write(`veil: serving ${service.url} (data root ${root}, ${tokens.size} tokens${worker ? ', with a worker' : ''})\n`);
  process.stdout.write(`${service.url}\n`);
  await new Promise<void>((res) => {
    process.once('SIGINT', () => res());
    process.once('SIGTERM', () => res());
  });
  process.stderr.write('veil: stopping\n');
  await service.close();
  await worker?.close();
  return 0;
}

async function runDemo(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { dir: { type: 'string' } } });
  const dir = resolve(values.dir ?? join('out', 'demo'));
  await mkdir(dir, { recursive: true });
  const sample = join(dir, 'sample.mp4');
  process.stderr.write(`veil: drawing a sample support-screen recording (fake data) at ${sample}\n`);
  const scene = profileScene({
    width: 1280,
    height: 720,
    fps: 30,
    seconds: 6,
    audio: true,
    metadata: { title: 'Support call with customer', comment: 'agent notes' },
  });
  await writeScene(scene, sample);
  const code = await runRedact([sample, '--out', join(dir, 'sample.redacted.mp4')]);
  if (code === 0) {
    process.stdout.write(`original: ${sample} (fake data; ground truth in ${sample}.truth.json)\n`);
  }
  return code;
}

/** The help of one command (its paragraph of HELP), or all of it. */
export function helpFor(command: string): string {
  const section = HELP.split(/\n(?=\S)/).find((p) => p.startsWith(`veil ${command}`));
  return section ? `${section.trimEnd()}\n\n(veil --help for every command)` : HELP;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // "veil <command> --help" explains the command instead of running it.
  const options = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (command && !command.startsWith('-') && command !== 'help' && (options.includes('--help') || options.includes('-h'))) {
    process.stdout.write(`${helpFor(command)}\n`);
    return 0;
  }
  try {
    switch (command) {
      case 'redact':
        return await runRedact(rest);
      case 'detect':
        return await runDetect(rest);
      case 'verify':
        return await runVerify(rest);
      case 'enqueue':
        return await runEnqueue(rest);
      case 'watch':
        return await runWatch(rest);
      case 'worker':
        return await runWorker(rest);
      case 'serve':
        return await runServe(rest);
      case 'demo':
        return await runDemo(rest);
      case '--version':
      case '-v':
        process.stdout.write(`${VERSION}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${HELP}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new BadInputError(`unknown command '${command}' (see veil --help)`);
    }
  } catch (err) {
    const message =
      err instanceof VeilError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
        ? (err as Error).message
        : `unexpected failure: ${safeMessage(err)}`;
    process.stderr.write(`veil: error: ${message}\n`);
    // For a maintainer: where an unexpected failure came from (the code's frames only; the
    // message, which may quote a value or a path, is left out).
    if (process.env.VEIL_DEBUG && !(err instanceof VeilError) && err instanceof Error && err.stack) {
      process.stderr.write(`${err.name}\n${err.stack.split('\n').filter((l) => /^\s+at /.test(l)).join('\n')}\n`);
    }
    return (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : exitCodeFor(err);
  }
}
