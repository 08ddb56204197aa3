import { describe, expect, it } from 'vitest';
import { padBox, planMasks, sameRegion, type SampleDetections } from '../../src/plan/plan.js';
import type { Box } from '../../src/pii/types.js';

const det = (box: Box, value = 'jane@example.com') => ({
  type: 'email' as const,
  detector: 'pattern:email',
  confidence: 0.95,
  start: 0,
  end: value.length,
  value,
  box,
  fill: 240,
});
const options = { frameCount: 100, width: 640, height: 360, padding: 4 };

describe('planMasks', () => {
  it('extends a detection to the analysed frames on either side', () => {
    const samples: SampleDetections[] = [
      { frame: 0, detections: [] },
      { frame: 10, detections: [] },
      { frame: 20, detections: [det({ x: 100, y: 50, w: 80, h: 14 })] },
      { frame: 30, detections: [] },
    ];
    const [t] = planMasks(samples, options);
    expect([t.from, t.to]).toEqual([10, 30]);
  });

  it('runs to the first and last frame of the video from the first and last analysed frame', () => {
    const samples: SampleDetections[] = [
      { frame: 0, detections: [det({ x: 100, y: 50, w: 80, h: 14 })] },
      { frame: 50, detections: [] },
      { frame: 99, detections: [det({ x: 300, y: 50, w: 80, h: 14 })] },
    ];
    const tracks = planMasks(samples, options);
    expect(tracks.map((t) => [t.from, t.to])).toEqual([[0, 50], [50, 99]]);
  });

  it('merges the same region read on consecutive frames into one still track', () => {
    const samples: SampleDetections[] = [0, 10, 20, 30, 40].map((frame, i) => ({
      frame,
      detections: [det({ x: 100 + (i % 2), y: 50, w: 80, h: 14 })],
    }));
    const tracks = planMasks(samples, options);
    expect(tracks).toHaveLength(1);
    expect(tracks[0]).toMatchObject({ from: 0, to: 99, box: { x: 96, y: 46, w: 90, h: 22 } });
    expect(tracks[0].values).toEqual(['jane@example.com']);
  });

  it('keeps neighbouring lines apart and separate appearances of one region apart', () => {
    const samples: SampleDetections[] = [
      { frame: 0, detections: [det({ x: 100, y: 50, w: 80, h: 14 }), det({ x: 100, y: 68, w: 80, h: 14 })] },
      { frame: 10, detections: [] },
      { frame: 20, detections: [] },
      { frame: 30, detections: [det({ x: 100, y: 50, w: 80, h: 14 })] },
      { frame: 40, detections: [] },
    ];
    const tracks = planMasks(samples, options);
    expect(tracks.map((t) => [t.from, t.to, t.box.y])).toEqual([[0, 10, 46], [0, 10, 64], [20, 40, 46]]);
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
  });
});
