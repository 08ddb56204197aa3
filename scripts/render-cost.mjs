// Times the render of a recording's masks against a plain transcode of it: the analysis
// and plan are made once, then the same masks are rendered (encoded to null, veryfast)
// with scrolls clipped on panes of their own (the frames' own times) and by split and
// crop (the times made uneven), twice each. Wall seconds and peak memory of each ffmpeg.
//   npm run -s build && node scripts/render-cost.mjs <video>
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../dist/src/config.js';
import { overlayFrameBase } from '../dist/src/media/ffmpeg.js';
import { probeFrameTimes, probeVideo } from '../dist/src/media/probe.js';
import { createTesseractEngine } from '../dist/src/ocr/tesseract.js';
import { analyseVideo } from '../dist/src/pipeline/analyse.js';
import { detectOptions, maskPieces, planTracks } from '../dist/src/pipeline/redact.js';
import { commandScript, maskRender } from '../dist/src/render/filters.js';

const path = process.argv[2];
if (!path) throw new Error('usage: node scripts/render-cost.mjs <video>');
const config = parseConfig({});
const info = await probeVideo(path, config);
const ocr = await createTesseractEngine({ workers: 2 });
const analysis = await analyseVideo(path, info, config, ocr, { workers: 2 }).finally(() => ocr.close());
const tracks = planTracks(maskPieces(analysis, detectOptions(config)), info, config);
const times = await probeFrameTimes(path, info, config);
if (!times) throw new Error('the frames of this file have no exact times');
console.log(`${tracks.length} masks, ${tracks.filter((t) => t.path).length} moving, ${analysis.motion.length} scrolls`);

const work = mkdtempSync(join(tmpdir(), 'veil-render-cost-'));
const timed = (args) => {
  const run = spawnSync('/usr/bin/time', ['-f', '%e %M', process.env.FFMPEG_PATH ?? 'ffmpeg', '-v', 'error', '-y', '-i', path, ...args, '-c:v', 'libx264', '-preset', 'veryfast', '-f', 'null', '-'], {
    encoding: 'utf8',
  });
  if (run.error) throw new Error(`/usr/bin/time could not run ffmpeg (${run.error.message}): install GNU time`);
  if (run.status !== 0) throw new Error(`ffmpeg failed: ${run.stderr}`);
  const [seconds, kib] = run.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { seconds, mib: Math.round(kib / 1024) };
};
try {
  const plain = timed([]);
  console.log(`transcode: ${plain.seconds} s, ${plain.mib} MiB`);
  for (const how of ['panes', 'split', 'panes', 'split']) {
    // A third of a frame off on every other frame: no scroll is evenly timed.
    const t = how === 'split' ? times.map((x, i) => (i % 2 ? x + 1 / 3 / info.fps : x)) : times;
    const commandsPrefix = join(work, 'masks.cmd');
    const { graph, scripts } = maskRender(tracks, 'fill', { ...info, overlayFrameBase: await overlayFrameBase(), episodes: analysis.motion, lanes: { times: t, commandsPrefix } });
    scripts.forEach((s, i) => writeFileSync(commandScript(commandsPrefix, i), s));
    writeFileSync(join(work, 'masks.filter'), graph);
    const r = timed(['-filter_complex_script', join(work, 'masks.filter')]);
    const panes = (graph.match(/\[canvas\d+\]\[layer/g) ?? []).length;
    const splits = (graph.match(/split\[keep/g) ?? []).length;
    console.log(`${how}: ${r.seconds} s (${(r.seconds / plain.seconds).toFixed(2)}x), ${r.mib} MiB; ${panes} panes, ${splits} split`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
