import { parseConfig } from './dist/src/config.js';
import { probeVideo } from './dist/src/media/probe.js';
import { selectedFramesJob, selectFramesFilter } from './dist/src/media/ffmpeg-args.js';
import { streamFfmpeg } from './dist/src/media/ffmpeg.js';
import { readGreyFrames } from './dist/src/media/frames.js';
import { writeFileSync } from 'node:fs';
const F = process.argv[2];
const info = await probeVideo(F, parseConfig({}));
for (const frames of [[3], [3, 17000]]) {
  writeFileSync('/tmp/t/s.filter', selectFramesFilter(frames));
  const d = streamFfmpeg(selectedFramesJob(F, info, '/tmp/t/s.filter', frames.length));
  let k = 0;
  try {
    for await (const f of readGreyFrames(d.output, info.width, info.height, frames)) k++;
    await d.done;
    console.log(frames, 'ok', k);
  } catch (e) { console.log(frames, 'fail', k, e.message); }
}
