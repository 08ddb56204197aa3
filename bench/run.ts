/**
 * `npm run bench`: redacts the synthetic corpus with `veil redact` and prints, per
 * scenario, the PII item-frames left exposed, over-masking, wall time against a plain
 * ffmpeg transcode of the same file measured in the same run, and peak memory.
 *
 *   npm run bench -- [--seconds 10] [--only name,name] [--keep]
 *                    [--corpus synthetic|browser|all (default all)]
 *                    [--long: adds a 10-minute synthetic recording and a 3-minute browser session]
 *                    [--no-score: skip exposure scoring, for speed and memory alone]
 *                    [--naive: also run the naive analysis (whole frames OCR'd every 0.5 s)]
 *                    [--config FILE: veil's configuration for every run, to compare a setting]
 *                    [--oracle-only: only `veil verify` on each scenario's oracle, no redaction]
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../src/config.js';
import { plainTranscodeJob } from '../src/media/ffmpeg-args.js';
import { runFfmpeg } from '../src/media/ffmpeg.js';
import { probeVideo } from '../src/media/probe.js';
import { measureExposure, readTruth } from '../src/synth/exposure.js';
import { findLeaks } from '../src/synth/leaks.js';
import { writeScene } from '../src/synth/render.js';
import { oracleScene } from '../src/synth/scene.js';
import type { Browser } from 'playwright-core';
import { launchChromium, renderBrowserScenario } from './browser/render.js';
import { pageHtml } from './browser/pages.js';
import { sampleTree, timedSampled } from './measure.js';
import { benchScenarios, browserScenarios, type BenchScenario } from './scenarios.js';

const root = resolve(new URL('../..', import.meta.url).pathname);

interface VeilRun {
  seconds: number;
  peakBytes: number;
  /** Exit 3: verification still found PII and nothing was written (a failure, counted as such). */
  refused: boolean;
  /** Failed otherwise (exit 1): counted with the refusals. */
  failed?: boolean;
  summary: Record<string, unknown>;
  stdout: string;
  stderr: string;
}

async function runVeil(input: string, output: string, extra: string[] = []): Promise<VeilRun> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [join(root, 'bin/veil.js'), 'redact', input, '--out', output, '--json', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const sampler = sampleTree(child.pid!);
  const code: number = await new Promise((res) => child.on('close', (c) => res(c ?? 1)));
  const peak = sampler.stop();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code === 3) {
    // What verification found (its lines name a type and a frame, never a value).
    process.stderr.write(`REFUSED: ${stderr.trim().split('\n').slice(-4).join(' | ')}\n`);
    return { seconds, peakBytes: peak, refused: true, summary: {}, stdout, stderr };
  }
  // Any other failure is one too: recorded, and the bench goes on with the next scenario.
  if (code !== 0) {
    process.stderr.write(`FAILED (${code}): ${stderr.trim().split('\n').pop()}\n`);
    return { seconds, peakBytes: peak, refused: true, failed: true, summary: {}, stdout, stderr };
  }
  return { seconds, peakBytes: peak, refused: false, summary: JSON.parse(stdout.trim().split('\n').pop()!), stdout, stderr };
}

