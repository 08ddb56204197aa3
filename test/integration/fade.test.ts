/**
 * A modal fading in over 0.3 s on a backdrop that dims the page, then out again, in
 * Chromium, with a pointer that never stops: the page is the browser bench's, rendered
 * small. The dimmed page is the page that was read, in place: its masks stay where they
 * are and its text stays clear; only the card fading in is masked until it is read.
 */
import { describe, expect, it } from 'vitest';
import { browserScenes } from '../browser-scenes.js';

const scenes = browserScenes('veil-fade-');

describe('a modal fading in over a dimmed page', () => {
  it('exposes nothing, and leaves the page under the backdrop clear while it fades', async () => {
    const fps = 15;
    // The modal fades in at 1.5 s and out at 4.5 s (0.3 s each); the panel's drag starts after the end.
    const { truth, exposure: r } = await scenes.redact({ name: 'modal', page: 'modal-drag', width: 1280, height: 720, fps, seconds: 5, seed: 31, theme: 'light', font: 'liberation' });
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
