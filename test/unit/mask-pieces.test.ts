/**
 * Masks from the reads of a recording (pure): what was read of a row while its pane
 * scrolled stays masked where the scroll stopped, even when the row came to rest half
 * under the pane's edge, where the read taken there cannot read it.
 */
import { describe, expect, it } from 'vitest';
import type { AnalyseResult, ReadEvent } from '../../src/pipeline/analyse.js';
import type { MotionEpisode } from '../../src/pipeline/motion.js';
import { DEFAULT_DETECT_OPTIONS } from '../../src/pii/detect.js';
import { maskPieces, shownAt } from '../../src/pipeline/redact.js';

const words = (texts: string[], x: number, y: number) => {
  let at = x;
  return texts.map((text) => {
    const w = { text, confidence: 90, background: 250, box: { x: at, y, w: text.length * 9, h: 14 } };
    at += text.length * 9 + 8;
    return w;
  });
};

describe('a row read while its pane scrolled', () => {
  // The pane (y 100..500) scrolled up 300 px over frames 10..20 and stopped.
  const offsets = [0, 10, 40, 90, 150, 210, 255, 282, 295, 299, 300];
  const episode: MotionEpisode = { since: 10, until: 20, offsets, box: { x: 0, y: 100, w: 800, h: 400 }, unexplained: [], fill: 250, settled: true };
  // Read at frame 15 (offset 210); at rest (offset 300) the content is 90 px higher.
  const moving = (y: number): ReadEvent => ({
    frame: 15,
    box: episode.box,
    lines: [{ words: words(['mail', 'to', 'jane.doe@example.com'], 40, y), box: { x: 40, y, w: 300, h: 14 }, block: 0 }],
    window: { span: () => ({ from: 15, to: 15 }) },
    carry: [episode],
  });
  const settled: ReadEvent = { frame: 20, box: episode.box, lines: [], window: { span: () => ({ from: 20, to: 59 }) }, motion: [episode] };
  const analysis = (read: ReadEvent): AnalyseResult => ({ reads: [read, settled], changing: [], motion: [episode], frameCount: 60, height: 720, ocrCount: 2, ocrPixels: 0 });

  it('stays masked where the scroll stopped (read at y 320, at rest at y 230), though the read there did not see it', () => {
    const still = maskPieces(analysis(moving(320)), DEFAULT_DETECT_OPTIONS).filter((p) => p.kind === 'pii' && !p.motion && p.from === 20);
    expect(still).toHaveLength(1);
    expect(still[0].to).toBe(59);
    expect(still[0].box.y).toBeLessThanOrEqual(230);
    expect(still[0].box.y + still[0].box.h).toBeGreaterThanOrEqual(244);
  });

  it('is cut to the pane where it came to rest half under its edge', () => {
    // Read at y 186, it rests at y 96..110: partly above the pane's top edge (y 100).
    const still = maskPieces(analysis(moving(186)), DEFAULT_DETECT_OPTIONS).filter((p) => p.kind === 'pii' && !p.motion && p.from === 20);
    expect(still).toHaveLength(1);
    expect(still[0].box.y).toBe(100);
    expect(still[0].box.y + still[0].box.h).toBeGreaterThanOrEqual(110);
  });

  it('a row that came to rest under the edge unread is masked there while it stays', () => {
    const cut = maskPieces(analysis(moving(320)), DEFAULT_DETECT_OPTIONS).filter((p) => p.kind === 'changing' && p.detectors.includes('edge'));
    // The pane's bottom edge (y 500) is no frame border: the band above it, from frame 20 on.
    expect(cut.some((p) => p.from === 20 && p.to === 59 && p.box.y + p.box.h === 500 && p.box.w === 800)).toBe(true);
  });

  it('a row left under the edge unread is masked there until a later scroll of the pane takes it on, and moves with it', () => {
    // The pane scrolls again over frames 40..45, 100 px up: the tiles of the band at its
    // bottom edge say nothing of that (their span stays 20..59, as one tile alike before and
    // after would keep it), yet the row is no longer there.
    const later: MotionEpisode = { since: 40, until: 45, offsets: [0, 20, 50, 80, 100, 100], box: episode.box, unexplained: [], fill: 250, settled: true };
    const result = { ...analysis(moving(320)), motion: [episode, later] };
    const cuts = maskPieces(result, DEFAULT_DETECT_OPTIONS).filter((p) => p.kind === 'changing' && p.detectors.includes('edge') && p.from >= 20);
    const still = cuts.filter((p) => !p.motion);
    expect(still).toHaveLength(1);
    expect(still[0]).toMatchObject({ from: 20, to: 39 });
    expect(still[0].box.y + still[0].box.h).toBe(500);
    const carried = cuts.filter((p) => p.motion);
    expect(carried.length).toBeGreaterThan(0);
    expect(carried.every((p) => p.episode === 1 && p.from >= 40)).toBe(true);
    // Over frames 40..45 the row is covered at every step of the scroll.
    for (let f = 40; f <= 45; f++) {
      const at = carried.find((p) => p.from <= f && f <= p.to);
      expect(at, `frame ${f}`).toBeDefined();
      const y = at!.box.y + (at!.path?.[f - at!.from] ?? 0);
      const row = still[0].box.y - later.offsets[f - 40];
      expect(y).toBeLessThanOrEqual(row);
      expect(y + at!.box.h).toBeGreaterThanOrEqual(row + still[0].box.h);
    }
  });

  it('a row left under the edge and read again later moves on with the later scroll once, not once a read', () => {
    const later: MotionEpisode = { since: 40, until: 45, offsets: [0, 20, 50, 80, 100, 100], box: episode.box, unexplained: [], fill: 250, settled: true };
    // Read again at frames 30 and 35 (a pointer passed), the row as the scroll left it since frame 20.
    const again = (frame: number): ReadEvent => ({ frame, box: episode.box, lines: [], window: { span: () => ({ from: 20, to: 59 }) } });
    const base = analysis(moving(320));
    const once = maskPieces({ ...base, motion: [episode, later] }, DEFAULT_DETECT_OPTIONS).filter((p) => p.detectors.includes('edge') && p.motion && p.episode === 1);
    const result = { ...base, reads: [...base.reads, again(30), again(35)], motion: [episode, later] };
    const cuts = maskPieces(result, DEFAULT_DETECT_OPTIONS).filter((p) => p.kind === 'changing' && p.detectors.includes('edge') && p.from >= 20);
    expect(cuts.filter((p) => !p.motion).every((p) => p.from === 20 && p.to === 39)).toBe(true);
    expect(once.length).toBeGreaterThan(0);
    expect(cuts.filter((p) => p.motion && p.episode === 1)).toEqual(once);
  });

  it('a row left under the edge stays masked through a later motion that does not carry it off', () => {
    // A scroll that comes back where it started, and one of a smaller region inside the pane.
    const back: MotionEpisode = { since: 40, until: 45, offsets: [0, 20, 50, 20, 0, 0], box: episode.box, unexplained: [], fill: 250, settled: true };
    const inner: MotionEpisode = { since: 50, until: 52, offsets: [0, 60, 60], box: { x: 0, y: 300, w: 400, h: 200 }, unexplained: [], fill: 250, settled: true };
    const result = { ...analysis(moving(320)), motion: [episode, back, inner] };
    const still = maskPieces(result, DEFAULT_DETECT_OPTIONS).filter((p) => p.kind === 'changing' && p.detectors.includes('edge') && !p.motion && p.from >= 20);
    expect(still).toHaveLength(1);
    expect(still[0]).toMatchObject({ from: 20, to: 59 });
  });

  it('read before the scroll began, stays masked where it came to rest half under the edge', () => {
    // Read at frame 5 at y 396, before the pane moved; at rest (300 px up) it is at y 96..110.
    const before: ReadEvent = { ...moving(396), frame: 5, carry: undefined, window: { span: () => ({ from: 0, to: 9 }) } };
    const still = maskPieces(analysis(before), DEFAULT_DETECT_OPTIONS).filter((p) => p.kind === 'pii' && !p.motion && p.from === 20);
    expect(still).toHaveLength(1);
    expect(still[0].to).toBe(59);
    expect(still[0].box.y).toBe(100);
    expect(still[0].box.y + still[0].box.h).toBeGreaterThanOrEqual(110);
  });
});

