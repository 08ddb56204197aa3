/**
 * A wide sheet scrolled sideways (and a little down) in Chromium, with a pointer that never
 * stops: the page is the browser bench's, rendered small. Sideways motion is not followed:
 * what moves is masked whole while it moves (fail closed), and read again once it stops.
 * So nothing may be exposed, and the text is clear again between the moves: the share of
 * it masked stays bounded by the time spent moving, not the whole recording.
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
  ({ dir, cleanup } = await tempDir('veil-sideways-'));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await cleanup();
});

describe('a sheet scrolled sideways', () => {
  it('exposes nothing, and leaves the text clear while the sheet is still', async () => {
    const input = join(dir, 'sheet.mp4');
    const output = join(dir, 'sheet.out.mp4');
    const seconds = 5;
    const truth = await renderBrowserScenario(
      browser,
      { name: 'sheet', page: 'sheet-sideways', width: 1280, height: 720, fps: 10, seconds, seed: 7, theme: 'light', font: 'dejavu', textPx: 13 },
      input,
    );
    const result = await veil(['redact', input, '--out', output, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const r = await measureExposure(input, output, truth);
    expect(r.piiItemFrames).toBeGreaterThan(1000);
    expect(r.exposedItemFrames).toBe(0);
    // The text item-frames shown while the sheet moves, or within half a second of a move
    // (the time to settle and be read): what may be masked, with 5 points to spare.
    const boxes = truth.frameBoxes!;
    const moved = boxes.map((now, n) => {
      const before = new Map((boxes[n - 1] ?? []).map(([i, x, y]) => [i, `${x},${y}`]));
      return n > 0 && now.some(([i, x, y]) => before.has(i) && before.get(i) !== `${x},${y}`);
    });
    const settle = 5;
    const moving = (n: number) => moved.slice(Math.max(0, n - settle), n + 1).some(Boolean);
    const isText = (i: number) => truth.items[i].kind === 'text';
    const textFrames = boxes.reduce((sum, now) => sum + now.filter(([i]) => isText(i)).length, 0);
    const whileMoving = boxes.reduce((sum, now, n) => sum + (moving(n) ? now.filter(([i]) => isText(i)).length : 0), 0);
    expect(moved.filter(Boolean).length).toBeGreaterThan(5);
    expect(whileMoving / textFrames).toBeLessThan(0.8);
    expect(r.maskedTextItemFrames / r.textItemFrames).toBeLessThan(whileMoving / textFrames + 0.05);
  }, 300_000);
});
