/**
 * Screens that never sit still: a pointer that crosses the text and rests on personal data,
 * a ticking clock and counter, a blinking caret. Each redacted end to end with real ffmpeg
 * and tesseract, and scored against the ground truth: nothing exposed, and only a bounded
 * share of the other text masked (a pointer must not turn the screen grey).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureExposure } from '../../src/synth/exposure.js';
import { writeScene } from '../../src/synth/render.js';
import type { SceneSpec } from '../../src/synth/scene.js';
import { chatScene, profileScene, withLiveWidgets, withPointer } from '../../src/synth/scenarios.js';
import { tempDir, veil } from '../helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('veil-motion-'));
});

afterAll(() => cleanup());

async function redactAndScore(name: string, scene: SceneSpec) {
  const input = join(dir, `${name}.mp4`);
  const output = join(dir, `${name}.out.mp4`);
  const truth = await writeScene(scene, input);
  const result = await veil(['redact', input, '--out', output, '--quiet']);
  expect(result.code, result.stderr).toBe(0);
  const r = await measureExposure(input, output, truth);
  return { exposed: r.exposedItemFrames, pii: r.piiItemFrames, overmask: r.maskedTextItemFrames / r.textItemFrames };
}

describe('coverage while something moves', () => {
  it('a pointer over a form, a ticking clock and counter, a blinking caret: nothing exposed, under 5% of the rest masked', async () => {
    const scene = withLiveWidgets(withPointer(profileScene({ width: 1280, height: 720, fps: 15, seconds: 4, seed: 4 }), 3));
    const { exposed, pii, overmask } = await redactAndScore('form', scene);
    expect(pii).toBeGreaterThan(500);
    expect(exposed).toBe(0);
    expect(overmask).toBeLessThan(0.05);
  }, 180_000);

  it('a pointer moving over a chat as messages arrive: nothing exposed, under 5% of the rest masked', async () => {
    const scene = withPointer(chatScene({ width: 1280, height: 720, fps: 12, seconds: 6, theme: 'dark' }), 7);
    const { exposed, pii, overmask } = await redactAndScore('chat', scene);
    expect(pii).toBeGreaterThan(50);
    expect(exposed).toBe(0);
    expect(overmask).toBeLessThan(0.05);
  }, 180_000);
});