describe("text cut by the frame's side", () => {
  it('is masked while what touches the border stays, not while what stood beside it does', () => {
    // A toast sliding in at the right border over a card: the strip reaches across both.
    // The card's tiles stay the whole recording, the border's only around frame 125.
    const strip = { x: 1027, y: 67, w: 253, h: 64 };
    const span = (b: { x: number; w: number }) => (b.x >= 1264 ? { from: 123, to: 127 } : { from: 0, to: 299 });
    const read: ReadEvent = { frame: 125, box: { x: 0, y: 32, w: 1280, h: 128 }, lines: [], window: { span }, edges: [{ box: strip, fill: 30, side: 'right' }] };
    const result: AnalyseResult = { reads: [read], changing: [], motion: [], frameCount: 300, height: 720, ocrCount: 1, ocrPixels: 0 };
    const edges = maskPieces(result, DEFAULT_DETECT_OPTIONS).filter((p) => p.detectors.includes('edge'));
    expect(edges).toHaveLength(1);
    expect(edges[0]).toMatchObject({ from: 123, to: 127, box: strip });
    // A line cut by the top or bottom border keeps the span of its whole strip.
    const top: ReadEvent = { ...read, edges: [{ box: { x: 0, y: 0, w: 1280, h: 6 }, fill: 30 }] };
    const topEdges = maskPieces({ ...result, reads: [top] }, DEFAULT_DETECT_OPTIONS).filter((p) => p.detectors.includes('edge'));
    expect(topEdges[0]).toMatchObject({ from: 0, to: 299 });
  });
});

