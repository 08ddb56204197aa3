import { describe, expect, it } from 'vitest';
import { estimateDimming, estimateDrift, estimateShift, fitDimming, MotionFollower, rowProfile, transposed, transposeValues, undriftQuarter, type MotionEpisode } from '../../src/pipeline/motion.js';
import { asSegments, carryFrom, readOnTheWay, readsDuring, unionOverlapping, unreadPieces } from '../../src/plan/motion.js';
import { planMasks, type MaskPiece, type MaskTrack } from '../../src/plan/plan.js';
import { evenFrames, fitPath, maskFilterGraph, pathExpression } from '../../src/render/filters.js';

// A region 64 px wide (16 values of 4 px) and 160 px high, as the motion pass decodes it.
const W = 16;
const H = 160;

/** A "page" taller than the region: rows of varied ink, with blank rows between lines. */
function page(rows: number, seed = 1): Uint8Array {
  const out = new Uint8Array(W * rows).fill(230);
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let y = 0; y < rows; y++) {
    if (y % 12 >= 8) continue;
    for (let x = 0; x < W; x++) if (rnd() < 0.45) out[y * W + x] = Math.round(20 + rnd() * 80);
  }
  return out;
}

/** The region's view of the page scrolled by `offset` px. */
const view = (p: Uint8Array, offset: number) => p.slice(offset * W, (offset + H) * W);

describe('estimateShift', () => {
  const p = page(600);

  it('measures a scroll to the pixel, up or down, with no tile left unexplained', () => {
    for (const s of [1, 2, 5, 37, -3, -50]) {
      const base = 200;
      const e = estimateShift(view(p, base), view(p, base + s), W, H, 0, 10);
      expect(e.px, `move ${s}`).toBe(s);
      expect(e.ok).toBe(true);
      expect(e.badTiles).toEqual([]);
    }
  });

  it('reports the tiles a move does not explain, such as a changed value', () => {
    const before = view(p, 100);
    const after = view(p, 104);
    // A "digit" changed in the row now at y 20..27, x 16..23 (values 4..5): tile row 1, column 1.
    for (let y = 20; y < 28; y++) for (let x = 4; x < 6; x++) after[y * W + x] = after[y * W + x] > 150 ? 40 : 230;
    const e = estimateShift(before, after, W, H, 4, 10);
    expect(e.px).toBe(4);
    expect(e.badTiles).toEqual([1 * 4 + 1]);
  });

  it('explains a tile whose few odd rows are the codec\'s ringing on moving text', () => {
    const before = view(p, 100);
    const after = view(p, 104);
    // Three single rows of one tile off by more than the threshold, as x264 leaves them.
    for (const y of [18, 23, 29]) for (let x = 4; x < 8; x++) after[y * W + x] = Math.max(0, after[y * W + x] - 30);
    const e = estimateShift(before, after, W, H, 4, 10);
    expect(e.px).toBe(4);
    expect(e.badTiles).toEqual([]);
  });

  it('does not follow a change that is not a move', () => {
    const e = estimateShift(view(p, 100), view(page(600, 99), 100), W, H, 0, 10);
    expect(e.ok).toBe(false);
  });
});

