import { describe, expect, it } from 'vitest';
import { ChangeTracker, type ChangingSpan, type ReadRequest, ReadWindow } from '../../src/pipeline/changes.js';

// A 128x64 frame: 32x16 cells, 8x4 tiles of 16 px.
const W = 128;
const H = 64;
const blank = () => new Uint8Array((W / 4) * (H / 4)).fill(230);

/** Draws a "glyph" (dark cells) over cells [cx, cx+w) x [cy, cy+h). */
function ink(cells: Uint8Array, cx: number, cy: number, w = 3, h = 3, v = 30): Uint8Array {
  const out = Uint8Array.from(cells);
  for (let y = cy; y < cy + h; y++) for (let x = cx; x < cx + w; x++) out[y * (W / 4) + x] = v;
  return out;
}

function run(frames: Uint8Array[], settleFrames = 2, burstGap = 6, wideTiles?: number) {
  const tracker = new ChangeTracker({ width: W, height: H, threshold: 6, settleFrames, burstGap, ...(wideTiles ? { wideTiles } : {}) });
  const reads: ReadRequest[] = [];
  const changing: ChangingSpan[] = [];
  frames.forEach((f, n) => {
    const r = tracker.update(n, f, W / 4, n === frames.length - 1);
    reads.push(...r.reads);
    changing.push(...r.changing);
  });
  changing.push(...tracker.finish(frames.length - 1));
  return { reads, changing };
}

const repeat = (f: Uint8Array, n: number) => Array.from({ length: n }, () => f);

/** A blank screen for 10 frames, then four keys typed 4 frames apart, then still. */
function typed(): Uint8Array[] {
  let f: Uint8Array = blank();
  const frames: Uint8Array[] = repeat(f, 10);
  for (let k = 0; k < 4; k++) {
    f = ink(f, 4 + k * 4, 8, 2, 3);
    frames.push(...repeat(f, 4));
  }
  frames.push(...repeat(f, 6));
  return frames;
}