describe('cells cut by the left border of a sheet scrolled down', () => {
  it('are masked moving up with the rows over the scroll, not only before and after it', () => {
    // Read at frame 5, the cut cell's strip stays until the border changes at frame 10,
    // when the sheet moves up 3 px a frame until frame 14.
    const strip = { x: 0, y: 600, w: 48, h: 16 };
    const span = (b: { x: number }) => (b.x === 0 ? { from: 0, to: 9 } : { from: 0, to: 99 });
    const read: ReadEvent = { frame: 5, box: { x: 0, y: 0, w: 1280, h: 720 }, lines: [], window: { span }, edges: [{ box: strip, fill: 250, side: 'left' }] };
    const scroll: MotionEpisode = { since: 10, until: 14, offsets: [3, 6, 9, 11, 11], box: { x: 0, y: 0, w: 1280, h: 720 }, unexplained: [], fill: 250, settled: true };
    const result: AnalyseResult = { reads: [read], changing: [], motion: [scroll], frameCount: 100, height: 720, ocrCount: 1, ocrPixels: 0 };
    const edges = maskPieces(result, DEFAULT_DETECT_OPTIONS).filter((p) => p.detectors.includes('edge'));
    expect(edges.find((p) => !p.motion)).toMatchObject({ from: 0, to: 9, box: strip });
    const moving = edges.find((p) => p.motion)!;
    expect(moving).toMatchObject({ from: 10, to: 14, path: [0, -3, -6, -8, -8] });
    expect(moving.box.y).toBeLessThanOrEqual(600 - 3);
    expect(moving.box.y + moving.box.h).toBeGreaterThanOrEqual(616 - 3);
  });
});