describe('sideways motion', () => {
  const p = page(2000);
  /** A region `h` rows high (columns of the frame, transposed) of the page moved by `offset`, or by a fraction between whole moves. */
  const tall = (offset: number, h: number) => {
    const lo = Math.floor(offset);
    const f = offset - lo;
    const a = p.subarray(lo * W, (lo + h) * W);
    const b = p.subarray((lo + 1) * W, (lo + 1 + h) * W);
    return Uint8Array.from(a, (v, i) => Math.round(v * (1 - f) + b[i] * f));
  };

  it('transposes values and episodes both ways', () => {
    const v = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    expect([...transposeValues(v, 3, 2)]).toEqual([1, 4, 2, 5, 3, 6]);
    expect([...transposeValues(transposeValues(v, 3, 2), 2, 3)]).toEqual([...v]);
    const e = episode({ axis: 'x', box: { x: 0, y: 40, w: 1280, h: 600 }, unexplained: [{ from: 50, to: 52, box: { x: 16, y: 40, w: 16, h: 64 } }] });
    const t = transposed(e);
    expect(t.axis).toBeUndefined();
    expect(t.box).toEqual({ x: 40, y: 0, w: 600, h: 1280 });
    expect(t.unexplained[0].box).toEqual({ x: 40, y: 16, w: 64, h: 16 });
    expect(transposed(t)).toEqual(e);
  });

  it('explains text moved by a fraction of a pixel as drawn again, where a whole move does not', () => {
    const before = tall(300, H);
    const after = tall(300 + 37.5, H);
    const exact = estimateShift(before, after, W, H, 37, 10);
    const drawn = estimateShift(before, after, W, H, 37, 10, true);
    expect(exact.badTiles.length).toBeGreaterThan(10);
    expect([37, 38]).toContain(drawn.px);
    expect(drawn.badTiles).toEqual([]);
    // A value that changed in place while it moved is still reported.
    for (let y = 20; y < 28; y++) for (let x = 4; x < 6; x++) after[y * W + x] = after[y * W + x] > 150 ? 40 : 230;
    expect(estimateShift(before, after, W, H, 37, 10, true).badTiles).toContain(1 * 4 + 1);
  });

  it('finds a fling that jumped hundreds of pixels in one frame, far from the prediction', () => {
    const h = 1280;
    const e = estimateShift(tall(0, h), tall(393, h), W, h, 49, 10, true);
    expect(e.px).toBe(393);
    expect(e.badTiles).toEqual([]);
  });

  it('carries a box along x, and leaves the still frames before and after a motion to their own masks', () => {
    const e = episode({ axis: 'x', box: { x: 0, y: 100, w: 600, h: 300 }, offsets: [0, 0, ...Array.from({ length: 29 }, (_, k) => 10 * (k + 1))] });
    const [piece] = carryFrom({ x: 300, y: 200, w: 100, h: 20 }, e, 49, 4);
    expect(piece.axis).toBe('x');
    expect(piece.box).toMatchObject({ x: 296, y: 200, w: 108, h: 20 });
    piece.path!.forEach((dx, i) => expect(piece.box.x + 4 + dx).toBe(300 - e.offsets[i]));
    for (const s of asSegments(piece, 40)) {
      expect(s.axis).toBeUndefined();
      expect(s.box.y).toBe(200);
    }
    // Unread content moves in from the right only once the region moved: none on frames 50, 51.
    const unread = unreadPieces(e, 20, { segmentPx: 40, marginPx: 4 });
    expect(unread.length).toBeGreaterThan(0);
    expect(unread.every((u) => u.from >= 52 && u.box.y === 100 && u.box.h === 300)).toBe(true);
  });

  it('knows text at the border where a scroll stopped was read whole on the way, unless it came from outside', () => {
    // Moved left 290 px: what rests at x 0..60 was at x 290..350 before, inside the read there.
    const e = episode({ axis: 'x', box: { x: 0, y: 100, w: 1280, h: 300 }, offsets: Array.from({ length: 30 }, (_, k) => 10 * (k + 1)).slice(0, 29) });
    expect(readOnTheWay(e, 60, { x: 0, y: 150, w: 60, h: 20 })).toBe(true);
    // What rests at the right border came in from beyond it: never seen whole.
    expect(readOnTheWay(e, 60, { x: 1220, y: 150, w: 60, h: 20 })).toBe(false);
  });
});

describe('a sideways move that drifts up or down', () => {
  // A sheet 200 values wide and 400 rows high at full size; frames show 160 rows of it from `top`, moved left by `left`.
  const sheet = (() => {
    const w = 200;
    const out = new Uint8Array(w * 400).fill(235);
    let s = 3;
    const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let y = 0; y < 400; y++) {
      if (y % 20 === 19) out.fill(180, y * w, (y + 1) * w); // the grid's rules
      else if (y % 20 >= 6 && y % 20 < 15) for (let x = 0; x < w; x++) if (rnd() < 0.3) out[y * w + x] = Math.round(30 + rnd() * 60);
    }
    return out;
  })();
  const W2 = 120;
  const frame = (top: number, left: number) => {
    const out = new Uint8Array(W2 * 160);
    for (let y = 0; y < 160; y++) out.set(sheet.subarray((top + y) * 200 + left, (top + y) * 200 + left + W2), y * W2);
    return out;
  };

  it('measures the drift by the rows\' ink while the content slides sideways', () => {
    const anchor = rowProfile(frame(100, 0), W2, 160);
    // Content moved up by 7 rows (the view went down) and left by 30.
    expect(estimateDrift(anchor, rowProfile(frame(107, 30), W2, 160), 0, 12, 48)).toBe(-7);
    expect(estimateDrift(anchor, rowProfile(frame(95, 50), W2, 160), -3, 12, 48)).toBe(5);
  });

  it('takes the drift off before reducing, so the follower sees a move along one axis only', () => {
    const moved = frame(107, 30);
    const back = undriftQuarter(moved, W2, 160, -7);
    // Row y of the result is the frame's row y - 7: the anchor's row y, moved left by 30.
    const expected = undriftQuarter(frame(100, 30), W2, 160, 0);
    let same = 0;
    for (let i = W2 * 2; i < back.length; i++) if (back[i] === expected[i]) same++;
    expect(same / (back.length - W2 * 2)).toBe(1);
  });
});