/** `veil verify` on a file, one frame every 2 s: the number of findings. */
async function runVerify(path: string): Promise<number> {
  const child = spawn(process.execPath, [join(root, 'bin/veil.js'), 'verify', path, '--every', '2', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const code: number = await new Promise((res) => child.on('close', (c) => res(c ?? 1)));
  if (code !== 0 && code !== 3) throw new Error(`veil verify failed (${code})`);
  return (JSON.parse(stdout.trim().split('\n').pop()!) as { findings: unknown[] }).findings.length;
}

const pad = (s: string | number, n: number) => String(s).padStart(n);

async function main() {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string' },
      only: { type: 'string' },
      keep: { type: 'boolean' },
      long: { type: 'boolean' },
      'no-score': { type: 'boolean' },
      'no-oracle': { type: 'boolean' },
      'oracle-only': { type: 'boolean' },
      naive: { type: 'boolean' },
      config: { type: 'string' },
      corpus: { type: 'string' },
    },
  });
  const corpus = values.corpus ?? 'all';
  if (values['oracle-only'] && values['no-oracle']) throw new Error('--oracle-only and --no-oracle exclude each other');
  if (values.naive && values.config) throw new Error('--naive and --config exclude each other');
  if (!['synthetic', 'browser', 'all'].includes(corpus)) throw new Error(`--corpus is synthetic, browser or all (got ${corpus})`);
  const seconds = Number(values.seconds ?? 10);
  const only = values.only?.split(',');
  const dir = join(root, 'bench-output');
  await mkdir(dir, { recursive: true });
  const config = parseConfig({});
  const rows: Array<Record<string, unknown>> = [];
  let leakCount = 0;
  const oracleFindings: Array<[string, number]> = [];
  const scenarios = [
    ...(corpus === 'browser' ? [] : benchScenarios(seconds, values.long)),
    ...(corpus === 'synthetic' ? [] : browserScenarios(seconds, values.long)),
  ].filter((s) => !only || only.includes(s.name));
  console.log(`veil bench: ${scenarios.length} scenarios (${seconds} s unless named otherwise); times are wall seconds on this machine\n`);
  let browser: Browser | undefined;
  /** Draws (synthetic) or renders in Chromium (browser) the scenario's input, or its oracle: the same with its PII left out. */
  const draw = async (s: BenchScenario, path: string, oracle: boolean) => {
    if (s.browser) {
      browser ??= await launchChromium();
      let last = 0;
      await renderBrowserScenario(browser, s.browser, path, {
        oracle,
        onProgress: (n, total) => {
          if (n - last >= 300 || n === total) process.stderr.write(`  ${n}/${total} frames\n`);
          if (n - last >= 300) last = n;
        },
      });
    } else {
      const scene = s.scene!();
      await writeScene(oracle ? oracleScene(scene) : scene, path);
    }
  };
  for (const s of scenarios) {
    const scene = s.browser ?? s.scene!();
    const tag = createHash('sha256').update(s.browser ? pageHtml(s.browser) + JSON.stringify(s.browser) : JSON.stringify(scene)).digest('hex').slice(0, 10);
    const input = join(dir, `${s.name}-${tag}.mp4`);
    if (!values['oracle-only'] && !existsSync(`${input}.truth.json`)) {
      process.stderr.write(`${s.browser ? 'rendering' : 'drawing'} ${s.name}...\n`);
      await draw(s, input, false);
    }
    if (!values['oracle-only']) await redactScenario(s, input);
    if (!values['no-oracle']) {
      // The same scene drawn with its personal data left out, as a perfect redaction would
      // show it: verification must find nothing in it (a finding is a false alarm).
      const oracle = join(dir, `${s.name}-${tag}.oracle.mp4`);
      if (!existsSync(oracle)) {
        process.stderr.write(`${s.browser ? 'rendering' : 'drawing'} the oracle of ${s.name}...\n`);
        await draw(s, oracle, true);
      }
      const check = await runVerify(oracle);
      process.stderr.write(`  ${s.name}: veil verify on the oracle: ${check} findings\n`);
      for (const row of rows.filter((r) => r.scenario === s.name)) row.oracleFindings = check;
      oracleFindings.push([s.name, check]);
    }
  }
  /** Redacts the scenario's input and scores the result into `rows`. */
  async function redactScenario(s: BenchScenario, input: string) {
    const truth = await readTruth(input);
    const plainOut = join(dir, `${s.name}.plain.mp4`);
    const redacted = join(dir, `${s.name}.redacted.mp4`);
    const inputInfo = await probeVideo(input, config);
    const [, plainSec] = await timedSampled(process.pid, () => runFfmpeg(plainTranscodeJob(input, plainOut, config, inputInfo)));
    for (const mode of values.naive ? ['changes', 'naive'] : ['changes']) {
      const naiveConfig = join(dir, 'naive.json');
      if (mode === 'naive') await writeFile(naiveConfig, JSON.stringify({ analysis: { mode: 'naive' } }));
      process.stderr.write(`redacting ${s.name}${mode === 'naive' ? ' (naive)' : ''}...\n`);
      const veil = await runVeil(input, redacted, mode === 'naive' ? ['--config', naiveConfig] : values.config ? ['--config', resolve(values.config)] : []);
      // Nothing veil wrote outside the video may hold a value of the truth.
      const manifestPath = `${redacted}.manifest.json`;
      const written = { stdout: veil.stdout, stderr: veil.stderr, manifest: veil.refused ? '' : await readFile(manifestPath, 'utf8') };
      const leaks = findLeaks(written, truth.items.filter((i) => i.kind === 'pii'));
      for (const l of leaks) process.stderr.write(`LEAK: a ${l.type} value of ${s.name} in ${l.where}\n`);
      leakCount += leaks.length;
      // Scoring decodes both videos whole through this process; --no-score skips it (speed and memory only).
      const exposure = values['no-score'] || veil.refused
        ? { piiItemFrames: NaN, exposedItemFrames: NaN, longestExposureSec: NaN, textItemFrames: 0, maskedTextItemFrames: 0 }
        : await measureExposure(input, redacted, truth, config);
      const row = {
        scenario: mode === 'naive' ? `${s.name} naive` : s.name,
        kind: s.kind,
        size: `${truth.width}x${truth.height}`,
        durationSec: truth.frames / truth.fps,
        piiItemFrames: exposure.piiItemFrames,
        exposedItemFrames: exposure.exposedItemFrames,
        longestExposureSec: exposure.longestExposureSec,
        textItemFrames: exposure.textItemFrames,
        maskedTextItemFrames: exposure.maskedTextItemFrames,
        overMaskedPct: exposure.textItemFrames ? (100 * exposure.maskedTextItemFrames) / exposure.textItemFrames : 0,
        veilSec: veil.seconds,
        transcodeSec: plainSec,
        ratio: veil.seconds / plainSec,
        peakMiB: veil.peakBytes / 2 ** 20,
        refused: veil.refused,
        failed: veil.failed ?? false,
        leaks: leaks.length,
        reads: veil.summary.reads,
        tracks: veil.summary.tracks,
        stageSeconds: veil.summary.stageSeconds,
        // Which truth items were exposed or over-masked, by id (never their text): where to look.
        exposedItems: 'exposedItems' in exposure ? exposure.exposedItems : {},
        mostMaskedText: 'maskedTextItems' in exposure
          ? Object.entries(exposure.maskedTextItems).sort((a, b) => b[1] - a[1]).slice(0, 20)
          : [],
      };
      rows.push(row);
      process.stderr.write(
        `  ${row.scenario}: exposed ${row.exposedItemFrames} of ${row.piiItemFrames}, overmask ${row.overMaskedPct.toFixed(1)}%, ${row.ratio.toFixed(2)}x, ${row.peakMiB.toFixed(0)} MiB${row.failed ? ', FAILED' : row.refused ? ', REFUSED' : ''}${row.stageSeconds ? ` (${Object.entries(row.stageSeconds as Record<string, number>).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')} s; transcode ${plainSec.toFixed(1)} s)` : ''}\n`,
      );
    }
    if (!values.keep) await rm(plainOut, { force: true });
  }
  const header = `${'scenario'.padEnd(27)}${pad('kind', 10)}${pad('PII frames', 11)}${pad('exposed', 9)}${pad('longest s', 10)}${pad('overmask', 9)}${pad('veil s', 8)}${pad('ffmpeg s', 9)}${pad('ratio', 9)}${pad('peak MiB', 9)}${pad('reads', 6)}`;
  console.log(header);
  console.log('-'.repeat(header.length));
  for (const r of rows) {
    console.log(
      `${String(r.scenario).padEnd(27)}${pad(r.failed ? 'FAILED' : r.refused ? 'REFUSED' : (r.kind as string), 10)}${pad(r.piiItemFrames as number, 11)}${pad(r.exposedItemFrames as number, 9)}${pad((r.longestExposureSec as number).toFixed(2), 10)}${pad(`${(r.overMaskedPct as number).toFixed(1)}%`, 9)}${pad((r.veilSec as number).toFixed(1), 8)}${pad((r.transcodeSec as number).toFixed(1), 9)}${pad(`${(r.ratio as number).toFixed(2)}x`, 9)}${pad((r.peakMiB as number).toFixed(0), 9)}${pad((r.reads as number | undefined) ?? '-', 6)}`,
    );
  }
  await browser?.close();
  // Totals per corpus; the benign screen (no PII at all) on its own line.
  const total = (label: string, pick: (r: Record<string, unknown>) => boolean) => {
    const rs = rows.filter(pick);
    if (!rs.length) return;
    const sum = (k: string) => rs.reduce((a, r) => a + (Number.isFinite(r[k] as number) ? (r[k] as number) : 0), 0);
    const longest = Math.max(0, ...rs.map((r) => (Number.isFinite(r.longestExposureSec as number) ? (r.longestExposureSec as number) : 0)));
    const text = sum('textItemFrames');
    const masked = sum('maskedTextItemFrames');
    console.log(
      `${label.padEnd(34)} exposed ${sum('exposedItemFrames')} of ${sum('piiItemFrames')} PII item-frames, longest ${longest.toFixed(2)} s; non-PII text masked ${text ? ((100 * masked) / text).toFixed(1) : '0.0'}% (${masked} of ${text}); refused ${rs.filter((r) => r.refused).length} of ${rs.length}`,
    );
  };
  console.log('');
  total('synthetic corpus', (r) => !String(r.scenario).startsWith('web-'));
  total('browser corpus, pages with PII', (r) => String(r.scenario).startsWith('web-') && r.kind !== 'benign');
  total('browser corpus, benign screen', (r) => r.kind === 'benign');
  if (rows.length) await writeFile(join(dir, 'results.json'), `${JSON.stringify({ date: new Date().toISOString(), seconds, rows }, null, 2)}\n`);
  console.log(`\nexposed: PII item-frames whose ink is mostly unchanged in the output (goal 0).`);
  console.log(`overmask: non-PII text item-frames masked. ratio: veil wall time / plain libx264 veryfast transcode.`);
  // Where veil's time went, per stage, as seconds and as multiples of the plain transcode.
  for (const r of rows) {
    const stages = r.stageSeconds as Record<string, number> | undefined;
    if (!stages) continue;
    const parts = Object.entries(stages).map(([k, v]) => `${k} ${v.toFixed(1)} s (${(v / (r.transcodeSec as number)).toFixed(2)}x)`);
    console.log(`stages of ${r.scenario}: ${parts.join(', ')}`);
  }
  console.log(`results: ${join(dir, 'results.json')}`);
  if (!values['no-oracle']) {
    const all = oracleFindings.reduce((a, [, n]) => a + n, 0);
    console.log(`veil verify on the oracle of each of ${oracleFindings.length} scenarios (its PII left out): ${all} findings in all (goal 0)${oracleFindings.filter(([, n]) => n).map(([name, n]) => `; ${name} ${n}`).join('')}`);
  }
  const refused = rows.filter((r) => r.refused).length;
  console.log(`refused (exit 3, nothing written) or failed: ${refused} of ${rows.length}; raw values found outside the videos: ${leakCount}`);
  if (leakCount) throw new Error(`${leakCount} raw values found in manifests or logs`);
}

main().catch((err) => {
  console.error(`bench: ${(err as Error).message}`);
  process.exit(1);
});
