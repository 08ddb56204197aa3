import { describe, expect, it } from 'vitest';
import { sampleFrames, verificationFrames } from '../../src/verify/verify.js';

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