describe('MotionFollower', () => {
  const p = page(800);

  it('follows a long scroll through several anchors, offsets counted from the first frame', () => {
    const speeds = [0, 3, 3, 3, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 2, 0, 0];
    const f = new MotionFollower({ x: 32, y: 48, w: W * 4, h: H }, 10, 10, view(p, 0));
    let at = 0;
    speeds.forEach((v, i) => {
      at += v;
      expect(f.push(10 + i, view(p, at))).toBe(true);
    });
    const e = f.episode(10 + speeds.length - 1, 200, true)!;
    let sum = 0;
    expect(e.offsets).toEqual(speeds.map((v) => (sum += v)));
    expect(e.unexplained).toEqual([]);
    expect(e.box).toEqual({ x: 32, y: 48, w: 64, h: 160 });
  });

  it('masks unexplained tiles far apart on a row on their own, and says how much of each frame was unexplained', () => {
    // A region 256 px wide (64 values, 16 tiles) and 160 px high, scrolled 4 px a frame.
    const wide = 64;
    const rows = 400;
    const content = new Uint8Array(wide * rows).fill(230);
    let s = 5;
    const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let y = 0; y < rows; y++) if (y % 12 < 8) for (let x = 0; x < wide; x++) if (rnd() < 0.45) content[y * wide + x] = Math.round(20 + rnd() * 80);
    const at = (offset: number) => content.slice(offset * wide, (offset + H) * wide);
    const f = new MotionFollower({ x: 0, y: 0, w: wide * 4, h: H }, 1, 10, at(0));
    for (let n = 1; n <= 6; n++) {
      const frame = at(4 * n);
      // On frame 3, two tiles of tile row 2 far apart (columns 1 and 12) changed in place.
      if (n === 3) for (let y = 32; y < 48; y++) for (const x0 of [4, 48]) for (let x = x0; x < x0 + 4; x++) frame[y * wide + x] = frame[y * wide + x] > 150 ? 40 : 230;
      expect(f.push(n, frame)).toBe(true);
    }
    const e = f.episode(6, 230, true)!;
    expect(e.unexplained).toEqual([
      { from: 3, to: 4, box: { x: 16, y: 32, w: 16, h: 16 } },
      { from: 3, to: 4, box: { x: 192, y: 32, w: 16, h: 16 } },
    ]);
    expect(e.unexplainedByFrame).toEqual([0, 0, 2 / 160, 0, 0, 0]);
  });

  it('follows a backdrop fading in over the page: only the card that appears on it is unexplained', () => {
    const base = view(p, 0);
    // The page mixed with black at `alpha`, and a card (its own ink) fading in at tile rows 4-5, columns 1-2.
    const frame = (alpha: number) => {
      const out = base.map((v) => Math.round(v * (1 - alpha)));
      for (let y = 64; y < 96; y++) for (let x = 4; x < 12; x++) out[y * W + x] = Math.round(out[y * W + x] * (1 - alpha) + alpha * (x % 2 ? 250 : 30));
      return out;
    };
    const f = new MotionFollower({ x: 0, y: 0, w: W * 4, h: H }, 20, 10, base);
    const alphas = [0.1, 0.2, 0.3, 0.45, 0.45, 0.45];
    alphas.forEach((a, i) => expect(f.push(20 + i, frame(a))).toBe(true));
    const e = f.episode(25, 100, true)!;
    expect(e.offsets).toEqual([0, 0, 0, 0, 0, 0]);
    // Tiles are 16 px of the frame: the card's columns 4-11 (values) are x 16..47, rows 64..95.
    const covered = new Set(e.unexplained.flatMap((u) => [u.box.x, u.box.x + u.box.w - 16].map((x) => `${x}:${u.box.y}`)));
    expect([...covered].sort()).toEqual(['16:64', '16:80', '32:64', '32:80']);
    for (const u of e.unexplained) expect(u.from).toBe(20);
  });

  it('fits a dimming to the values the backdrop covers, and takes no change in place or near-black for one', () => {
    const base = view(p, 0);
    const dim = base.map((v) => Math.round(0.6 * v + 12));
    for (let i = 0; i < W * 40; i++) dim[i] = 200; // a card over a quarter of the region
    const fit = fitDimming(base, dim, W, H, 10)!;
    expect(fit.gain).toBeCloseTo(0.6, 1);
    expect(fit.offset).toBeCloseTo(12, -1);
    expect(estimateDimming(base, dim, W, H, 10)!.badTiles.every((t) => t < 3 * 4)).toBe(true);
    // Other content in place is no dimming of the page, nor is the frame the same page.
    expect(fitDimming(base, view(page(800, 7), 0), W, H, 10)).toBeUndefined();
    expect(fitDimming(base, base, W, H, 10)).toBeUndefined();
    // Nearly black: too faint to vouch for what it shows.
    expect(fitDimming(base, base.map((v) => Math.round(0.1 * v)), W, H, 10)).toBeUndefined();
  });

  it('gives no episode for a region that changed in place', () => {
    const f = new MotionFollower({ x: 0, y: 0, w: W * 4, h: H }, 5, 10, view(p, 0));
    expect(f.push(5, view(page(800, 7), 0))).toBe(false);
    expect(f.episode(5, 200, true)).toBeUndefined();
  });
});