describe('a sheet scrolled sideways to the left by 300 px over frames 10..20', () => {
  const offsets = [0, 10, 40, 90, 150, 210, 255, 282, 295, 299, 300];
  // The sheet reaches the frame's left and right borders.
  const episode: MotionEpisode = { axis: 'x', since: 10, until: 20, offsets, box: { x: 0, y: 100, w: 1280, h: 400 }, unexplained: [], fill: 250, settled: true, borders: { start: true, end: true } };
  const analysis = (reads: ReadEvent[]): AnalyseResult => ({ reads, changing: [], motion: [episode], frameCount: 60, height: 720, ocrCount: reads.length, ocrPixels: 0 });
  const settled = (edges: ReadEvent['edges']): ReadEvent => ({ frame: 21, box: episode.box, lines: [], window: { span: () => ({ from: 10, to: 59 }) }, motion: [episode], edges });

  it('leaves text at the left border where it stopped clear: it was read whole on the way', () => {
    const pieces = maskPieces(analysis([settled([{ box: { x: 0, y: 150, w: 60, h: 20 }, fill: 250, side: 'left' }])]), DEFAULT_DETECT_OPTIONS);
    expect(pieces.filter((p) => p.detectors.includes('edge'))).toEqual([]);
  });

  it('masks text cut by the right border from where it stopped on, and along the way it came in', () => {
    const strip = { x: 1220, y: 150, w: 60, h: 20 };
    const pieces = maskPieces(analysis([settled([{ box: strip, fill: 250, side: 'right' }])]), DEFAULT_DETECT_OPTIONS).filter((p) => p.detectors.includes('edge'));
    const still = pieces.filter((p) => !p.motion);
    expect(still).toEqual([expect.objectContaining({ from: 20, to: 59, box: strip })]);
    const moving = pieces.filter((p) => p.motion);
    expect(moving.length).toBeGreaterThan(0);
    for (const m of moving) {
      expect(m.axis).toBe('x');
      // Where its content was on each frame: 300 px right of where it stopped, less the offset.
      m.path!.forEach((dx, k) => expect(m.box.x + dx).toBe(strip.x - 4 + 300 - offsets[m.from - 10 + k]));
    }
  });

  it('masks a value read later, once a pointer passed, from where the scroll stopped, and along the way', () => {
    const later: ReadEvent = {
      frame: 40,
      box: episode.box,
      lines: [{ words: words(['jane.doe@example.com'], 600, 300), box: { x: 600, y: 300, w: 180, h: 14 }, block: 0 }],
      window: { span: () => ({ from: 10, to: 59 }) },
    };
    const pieces = maskPieces(analysis([settled([]), later]), DEFAULT_DETECT_OPTIONS).filter((p) => p.kind === 'pii');
    expect(pieces.filter((p) => !p.motion).map((p) => [p.from, p.to])).toEqual([[20, 59]]);
    expect(pieces.some((p) => p.motion && p.from === 10 && p.axis === 'x')).toBe(true);
  });
});

describe('a page dimmed in place while a card faded in over its middle (x 400..800)', () => {
  // Tiles the dimming did not explain where it stopped at frame 30: the card, rows 200..296.
  const card = Array.from({ length: 25 }, (_, i) => ({ from: 22, to: 30, box: { x: 400 + 16 * i, y: 200, w: 16, h: 16 } }));
  const unexplained = [0, 1, 2, 3, 4, 5].flatMap((r) => card.map((c) => ({ ...c, box: { ...c.box, y: 200 + 16 * r } })));
  const episode = { until: 30, unexplained };

  it('keeps what was read under the card masked only where it still shows, and a tile past it', () => {
    // A value from x 300 to 500 across the card's left edge: it shows up to x 400.
    expect(shownAt({ x: 300, y: 230, w: 200, h: 20 }, episode)).toEqual({ x: 300, y: 230, w: 116, h: 20 });
    // Whole under the card: it shows the card.
    expect(shownAt({ x: 500, y: 230, w: 100, h: 20 }, episode)).toBeUndefined();
    // Half above the card's top edge: it shows, whole.
    expect(shownAt({ x: 500, y: 190, w: 100, h: 20 }, episode)).toEqual({ x: 500, y: 190, w: 100, h: 20 });
    // Hidden by tiles that were explained again before the end: it shows.
    expect(shownAt({ x: 500, y: 230, w: 100, h: 20 }, { until: 35, unexplained })).toEqual({ x: 500, y: 230, w: 100, h: 20 });
  });
});
