import { describe, expect, it } from 'vitest';
import { changedBands, framesAroundCuts, sampleFrames, verificationFrames } from '../../src/verify/verify.js';

describe('verificationFrames', () => {
  it('takes track bounds and midpoints between reads, never a frame the analysis read', () => {
    expect(verificationFrames([3, 40], [[0, 99], [10, 50]], 100, 20)).toEqual([0, 1, 10, 21, 50, 69, 99]);
    expect(verificationFrames([3, 40], [[3, 40]], 100, 20)).toEqual([1, 21, 69]);
  });

  it('thins evenly to the maximum', () => {
    const frames = verificationFrames([], Array.from({ length: 50 }, (_, i) => [i * 2, i * 2 + 1] as [number, number]), 1000, 5);
    expect(frames).toHaveLength(5);
    expect(frames).toEqual([...frames].sort((a, b) => a - b));
  });
});

describe('framesAroundCuts', () => {
  it('takes the frame before each cut and the cut frame, or the nearest unread frame on the same side', () => {
    expect(framesAroundCuts([100, 200], [], 300)).toEqual([99, 100, 199, 200]);
    expect(framesAroundCuts([100], [99, 100, 101], 300)).toEqual([98, 102]);
  });

  it('takes the frame next to the cut where the analysis read all the frames nearby, and ignores cuts outside the video', () => {
    expect(framesAroundCuts([100], [96, 97, 98, 99], 300)).toEqual([99, 100]);
    expect(framesAroundCuts([0, 300, 5], [], 300)).toEqual([4, 5]);
  });
});

describe('sampleFrames', () => {
  const info = { fps: 10, frameCount: 100 } as never;
  it('spaces frames evenly, or draws a reproducible sample', () => {
    expect(sampleFrames(info, { everySec: 2 })).toEqual([10, 30, 50, 70, 90]);
    const a = sampleFrames(info, { count: 5, seed: 3 });
    expect(a).toHaveLength(5);
    expect(sampleFrames(info, { count: 5, seed: 3 })).toEqual(a);
    expect(sampleFrames(info, { count: 5, seed: 4 })).not.toEqual(a);
  });
});

describe('changedBands', () => {
  const page = (width: number, height: number) => ({ width, height, data: Buffer.alloc(width * height, 240) });
  /** Dark strokes over rows y0..y1 - 1 and columns x0..x1 - 1, like a line of text. */
  const ink = (img: ReturnType<typeof page>, x0: number, x1: number, y0: number, y1: number) => {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x += 2) img.data[y * img.width + x] = 20;
  };

  it('finds nothing where nothing changed, and ignores noise under the threshold', () => {
    const a = page(200, 160);
    ink(a, 10, 150, 40, 52);
    const b = { ...a, data: Buffer.from(a.data) };
    expect(changedBands(b, a, 10)).toEqual([]);
    for (let i = 0; i < b.data.length; i += 7) b.data[i] += 3;
    expect(changedBands(b, a, 10)).toEqual([]);
  });

  it('gives full-width bands around what changed, widened out to rows with no ink', () => {
    const seen = page(200, 320);
    ink(seen, 10, 150, 100, 112);
    const now = { ...seen, data: Buffer.from(seen.data) };
    // A value typed on the line at 100-112, and a line of text running from 60 to 98.
    ink(now, 160, 190, 100, 112);
    ink(seen, 10, 150, 60, 98);
    ink(now, 10, 150, 60, 98);
    const [band, ...rest] = changedBands(now, seen, 10);
    expect(rest).toEqual([]);
    expect(band.x).toBe(0);
    expect(band.w).toBe(200);
    expect(band.y).toBeLessThan(60);
    expect(band.y + band.h).toBeGreaterThanOrEqual(112 + 32);
    expect(band.y + band.h).toBeLessThanOrEqual(320);
  });

  it('looks for a row with no ink only so far', () => {
    const seen = page(64, 400);
    // Ink on every row: no quiet row anywhere.
    for (let y = 0; y < 400; y++) seen.data[y * 64 + (y % 60)] = 0;
    const now = { ...seen, data: Buffer.from(seen.data) };
    ink(now, 0, 40, 200, 210);
    const [band] = changedBands(now, seen, 10);
    expect(band.y).toBeGreaterThanOrEqual(192 - 32 - 48 - 1);
    expect(band.y + band.h).toBeLessThanOrEqual(224 + 32 + 48 + 1);
  });

  it('keeps changes far apart as separate bands, and joins close ones', () => {
    const seen = page(100, 640);
    const now = { ...seen, data: Buffer.from(seen.data) };
    ink(now, 0, 50, 20, 30);
    ink(now, 0, 50, 500, 510);
    const bands = changedBands(now, seen, 10);
    expect(bands).toHaveLength(2);
    expect(bands[0].y + bands[0].h).toBeLessThan(bands[1].y);
    ink(now, 0, 50, 60, 70);
    expect(changedBands(now, seen, 10)).toHaveLength(2);
  });

  it('sees a change in the columns past the last whole cell', () => {
    const seen = page(102, 64);
    const now = { ...seen, data: Buffer.from(seen.data) };
    now.data[30 * 102 + 101] = 0;
    expect(changedBands(now, seen, 10)).toHaveLength(1);
  });
});
