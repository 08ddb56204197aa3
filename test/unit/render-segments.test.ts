import { describe, expect, it } from 'vitest';
import type { MaskTrack } from '../../src/plan/plan.js';
import type { GraphEpisode } from '../../src/render/filters.js';
import { tracksDigest, withinSegment } from '../../src/render/segments.js';

const track = (over: Partial<MaskTrack>): MaskTrack => ({
  id: 0,
  kind: 'pii',
  types: ['email'],
  detectors: ['pattern:email'],
  confidence: 0.9,
  from: 0,
  to: 0,
  box: { x: 100, y: 50, w: 80, h: 20 },
  fill: 255,
  values: ['x'],
  ...over,
});

// A scroll over frames 90..109 moving the content up 2 px a frame.
const scroll: GraphEpisode = { since: 90, until: 109, offsets: Array.from({ length: 20 }, (_, i) => 2 * i), box: { x: 0, y: 40, w: 320, h: 200 } };

describe('the masks of one segment', () => {
  it('keeps the still masks it shows, cut to its frames and numbered from its first', () => {
    const tracks = [
      track({ id: 1, from: 0, to: 99 }),
      track({ id: 2, from: 100, to: 199 }),
      track({ id: 3, from: 150, to: 160 }),
      track({ id: 4, from: 210, to: 220 }),
    ];
    const { tracks: own } = withinSegment(tracks, [], 100, 100, 'fill');
    expect(own.map((t) => [t.id, t.from, t.to])).toEqual([[2, 0, 99], [3, 50, 60]]);
    expect(withinSegment(tracks, [], 0, 100, 'fill').tracks.map((t) => [t.id, t.from, t.to])).toEqual([[1, 0, 99]]);
  });

  // Moving up with the scroll from frame 95 to 109, across a cut at frame 100.
  const moving = track({ id: 5, from: 95, to: 109, box: { x: 10, y: 200, w: 60, h: 16 }, path: Array.from({ length: 15 }, (_, i) => -2 * i), episode: 0, motion: true });
  const earlier = track({ id: 6, from: 91, to: 93, box: { x: 10, y: 300, w: 60, h: 16 }, path: [0, -2, -4], episode: 0, motion: true });

  it('renumbers a scroll it sees, and all its masks, whole: their layer is drawn as the whole render draws it', () => {
    const before = withinSegment([moving, earlier], [scroll], 0, 100, 'fill');
    const after = withinSegment([moving, earlier], [scroll], 100, 100, 'fill');
    expect(before.tracks.map((t) => [t.id, t.from, t.to, t.box.y, t.path])).toEqual([[5, 95, 109, 200, moving.path], [6, 91, 93, 300, earlier.path]]);
    // The mask from frames 91-93 is in the layer after the cut too: a layer shows its masks over the whole scroll.
    expect(after.tracks.map((t) => [t.id, t.from, t.to, t.box.y, t.path])).toEqual([[5, -5, 9, 200, moving.path], [6, -9, -7, 300, earlier.path]]);
    expect(after.episodes).toEqual([{ ...scroll, since: -10, until: 9 }]);
    // A scroll a segment does not see keeps its place, empty, and its masks are left out.
    expect(withinSegment([moving], [scroll], 200, 100, 'fill')).toEqual({ tracks: [], episodes: [undefined] });
  });

  it('cuts a moving mask drawn as still boxes into them as the whole render does, then to its frames', () => {
    // Without its scroll, or blurred: still boxes of up to a box height of motion each.
    for (const [episodes, style] of [[[], 'fill'], [[scroll], 'blur']] as const) {
      const after = withinSegment([moving], episodes, 100, 100, style);
      expect(after.tracks.every((t) => !t.path && t.from >= 0)).toBe(true);
      const before = withinSegment([moving], episodes, 0, 100, style);
      const frames = [...before.tracks.map((t) => [t.from, t.to, t.box.y, t.box.h]), ...after.tracks.map((t) => [t.from + 100, t.to + 100, t.box.y, t.box.h])];
      // The boxes of the whole, cut at frame 100.
      expect(frames).toEqual([[95, 99, 184, 32], [100, 103, 184, 32], [104, 109, 172, 26]]);
    }
  });

  it('covers every frame of every still mask once over segments that cover the video', () => {
    const tracks = [track({ id: 1, from: 3, to: 250 }), track({ id: 2, from: 99, to: 100 })];
    const frames = (id: number) =>
      [0, 100, 200].flatMap((first) =>
        withinSegment(tracks, [], first, 100, 'fill').tracks.filter((t) => t.id === id).flatMap((t) => Array.from({ length: t.to - t.from + 1 }, (_, i) => first + t.from + i)),
      );
    expect(frames(1)).toEqual(Array.from({ length: 248 }, (_, i) => 3 + i));
    expect(frames(2)).toEqual([99, 100]);
  });

  it('digests what is drawn, not what was found', () => {
    const a = [track({ id: 1, from: 3, to: 250 })];
    expect(tracksDigest(a, [scroll], 'fill')).toBe(tracksDigest([{ ...a[0], values: ['other'], confidence: 0.5 }], [scroll], 'fill'));
    expect(tracksDigest(a, [scroll], 'fill')).not.toBe(tracksDigest([{ ...a[0], to: 251 }], [scroll], 'fill'));
    expect(tracksDigest(a, [scroll], 'fill')).not.toBe(tracksDigest(a, [scroll], 'blur'));
    expect(tracksDigest(a, [scroll], 'fill')).not.toBe(tracksDigest(a, [{ ...scroll, until: 110 }], 'fill'));
  });
});
