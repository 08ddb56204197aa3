import { parseConfig } from './src/config.js';
import { redactVideo } from './src/pipeline/redact.js';
import { measureExposure } from './src/synth/exposure.js';
import { writeScene } from './src/synth/render.js';
import { chatScene, profileScene } from './src/synth/scenarios.js';
import { renderFrameRgb } from './src/synth/render.js';
import sharp from 'sharp';
const SMALL = { width: 640, height: 360, fps: 10, fontSize: 15 };
for (const [name, scene] of [['chat', chatScene({ ...SMALL, seconds: 4, theme: 'dark' })], ['profile', profileScene({ ...SMALL, seconds: 3 })]] as const) {
  const p = `/tmp/t/s-${name}.mp4`;
  const truth = await writeScene(scene, p);
  await sharp(await renderFrameRgb(scene, scene.frames - 1), { raw: { width: 640, height: 360, channels: 3 } }).png().toFile(`/tmp/t/s-${name}.png`);
  const r = await redactVideo({ input: p, output: `/tmp/t/s-${name}.red.mp4`, config: parseConfig({}) });
  const rep = await measureExposure(p, `/tmp/t/s-${name}.red.mp4`, truth);
  console.log(name, rep);
  for (const id of Object.keys(rep.exposedItems)) console.log(truth.items.find((i) => i.id === id));
  for (const t of r.manifest.tracks) console.log(t.types, t.detectors, t.box, t.fromFrame, t.toFrame, t.masked);
}
