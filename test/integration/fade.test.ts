/**
 * A modal fading in over 0.3 s on a backdrop that dims the page, then out again, in
 * Chromium, with a pointer that never stops: the page is the browser bench's, rendered
 * small. The dimmed page is the page that was read, in place: its masks stay where they
 * are and its text stays clear; only the card fading in is masked until it is read.
 */
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, renderBrowserScenario } from '../../bench/browser/render.js';
import { measureExposure } from '../../src/synth/exposure.js';
import { tempDir, veil } from '../helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let browser: Browser;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('veil-fade-'));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await cleanup();
});

describe('a modal fading in over a dimmed page', () => {
  it('exposes nothing, and leaves the page under the backdrop clear while it fades', async () => {
    const input = join(dir, 'modal.mp4');
    const output = join(dir, 'modal.out.mp4');
    const fps = 15;
    // The modal fades in at 1.5 s and out at 4.5 s (0.3 s each); the panel's drag starts after the end.
    const truth = await renderBrowserScenario(
      browser,
      { name: 'modal', page: 'modal-drag', width: 1280, height: 720, fps, seconds: 5, seed: 31, theme: 'light', font: 'liberation' },
      input,
    );
    const result = await veil(['redact', input, '--out', output, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const r = await measureExposure(input, output, truth);
    expect(r.piiItemFrames).toBeGreaterThan(500);
    expect(r.exposedItemFrames).toBe(0);
    // The text item-frames shown while the backdrop fades, or within half a second after
    // (the time to settle and be read): masked whole, they were this share of the text.
    const boxes = truth.frameBoxes!;
    const fading = (n: number) => [1.5, 4.5].some((t) => n >= Math.floor(t * fps) && n <= Math.ceil((t + 0.8) * fps));
    const isText = (i: number) => truth.items[i].kind === 'text';
    const textFrames = boxes.reduce((sum, now) => sum + now.filter(([i]) => isText(i)).length, 0);
    const whileFading = boxes.reduce((sum, now, n) => sum + (fading(n) ? now.filter(([i]) => isText(i)).length : 0), 0);
    expect(whileFading / textFrames).toBeGreaterThan(0.2);
    expect(r.maskedTextItemFrames / r.textItemFrames).toBeLessThan(0.05);
  }, 300_000);
});