describe('ChangeTracker', () => {
  it('masks a counter that ticked from the start until it was read, not a box from the corner of the screen to it', () => {
    // A counter at the bottom right ticks on every frame from the first one, then stops.
    const frames = Array.from({ length: 20 }, (_, n) => (n < 12 ? ink(blank(), 26, 12, 3, 3, n % 2 ? 30 : 120) : ink(blank(), 26, 12, 3, 3, 30)));
    const { changing } = run(frames);
    expect(changing.length).toBeGreaterThan(0);
    for (const c of changing) {
      // Tile (6, 3) and its neighbours at most: nowhere near (0, 0).
      expect(c.box.x).toBeGreaterThanOrEqual(80);
      expect(c.box.y).toBeGreaterThanOrEqual(32);
      expect(c.to).toBe(11);
    }
  });

  it('reads a static screen once, whole, and masks nothing as changing', () => {
    const screen = ink(blank(), 4, 4);
    const { reads, changing } = run(repeat(screen, 30));
    expect(reads.map((r) => [r.frame, r.box])).toEqual([[2, { x: 0, y: 0, w: W, h: H }]]);
    expect(changing).toEqual([]);
  });

  it('ignores encoder noise: a few cells a few levels off', () => {
    const screen = ink(blank(), 4, 4);
    const noisy = Uint8Array.from(screen);
    noisy[0] += 9;
    noisy[40] -= 8;
    const { reads } = run([...repeat(screen, 5), noisy, ...repeat(screen, 5)]);
    expect(reads).toHaveLength(1);
  });

  it('reads text that appears once it settles, and dates what it read from its arrival', () => {
    const before = blank();
    const after = ink(before, 20, 8);
    const { reads, changing } = run([...repeat(before, 10), ...repeat(after, 20)]);
    const late = reads.filter((r) => r.frame > 2);
    expect(late.map((r) => r.frame)).toEqual([12]);
    // The glyph sits in tile (5, 2): 80..96 x 32..48 px.
    expect(late[0].window.span({ x: 82, y: 34, w: 10, h: 10 }, 29)).toEqual({ from: 10, to: 29 });
    expect(changing).toEqual([]);
  });

  it('ends what a read saw at the frame its tiles change next', () => {
    const a = ink(blank(), 20, 8);
    const b = ink(blank(), 20, 8, 3, 3, 120);
    const { reads } = run([...repeat(a, 10), ...repeat(b, 10)]);
    expect(reads[0].window.span({ x: 82, y: 34, w: 10, h: 10 }, 19)).toEqual({ from: 0, to: 10 });
  });

  /** A page of glyphs, every 4 cells across and 5 down, shifted up by `offset` cells. */
  const page = (offset: number) => {
    let f: Uint8Array = blank();
    for (let y = 1 - (offset % 5); y < H / 4; y += 5) for (let x = 1; x < W / 4 - 3; x += 4) if (y >= 0) f = ink(f, x, y, 3, Math.min(3, H / 4 - y));
    return f;
  };

  it('masks a region whole while it keeps changing (a scroll) and reads it when it stops', () => {
    const frames: Uint8Array[] = [...repeat(page(0), 5)];
    for (let k = 1; k <= 8; k++) frames.push(page(k));
    frames.push(...repeat(frames[frames.length - 1], 6));
    const { reads, changing } = run(frames);
    expect(reads.map((r) => r.frame)).toEqual([2, 14]);
    expect(changing).toHaveLength(1);
    expect(changing[0]).toMatchObject({ from: 5, to: 12 });
  });

  it('lets a small moving sprite (a pointer) through: only the tiles under it are masked, and only while it is there', () => {
    const screen = page(0);
    const frames: Uint8Array[] = [...repeat(screen, 5)];
    // A 3x5-cell pointer crossing the page, 3 cells a frame, over the text.
    for (let k = 0; k < 9; k++) frames.push(ink(screen, k * 3, 2, 3, 5, 250));
    frames.push(...repeat(screen, 5));
    const { reads, changing } = run(frames);
    // Nothing new is OCR'd: every tile the pointer left is back to what was read.
    expect(reads.filter((r) => r.frame > 2 && !r.reuse)).toEqual([]);
    // No changing box is larger than the pointer's tiles and a neighbour, or lasts long.
    for (const c of changing) {
      expect(c.box.w).toBeLessThanOrEqual(48);
      expect(c.box.h).toBeLessThanOrEqual(48);
      expect(c.to - c.from).toBeLessThanOrEqual(3);
    }
    expect(changing.length).toBeGreaterThan(3);
  });

  it('masks a flash shorter than the settle time', () => {
    const base = blank();
    const flash = ink(base, 20, 8);
    const { reads, changing } = run([...repeat(base, 10), flash, base, ...repeat(base, 10)]);
    expect(changing).toEqual([expect.objectContaining({ from: 10, to: 11 })]);
    // Back to what was read on frame 11: released (reusing the read) on the next frame.
    expect(reads.map((r) => [r.frame, !!r.reuse])).toEqual([[2, false], [12, true]]);
  });

  it('dates a value typed key by key from the first key', () => {
    const frames = typed();
    const { reads } = run(frames);
    const last = reads[reads.length - 1];
    expect(last.window.span({ x: 16, y: 32, w: 64, h: 12 }, frames.length - 1).from).toBe(10);
  });

  it('dates what is read after a wholesale change from that change, not from the burst before it', () => {
    // A page whose lines all move (a terminal adding a line) twice, less than a burst gap apart.
    const frames = [...repeat(page(0), 5), ...repeat(page(2), 4), ...repeat(page(4), 8)];
    const { reads } = run(frames, 2, 6, 16);
    const last = reads[reads.length - 1];
    expect(last.frame).toBeGreaterThan(9);
    expect(last.window.span({ x: 16, y: 16, w: 64, h: 12 }, frames.length - 1).from).toBe(9);
    // Typed key by key, the same burst still dates the value from its first key.
    const keys = run(typed(), 2, 6, 16).reads;
    expect(keys[keys.length - 1].window.span({ x: 16, y: 32, w: 64, h: 12 }, typed().length - 1).from).toBe(10);
  });

  it('masks to the end a region still changing when the video ends, and reads it on the last frame', () => {
    const frames = [...repeat(page(0), 5), page(1), page(2), page(3)];
    const { changing, reads } = run(frames);
    expect(changing).toEqual([expect.objectContaining({ from: 5, to: 7 })]);
    expect(reads.map((r) => r.frame)).toEqual([2, 7]);
  });

  it('reads what changed on the last frame there, and masks nothing as changing', () => {
    const frames = [...repeat(page(0), 5), page(1)];
    const { changing, reads } = run(frames);
    expect(changing).toEqual([]);
    expect(reads.map((r) => r.frame)).toEqual([2, 5]);
    expect(reads[1].window.span({ x: 0, y: 0, w: W, h: H }, 5).to).toBe(5);
  });
});

