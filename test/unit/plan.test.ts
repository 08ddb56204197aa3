import { describe, expect, it } from 'vitest';
import { padBox, planMasks, sameRegion, type MaskPiece } from '../../src/plan/plan.js';
import type { Box } from '../../src/pii/types.js';

const piece = (box: Box, from: number, to: number, over: Partial<MaskPiece> = {}): MaskPiece => ({
  kind: 'pii',
  from,
  to,
  box,
  types: ['email'],
  detectors: ['pattern:email'],
  confidence: 0.95,
  fill: 240,
  values: ['jane@example.com'],
  ...over,
});
const options = { frameCount: 100, width: 640, height: 360, padding: 4 };

describe('planMasks', () => {
  it('merges the same region over meeting ranges into one still track', () => {
    const tracks = planMasks(
      [piece({ x: 100, y: 50, w: 80, h: 14 }, 0, 20), piece({ x: 101, y: 50, w: 80, h: 14 }, 21, 60), piece({ x: 100, y: 51, w: 80, h: 14 }, 40, 99)],
      options,
    );
    expect(tracks).toHaveLength(1);
    expect(tracks[0]).toMatchObject({ from: 0, to: 99, box: { x: 96, y: 46, w: 90, h: 24 } });
    expect(tracks[0].values).toEqual(['jane@example.com']);
  });

  it('keeps neighbouring lines apart, and one region apart over ranges that do not meet', () => {
    const tracks = planMasks(
      [piece({ x: 100, y: 50, w: 80, h: 14 }, 0, 10), piece({ x: 100, y: 68, w: 80, h: 14 }, 0, 10), piece({ x: 100, y: 50, w: 80, h: 14 }, 30, 40)],
      options,
    );
    expect(tracks.map((t) => [t.from, t.to, t.box.y])).toEqual([[0, 10, 46], [0, 10, 64], [30, 40, 46]]);
  });

  it('keeps two values that came to the same place one after the other apart', () => {
    const tracks = planMasks(
      [piece({ x: 100, y: 50, w: 80, h: 14 }, 0, 20), piece({ x: 96, y: 50, w: 90, h: 14 }, 21, 60, { types: ['postal_address'], values: ['12 Elm Street'] })],
      options,
    );
    expect(tracks.map((t) => [t.from, t.to, t.box.x, t.box.w])).toEqual([[0, 20, 96, 88], [21, 60, 92, 98]]);
  });

  it('keeps a changing region and a detection of the same place apart', () => {
    const tracks = planMasks(
      [piece({ x: 96, y: 48, w: 96, h: 16 }, 0, 12, { kind: 'changing', types: [], values: [], detectors: ['change'] }), piece({ x: 100, y: 50, w: 80, h: 14 }, 5, 50)],
      options,
    );
    expect(tracks.map((t) => [t.kind, t.from, t.to])).toEqual([['changing', 0, 12], ['pii', 5, 50]]);
  });

  it('never merges a small detection into a large changing region', () => {
    const tracks = planMasks(
      [piece({ x: 0, y: 0, w: 640, h: 360 }, 0, 3, { kind: 'changing', types: [], values: [], detectors: ['change'] }), piece({ x: 100, y: 50, w: 80, h: 14 }, 0, 99)],
      options,
    );
    expect(tracks.map((t) => [t.kind, t.from, t.to, t.box.w])).toEqual([['changing', 0, 3, 640], ['pii', 0, 99, 88]]);
  });

  it('clamps ranges to the video', () => {
    const [t] = planMasks([piece({ x: 0, y: 0, w: 10, h: 10 }, -5, 500)], options);
    expect([t.from, t.to]).toEqual([0, 99]);
  });
});

describe('padBox', () => {
  it('pads, snaps to even pixels outward and stays inside the frame', () => {
    expect(padBox({ x: 5, y: 3, w: 11, h: 7 }, 2, 640, 360)).toEqual({ x: 2, y: 0, w: 16, h: 12 });
    expect(padBox({ x: 630, y: 350, w: 20, h: 20 }, 6, 640, 360)).toEqual({ x: 624, y: 344, w: 16, h: 16 });
  });
});

describe('sameRegion', () => {
  it('is true for mostly overlapping boxes and false for boxes that only touch', () => {
    expect(sameRegion({ x: 0, y: 0, w: 100, h: 20 }, { x: 2, y: 1, w: 100, h: 20 })).toBe(true);
    expect(sameRegion({ x: 0, y: 0, w: 100, h: 20 }, { x: 0, y: 16, w: 100, h: 20 })).toBe(false);
    expect(sameRegion({ x: 0, y: 0, w: 100, h: 20 }, { x: 100, y: 0, w: 100, h: 20 })).toBe(false);
    expect(sameRegion({ x: 0, y: 0, w: 600, h: 300 }, { x: 10, y: 10, w: 100, h: 20 })).toBe(false);
  });
});