/** An episode of a region at y 100..400 whose content moved up 10 px a frame for 31 frames. */
function episode(over: Partial<MotionEpisode> = {}): MotionEpisode {
  return {
    since: 50,
    until: 80,
    offsets: Array.from({ length: 31 }, (_, k) => 10 * (k + 1)),
    box: { x: 0, y: 100, w: 600, h: 300 },
    unexplained: [],
    fill: 255,
    settled: true,
    ...over,
  };
}

describe('moving masks', () => {
  it('are as much wider across as the content drifted across the motion', () => {
    const plain = carryFrom({ x: 100, y: 150, w: 80, h: 20 }, episode(), 49, 2);
    const drifted = carryFrom({ x: 100, y: 150, w: 80, h: 20 }, episode({ crossPx: 13 }), 49, 2);
    expect(drifted.length).toBe(plain.length);
    drifted.forEach((d, i) => expect(d).toEqual({ ...plain[i], box: { ...plain[i].box, x: 87, w: 106 } }));
  });

  const options = { segmentPx: 40, marginPx: 4 };

  it('carries a box read before the scroll up with the content, to the pixel on every frame it is in the region', () => {
    const e = episode();
    const box = { x: 20, y: 300, w: 100, h: 20 };
    const [piece, ...more] = carryFrom(box, e, 49, 4);
    expect(more).toEqual([]);
    // In the region (y 100..400) while y - offset + 20 > 100: offsets 10..210, frames 50..70.
    expect([piece.from, piece.to]).toEqual([50, 70]);
    expect(piece.box).toEqual({ x: 20, y: 300 - 10 - 4, w: 100, h: 28 });
    piece.path!.forEach((dy, i) => expect(piece.box.y + 4 + dy).toBe(box.y - e.offsets[i]));
    // As still segments (for the crop styles), every position is still covered.
    const segs = asSegments(piece, 40);
    for (let n = 50; n <= 70; n++) {
      const y = box.y - e.offsets[n - 50];
      const s = segs.find((p) => p.from <= n && p.to >= n)!;
      expect(s.box.y).toBeLessThanOrEqual(y);
      expect(s.box.y + s.box.h).toBeGreaterThanOrEqual(y + box.h);
      expect(s.path).toBeUndefined();
    }
  });

  it('carries a box read where the scroll stopped back to where its content came from', () => {
    const e = episode();
    const [piece] = carryFrom({ x: 20, y: 150, w: 100, h: 20 }, e, e.until, 0);
    // On frame 50 the content was 300 px lower, at 450: outside the region (ends at 400).
    expect(piece.from).toBe(56);
    expect(piece.to).toBe(80);
    expect(piece.box.y + piece.path![piece.path!.length - 1]).toBe(150);
  });

  it('masks whole what no read saw, and only what was cut by the edges once reads saw the rest', () => {
    // The content moved 310 px in a 300 px region: a stretch scrolled through unread.
    const e = episode();
    const edge = 20;
    const unread = unreadPieces(e, edge, options);
    expect(unread.length).toBeGreaterThan(0);
    for (const p of unread) {
      expect(p.box.x).toBe(0);
      expect(p.box.w).toBe(600);
    }
    const frames = readsDuring(e, edge);
    expect(frames.length).toBeGreaterThan(0);
    // What stays unread is what only ever showed cut by the region's edges.
    const touchesEdge = (b: { y: number; h: number }) => b.y === e.box.y || b.y + b.h === e.box.y + e.box.h;
    expect(unread.some((p) => !touchesEdge(p.box))).toBe(true);
    const after = unreadPieces({ ...e, readsAt: frames }, edge, options);
    expect(after.every((p) => touchesEdge(p.box))).toBe(true);
    // A region that has not stood still by the end, never read while it moved: on its last
    // frame it shows only content that came in after the read before, all of it masked.
    const open = unreadPieces({ ...e, settled: false }, edge, options);
    const last = open.filter((p) => p.from <= 80 && p.to >= 80);
    expect(last.map((p) => p.box)).toEqual([{ x: 0, y: 100, w: 600, h: 300 }]);
  });

  it('reads while scrolling at heights at least a quarter of the region apart', () => {
    const e = episode({ offsets: Array.from({ length: 61 }, (_, k) => 10 * (k + 1)), until: 110 });
    const frames = readsDuring(e, 20);
    const at = [0, ...frames.map((n) => e.offsets[n - e.since]), e.offsets[e.offsets.length - 1]].sort((a, b) => a - b);
    for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeGreaterThanOrEqual(e.box.h / 4);
  });

  it('joins overlapping pieces of the same frames and keeps moving pieces out of the planner merges', () => {
    // Stacked boxes of one column join; a wide box does not widen a narrow one over its neighbours.
    const a = { from: 1, to: 5, box: { x: 0, y: 0, w: 10, h: 10 } };
    const b = { from: 1, to: 5, box: { x: 2, y: 6, w: 11, h: 10 } };
    const c = { from: 6, to: 9, box: { x: 0, y: 0, w: 10, h: 10 } };
    const wide = { from: 6, to: 9, box: { x: 5, y: 8, w: 60, h: 10 } };
    const joined = unionOverlapping([a, b, c, wide], (x, _y, box) => ({ ...x, box }));
    expect(joined).toEqual([{ from: 1, to: 5, box: { x: 0, y: 0, w: 13, h: 16 } }, c, wide]);
    const piece = (from: number, to: number, y: number, motion?: boolean): MaskPiece => ({
      kind: 'pii',
      from,
      to,
      box: { x: 100, y, w: 200, h: 30 },
      types: ['money'],
      detectors: ['pattern:money'],
      confidence: 0.9,
      fill: 255,
      values: [],
      motion,
    });
    const tracks = planMasks([piece(0, 10, 100, true), piece(11, 20, 104, true), piece(21, 30, 104), piece(31, 40, 106)], {
      frameCount: 100,
      width: 640,
      height: 480,
      padding: 0,
    });
    // The two still pieces merge; the moving ones stay as they are.
    expect(tracks.map((t) => [t.from, t.to])).toEqual([
      [0, 10],
      [11, 20],
      [21, 40],
    ]);
  });
});