describe('ChangeTracker reuse', () => {
  it('reuses earlier reads when a region flickers and comes back to what was read', () => {
    const screen = ink(blank(), 4, 4);
    const flicker = Uint8Array.from(screen);
    for (let y = 8; y < 12; y++) flicker[y * 32 + 21] += 40;
    const { reads, changing } = run([...repeat(screen, 10), flicker, ...repeat(screen, 10)]);
    expect(reads.map((r) => [r.frame, !!r.reuse])).toEqual([[2, false], [12, true]]);
    expect(reads[1].reuse).toEqual([reads[0]]);
    expect(changing).toEqual([expect.objectContaining({ from: 10, to: 11 })]);
  });

  it('reuses the read before a pointer rested on a line once it moves on, and reads again only what changed meanwhile', () => {
    const screen = ink(ink(blank(), 4, 4), 20, 9);
    const pointer = ink(screen, 22, 8, 3, 5, 250);
    const { reads } = run([...repeat(screen, 10), ...repeat(pointer, 10), ...repeat(screen, 10)]);
    // Read whole, read with the pointer resting on the line, then the line as first read.
    expect(reads.map((r) => [r.frame, !!r.reuse])).toEqual([[2, false], [12, false], [22, true]]);
    expect(reads[2].reuse).toEqual([reads[0]]);

    // The line changed under the pointer: what shows when it moves on was never read.
    const changed = ink(screen, 12, 9);
    const again = run([...repeat(screen, 10), ...repeat(pointer, 10), ...repeat(changed, 10)]).reads;
    expect(again.map((r) => [r.frame, !!r.reuse])).toEqual([[2, false], [12, false], [22, false]]);
  });

  it('reads again when the region changed for good', () => {
    const screen = ink(blank(), 4, 4);
    const { reads } = run([...repeat(screen, 10), ...repeat(ink(screen, 20, 8), 10)]);
    expect(reads.map((r) => [r.frame, !!r.reuse])).toEqual([[2, false], [12, false]]);
  });
});

describe('ReadWindow.span', () => {
  /** A read on frame 5 of tiles 0..3 x 0..1, every tile inked, each changing next at `next` (tx, ty). */
  const windowOf = (next: (tx: number, ty: number) => number) => {
    const w = new ReadWindow({ tx0: 0, ty0: 0, tx1: 3, ty1: 1 }, 5);
    for (let ty = 0; ty <= 1; ty++) {
      for (let tx = 0; tx <= 3; tx++) {
        const k = w.index(tx, ty);
        w.inked[k] = 1;
        w.burstStart[k] = 2;
        w.nextChange[k] = next(tx, ty);
      }
    }
    return w;
  };

  it('ends when the tiles holding the value change, not a tile its box only grazes', () => {
    // The value's last letter reaches 4 px into tile 3, which never changes again.
    const w = windowOf((tx) => (tx === 3 ? -1 : 10));
    expect(w.span({ x: 4, y: 2, w: 48, h: 12 }, 99)).toEqual({ from: 2, to: 10 });
    // A third of a tile or more is the value's: that tile keeps it on screen.
    expect(w.span({ x: 4, y: 2, w: 50, h: 12 }, 99)).toEqual({ from: 2, to: 99 });
  });

  it('leaves out a tile row the box only grazes, and never a box\'s only tile', () => {
    const w = windowOf((_tx, ty) => (ty === 1 ? 40 : 10));
    // Rows 14..27: 2 px in tile row 0, 12 in row 1.
    expect(w.span({ x: 20, y: 14, w: 20, h: 14 }, 99)).toEqual({ from: 2, to: 40 });
    // Rows 12..19: 4 px in each, both kept.
    expect(w.span({ x: 20, y: 12, w: 8, h: 8 }, 99)).toEqual({ from: 2, to: 40 });
    // A box inside one tile keeps it, however small.
    expect(w.span({ x: 17, y: 1, w: 2, h: 2 }, 99)).toEqual({ from: 2, to: 10 });
  });
});
