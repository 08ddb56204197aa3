// Times the analysis stage alone on a file, with OCR replaced by a no-op, so that the
// decode and change-tracking cost can be profiled: node --cpu-prof scripts/profile-analysis.mjs <video>
import { parseConfig } from '../dist/src/config.js';
import { probeVideo } from '../dist/src/media/probe.js';
import { analyseVideo } from '../dist/src/pipeline/analyse.js';

const path = process.argv[2];
const config = parseConfig({});
const info = await probeVideo(path, config);
const noOcr = { async recognize() { return { lines: [] }; }, async close() {} };
const started = process.hrtime.bigint();
const result = await analyseVideo(path, info, config, noOcr, { workers: 2 });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(`${info.frameCount} frames ${info.width}x${info.height}: analysis ${seconds.toFixed(2)} s, ${result.ocrCount} reads`);