describe('moving masks in the filter graph', () => {
  it('fits a path with few straight pieces within the tolerance', () => {
    const path = [0, -5, -10, -15, -20, -22, -24, -26, -26, -26];
    const { points, tolerance } = fitPath(path, 1);
    expect(tolerance).toBe(1);
    expect(points).toEqual([
      [0, 0],
      [4, -20],
      [7, -26],
      [9, -26],
    ]);
    // Evaluated the way ffmpeg will, for frames 100..109 with overlay numbering from 1.
    const expr = pathExpression(300, 100, points, 1);
    const evaluate = (n: number) => Function('n', `const lt = (a, b) => a < b; const iff = (c, a, b) => (c ? a : b); return ${expr.replaceAll('if(', 'iff(')};`)(n) as number;
    path.forEach((dy, k) => expect(Math.abs(evaluate(100 + k + 1) - (300 + dy))).toBeLessThanOrEqual(1));
  });

  it('draws the moving masks of one scroll as one clipped layer and keeps the frame count', () => {
    const e = episode();
    const track = (id: number, y: number): MaskTrack => ({
      id,
      kind: 'pii',
      from: 50,
      to: 60,
      box: { x: 40, y, w: 100, h: 20 },
      types: ['money'],
      detectors: ['pattern:money', 'motion'],
      confidence: 0.9,
      fill: 240,
      values: [],
      motion: true,
      path: Array.from({ length: 11 }, (_, k) => -(e.offsets[k] - e.offsets[0])),
      episode: 0,
    });
    const still: MaskTrack = { ...track(2, 10), path: undefined, motion: undefined, episode: undefined, from: 0, to: 99 };
    const graph = maskFilterGraph([track(0, 200), track(1, 240), still], 'fill', { fps: 30, frameCount: 100, overlayFrameBase: 0, episodes: [e] });
    expect(graph.match(/drawbox=[^,;]*replace=1/g)).toHaveLength(2);
    expect(graph.match(/overlay=/g)).toHaveLength(2);
    expect(graph).toContain(`crop=600:300:0:100`);
    expect(graph).toContain("enable='between(n,50,80)'");
    expect(graph.endsWith('trim=end_frame=100')).toBe(true);
    expect(graph.startsWith('drawbox=x=40:y=10:w=100:h=20')).toBe(true);
    // Styles drawn from crops of the frame get still segments instead.
    expect(maskFilterGraph([track(0, 200)], 'pixelate', { fps: 30, frameCount: 100, overlayFrameBase: 0, episodes: [e] })).not.toContain('eval=frame');
    // Without the frames' times the layer starts early and stays to the end; with them it
    // lives from a second before the scroll (frame 50, at 2.5 s) to two after it (frame 80,
    // at 4 s), and frames after it pass untouched.
    expect(graph).toContain('eof_action=repeat[moved0]');
    const times = Array.from({ length: 100 }, (_, n) => n / 20);
    const graphWith = (t: number[]) =>
      maskFilterGraph([track(0, 200), track(1, 240), still], 'fill', { fps: 30, frameCount: 100, overlayFrameBase: 0, episodes: [e], lanes: { times: t, commandsPrefix: '/w/masks.cmd' } });
    // Evenly timed: the region is a pane of its own, a frame a frame of the video from the
    // one before the scroll to the one after it (49..81), each timed half a frame early.
    const timed = graphWith(times);
    expect(timed).not.toContain('split');
    expect(timed).toMatch(/color=c=black@0:s=600x300:[^;]*,loop=loop=33:size=1:start=0,settb=1\/1000000,setpts=\(2\.425000\+N\*0\.050000\)\/TB\[canvas0\]/);
    expect(timed).toMatch(/replace=1,loop=loop=33:size=1:start=0,settb=1\/1000000,setpts=\(2\.425000\+N\*0\.050000\)\/TB\[layer0\]/);
    expect(timed).toContain('[canvas0][layer0]overlay=x=40:y=');
    expect(timed).toContain('[pane0]overlay=x=0:y=100:eof_action=pass[v_layer0]');
    // Off the pane before the scroll (frame 49, the pane's first) and after it.
    expect(timed).toMatch(/\[canvas0\]\[layer0\]overlay=x=40:y='if\(between\(n,1,31\),.*,-\d+\)'/);
    // One frame off by more than a quarter of the spacing: clipped by split, overlay and
    // crop; the layer lives from a second before the scroll (frame 50, at 2.5 s) to two
    // after it (frame 80, at 4 s), drawn once and repeated for those 4.5 s at 30 fps.
    const uneven = graphWith(times.map((t, n) => (n === 60 ? t + 0.02 : t)));
    expect(uneven).toContain('crop=600:300:0:100');
    expect(uneven).toContain('eof_action=pass[moved0]');
    expect(uneven).toMatch(/:d=0\.016667,format=yuva420p,.*,loop=loop=134:size=1:start=0,setpts=PTS\+1\.5\/TB\[layer0\]/);
  });

  it('takes frames as evenly spaced only when each is within a quarter of the spacing of its place', () => {
    const times = Array.from({ length: 10 }, (_, n) => 0.4 + n / 30);
    expect(evenFrames(times, -1, 20)).toEqual({ first: 0, count: 10, t0: 0.4, step: expect.closeTo(1 / 30, 9) });
    expect(evenFrames(times, 3, 5)).toMatchObject({ first: 3, count: 3 });
    expect(evenFrames(times.map((t, n) => (n === 5 ? t + 0.009 : t)), 0, 9)).toBeUndefined();
    expect(evenFrames(times.map((t, n) => (n === 5 ? t + 0.008 : t)), 0, 9)).toBeDefined();
    // Outside the uneven stretch, even.
    expect(evenFrames(times.map((t, n) => (n === 5 ? t + 0.009 : t)), 6, 9)).toBeDefined();
    expect(evenFrames(times, 4, 4)).toBeUndefined();
  });
});
