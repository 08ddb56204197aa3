/**
 * Change detection on every frame (pure). ffmpeg hands over each frame reduced 4x by area
 * averaging, so one cell is the mean of 4x4 pixels and a one-pixel stroke still moves it
 * by tens of grey levels, while encoder noise averages out. Cells group into tiles of
 * 4x4 cells (16x16 pixels).
 *
 * A tile is dirty once it differs from its reference (its content when last read) and
 * stays dirty until it has been still for `settleFrames` and is read again. While it goes
 * through intermediate states it is masked whole ("changing"), so nothing that moves or
 * flashes between two readings is ever shown unread; from its last change on it shows
 * what the next reading reads. When dirty tiles settle they are handed out as regions
 * to read; the tracker keeps, per tile, when its current content's burst of changes began
 * (typing: keystrokes less than `burstGap` apart are one burst) and, for each read, when
 * each tile next changes. Those two give each detection its exact frame range.
 */
import type { Box } from '../pii/types.js';
import type { MotionEpisode } from './motion.js';

export const CELL = 4;
export const TILE_CELLS = 4;
export const TILE = CELL * TILE_CELLS;
/**
 * Tiles a moving sprite (a pointer, a caret, a small tooltip) covers on one frame of a
 * 720p screen: 3x4 tiles, 48x64 px. See spriteTiles for other sizes and frame rates.
 */
export const SPRITE_TILES = 12;

/**
 * Tiles a sprite can keep dirty at once: what it covers on one frame, scaled with the
 * screen (pointers are drawn bigger on bigger screens), on each of the frames a tile needs
 * to settle (a fast pointer at 30 fps touches new tiles on each of them).
 */
export function spriteTiles(height: number, settleFrames: number): number {
  return Math.round(SPRITE_TILES * Math.max(1, height / 720) * Math.max(1, settleFrames));
}

export interface ChangeOptions {
  /** Full-size frame. */
  width: number;
  height: number;
  /** A cell that moved by more than this many grey levels changed. */
  threshold: number;
  /** Frames a dirty tile must stay still before it is read. */
  settleFrames: number;
  /** Changes of a tile less than this many frames apart belong to one burst. */
  burstGap: number;
  /** Most tiles a moving sprite keeps dirty (default: spriteTiles of the size and settle time). */
  spriteTiles?: number;
  /** Fewest tiles of a region that changed wholesale, not key by key (default: four sprites, at least 64). */
  wideTiles?: number;
}

/** A region to read: bands of whole tile rows around tiles that settled. */
export interface ReadRequest {
  frame: number;
  /** Tiles that were dirty and settled (tile coordinates, inclusive). */
  tiles: TileRect;
  /** The pixel box to OCR. */
  box: Box;
  /** Filled in as later frames arrive: the window tracker of this read. */
  window: ReadWindow;
  /**
   * Set when the tiles that changed came back to exactly what was last read (encoder
   * flicker around a keyframe): the earlier reads of this band, whose text is reused
   * instead of decoding and OCR'ing the frame again.
   */
  reuse?: ReadRequest[];
  /**
   * Which rows of the box each earlier read stands for (its rows in this band): text is
   * taken from each read only there, so reads that overlap give no word twice.
   */
  reuseParts?: Array<{ source: ReadRequest; box: Box }>;
  /** Regions of this read that scrolled into place (filled in by the motion pass). */
  motion?: MotionEpisode[];
}

export interface TileRect {
  tx0: number;
  ty0: number;
  tx1: number;
  ty1: number;
}

/** A span of frames over which a region was changing and not yet read: masked whole. */
export interface ChangingSpan {
  from: number;
  to: number;
  box: Box;
  /** The read of the region once it stood still. */
  read?: ReadRequest;
}

/**
 * What a read knows of the tiles of its box: per tile, whether it held ink, when its
 * content's burst began, and the first frame it changed after the read (-1: never).
 */
export class ReadWindow {
  readonly inked: Uint8Array;
  readonly burstStart: Int32Array;
  readonly nextChange: Int32Array;
  constructor(
    readonly rect: TileRect,
    readonly frame: number,
  ) {
    const n = (rect.tx1 - rect.tx0 + 1) * (rect.ty1 - rect.ty0 + 1);
    this.inked = new Uint8Array(n);
    this.burstStart = new Int32Array(n);
    this.nextChange = new Int32Array(n).fill(-1);
  }

  index(tx: number, ty: number): number {
    return (ty - this.rect.ty0) * (this.rect.tx1 - this.rect.tx0 + 1) + (tx - this.rect.tx0);
  }

  /**
   * Frames over which what was read in `box` stayed on screen: from the earliest burst
   * start of its inked tiles to the last frame before every one of them had changed.
   * A tile the box only grazes (a third of the box's height or width, or less, where the
   * box spans several tiles that way) is left out: it holds a few pixels of the value's
   * last letter beside blank, the change tracker may not see those pixels go, and one such
   * tile held a wallet address in place through the fling that scrolled it away.
   */
  span(box: Box, lastFrame: number): { from: number; to: number } {
    let tx0 = Math.max(this.rect.tx0, Math.floor(box.x / TILE));
    let ty0 = Math.max(this.rect.ty0, Math.floor(box.y / TILE));
    let tx1 = Math.min(this.rect.tx1, Math.floor((box.x + box.w - 1) / TILE));
    let ty1 = Math.min(this.rect.ty1, Math.floor((box.y + box.h - 1) / TILE));
    const grazed = (t: number, start: number, size: number, first: boolean) => {
      const inside = first ? (t + 1) * TILE - start : start + size - t * TILE;
      return inside * 3 <= Math.min(size, TILE);
    };
    if (ty1 > ty0 && grazed(ty0, box.y, box.h, true)) ty0++;
    if (ty1 > ty0 && grazed(ty1, box.y, box.h, false)) ty1--;
    if (tx1 > tx0 && grazed(tx0, box.x, box.w, true)) tx0++;
    if (tx1 > tx0 && grazed(tx1, box.x, box.w, false)) tx1--;
    let from = Infinity;
    let to = -1;
    let fromAll = Infinity;
    let toAll = -1;
    for (let ty = ty0; ty <= ty1; ty++) {
      for (let tx = tx0; tx <= tx1; tx++) {
        const i = this.index(tx, ty);
        const end = this.nextChange[i] < 0 ? lastFrame : this.nextChange[i];
        fromAll = Math.min(fromAll, this.burstStart[i]);
        toAll = Math.max(toAll, end);
        if (this.inked[i]) {
          from = Math.min(from, this.burstStart[i]);
          to = Math.max(to, end);
        }
      }
    }
    if (to < 0) {
      from = fromAll;
      to = toAll;
    }
    if (!Number.isFinite(from) || to < 0) return { from: this.frame, to: lastFrame };
    return { from: Math.min(from, this.frame), to: Math.max(to, this.frame) };
  }
}

export class ChangeTracker {
  readonly cols: number;
  readonly rows: number;
  readonly tilesX: number;
  readonly tilesY: number;
  private readonly ref: Uint8Array;
  private readonly prev: Uint8Array;
  private readonly dirty: Uint8Array;
  private readonly dirtySince: Int32Array;
  private readonly lastChange: Int32Array;
  private readonly burstStart: Int32Array;
  private readonly watchers: Array<Array<[ReadWindow, number]> | undefined>;
  private readonly lastRead: Array<ReadRequest | undefined>;
  /**
   * Per tile, the read before the last one and the cells it saw (the reference before the
   * last read), kept where that read saw the tile settled: a pointer that rested on a value
   * and moved on leaves the tile as that read saw it, and its text is reused.
   */
  private readonly olderRead: Array<ReadRequest | undefined>;
  private readonly olderRef: Uint8Array;
  /** Per tile, 1 when its last read saw it settled (not in the middle of a change). */
  private readonly readSettled: Uint8Array;
  private readonly changedNow: Uint8Array;
  private readonly countP: Uint16Array;
  private readonly countR: Uint16Array;
  private readonly maxP: Uint8Array;
  private readonly maxR: Uint8Array;
  /** Per tile, the cells (x0, y0, x1, y1) that differed from the reference this frame, and since the tile became dirty. */
  private readonly frameCells: Int16Array;
  private readonly dirtyCells: Int16Array;
  private frames = 0;
  private readonly sprite: number;
  private readonly wideTiles: number;

  constructor(readonly options: ChangeOptions) {
    this.sprite = options.spriteTiles ?? spriteTiles(options.height, options.settleFrames);
    this.wideTiles = options.wideTiles ?? Math.max(64, 4 * this.sprite);
    this.cols = Math.floor(options.width / CELL);
    this.rows = Math.floor(options.height / CELL);
    this.tilesX = Math.ceil(options.width / TILE);
    this.tilesY = Math.ceil(options.height / TILE);
    const tiles = this.tilesX * this.tilesY;
    this.ref = new Uint8Array(this.cols * this.rows);
    this.prev = new Uint8Array(this.cols * this.rows);
    this.dirty = new Uint8Array(tiles);
    this.dirtySince = new Int32Array(tiles);
    this.lastChange = new Int32Array(tiles);
    this.burstStart = new Int32Array(tiles);
    this.changedNow = new Uint8Array(tiles);
    this.countP = new Uint16Array(tiles);
    this.countR = new Uint16Array(tiles);
    this.maxP = new Uint8Array(tiles);
    this.maxR = new Uint8Array(tiles);
    this.watchers = new Array(tiles);
    this.lastRead = new Array(tiles);
    this.olderRead = new Array(tiles);
    this.olderRef = new Uint8Array(this.cols * this.rows);
    this.readSettled = new Uint8Array(tiles);
    this.frameCells = new Int16Array(tiles * 4);
    // -1: not known (the first frame is dirty everywhere); such a tile is masked whole.
    this.dirtyCells = new Int16Array(tiles * 4).fill(-1);
  }

  /** Bytes of the reduced frame this tracker expects (cols x rows, one byte a cell). */
  get cellsPerFrame(): number {
    return this.cols * this.rows;
  }

  /**
   * Feeds frame `n` (reduced, `cols` x `rows` cells, row stride `stride`). Returns the
   * regions that settled on this frame and must be read now, and the changing spans
   * they close. On the `last` frame of the video every region counts as settled: nothing
   * changes after it, so what it shows is read there (a terminal that scrolled on its last
   * frame was masked whole on it).
   */
  update(n: number, cells: Uint8Array, stride: number, last = false): { reads: ReadRequest[]; changing: ChangingSpan[] } {
    const { cols, rows, tilesX } = this;
    const first = this.frames++ === 0;
    const t = this.options.threshold;
    // Per tile: how many cells moved by more than t, and the largest move, against the
    // previous frame (p) and against the reference (r). Encoder noise moves a few cells a
    // little (up to about 3t around a keyframe); a glyph moves several cells, a thin stroke
    // one cell a lot.
    const countP = this.countP.fill(0);
    const countR = this.countR.fill(0);
    const maxP = this.maxP.fill(0);
    const maxR = this.maxR.fill(0);
    const cellsOut = this.frameCells;
    for (let i = 0; i < cellsOut.length; i += 4) {
      cellsOut[i] = cellsOut[i + 1] = 0x7fff;
      cellsOut[i + 2] = cellsOut[i + 3] = -1;
    }
    for (let y = 0; y < rows; y++) {
      const src = y * stride;
      const dst = y * cols;
      const tyRow = Math.floor(y / TILE_CELLS) * tilesX;
      for (let x = 0; x < cols; x++) {
        const v = cells[src + x];
        if (first) {
          this.ref[dst + x] = v;
          this.prev[dst + x] = v;
          continue;
        }
        let dp = v - this.prev[dst + x];
        let dr = v - this.ref[dst + x];
        this.prev[dst + x] = v;
        if (dp < 0) dp = -dp;
        if (dr < 0) dr = -dr;
        if (dp <= t && dr <= t) continue;
        const tile = tyRow + Math.floor(x / TILE_CELLS);
        if (dp > t) {
          countP[tile]++;
          if (dp > maxP[tile]) maxP[tile] = dp;
        }
        if (dr > t) {
          countR[tile]++;
          if (dr > maxR[tile]) maxR[tile] = dr;
          const k = tile * 4;
          if (x < cellsOut[k]) cellsOut[k] = x;
          if (y < cellsOut[k + 1]) cellsOut[k + 1] = y;
          if (x > cellsOut[k + 2]) cellsOut[k + 2] = x;
          if (y > cellsOut[k + 3]) cellsOut[k + 3] = y;
        }
      }
    }
    const strong = 4 * t;
    for (let i = 0; i < this.changedNow.length && !first; i++) {
      const moved = maxP[i] > strong || countP[i] >= 3;
      const departed = maxR[i] > strong || countR[i] >= 3;
      // A change from the previous frame, or a first departure from the reference (a
      // slow fade), counts as the tile changing now.
      this.changedNow[i] = moved || (departed && !this.dirty[i]) ? 1 : 0;
    }
    if (first) {
      this.dirty.fill(1);
      this.dirtySince.fill(n);
      this.lastChange.fill(n);
      this.burstStart.fill(n);
    } else {
      for (let i = 0; i < this.changedNow.length; i++) {
        // The cells a dirty tile's changes touched, kept for the box a sprite is masked with.
        if (this.dirty[i]) this.growCells(i);
        if (!this.changedNow[i]) continue;
        if (n - this.lastChange[i] > this.options.burstGap) this.burstStart[i] = n;
        this.lastChange[i] = n;
        if (!this.dirty[i]) {
          this.dirty[i] = 1;
          this.dirtySince[i] = n;
          this.dirtyCells.set(this.frameCells.subarray(i * 4, i * 4 + 4), i * 4);
        }
        const list = this.watchers[i];
        if (list) {
          for (const [w, k] of list) if (w.nextChange[k] < 0) w.nextChange[k] = n;
          this.watchers[i] = undefined;
        }
      }
    }
    return this.settle(n, cells, stride, last);
  }

  private growCells(i: number) {
    const k = i * 4;
    const f = this.frameCells;
    const d = this.dirtyCells;
    // A tile dirty since the first frame has no cells of its own yet (nothing was read
    // there): it stays unknown, masked as a whole tile. (Growing it from its -1 start made
    // a box reach the frame's corner from wherever such tiles were.)
    if (f[k + 2] < 0 || d[k + 2] < 0) return;
    if (f[k] < d[k]) d[k] = f[k];
    if (f[k + 1] < d[k + 1]) d[k + 1] = f[k + 1];
    if (f[k + 2] > d[k + 2]) d[k + 2] = f[k + 2];
    if (f[k + 3] > d[k + 3]) d[k + 3] = f[k + 3];
  }

  /**
   * The box a changing region is masked with: its whole tiles, or for a sprite (a few
   * tiles) only the cells that differed from what was read while it was dirty. Cells that
   * never differed showed what the reads read (and their masks cover) all along.
   */
  private changingBox(c: { rect: TileRect; tiles: number[] }): Box {
    if (c.tiles.length > this.sprite) return this.tileBox(c.rect);
    let x0 = 0x7fff;
    let y0 = 0x7fff;
    let x1 = -1;
    let y1 = -1;
    for (const i of c.tiles) {
      const k = i * 4;
      if (this.dirtyCells[k + 2] < 0) return this.tileBox(c.rect);
      x0 = Math.min(x0, this.dirtyCells[k]);
      y0 = Math.min(y0, this.dirtyCells[k + 1]);
      x1 = Math.max(x1, this.dirtyCells[k + 2]);
      y1 = Math.max(y1, this.dirtyCells[k + 3]);
    }
    const x = x0 * CELL;
    const y = y0 * CELL;
    return { x, y, w: Math.min(this.options.width, (x1 + 1) * CELL) - x, h: Math.min(this.options.height, (y1 + 1) * CELL) - y };
  }

  /** Spans still changing when the video ends: masked to its last frame. */
  finish(lastFrame: number): ChangingSpan[] {
    return this.components((i) => this.dirty[i] === 1).map((c) => ({ from: c.since, to: lastFrame, box: this.changingBox(c) }));
  }

  /**
   * Dirty tiles that are back to exactly what was last read, behind a small moving thing
   * (a pointer, a caret, a tooltip that passed over them and left), are released at once:
   * their earlier reads are reused, with no new OCR, and they were masked whole only while
   * they differed. So a pointer crossing the screen leaves no trail of dirty tiles merging
   * into one screen-size region. Only behind a sprite: in a region where more tiles still
   * differ than a sprite keeps dirty (a scroll, a page change) nothing leaves early, so a
   * scroll is still measured and read whole.
   */
  private restored(n: number): number[] {
    // Back by the same noise-robust test that decides a tile changed: no more than two cells
    // off the reference, none by more than 4x the threshold (an encoder takes a few frames to
    // clear the ghost of a pointer that moved on).
    const back = (i: number) => !this.changedNow[i] && n > this.lastChange[i] && this.lastRead[i] !== undefined && this.nearReference(i);
    const out: number[] = [];
    for (const c of this.components((i) => this.dirty[i] === 1)) {
      const returned = c.tiles.filter(back);
      if (returned.length && c.tiles.length - returned.length <= this.sprite) out.push(...returned);
    }
    return out;
  }

  /**
   * Dirty regions whose every tile has been still for `settleFrames` are read now. A region
   * with any tile still changing (a scroll, a moving pointer) waits whole, so a scroll is
   * read once when it stops, not in pieces; tiles back to what was read leave it first
   * (see restored). Regions read on the same frame whose bands of lines overlap are read
   * together.
   */
  private settle(n: number, cells: Uint8Array, stride: number, last: boolean): { reads: ReadRequest[]; changing: ChangingSpan[] } {
    const still = (i: number) => last || n - this.lastChange[i] >= this.options.settleFrames;
    const back = new Set(this.restored(n));
    const found = this.components((i) => back.has(i));
    for (const c of this.components((i) => this.dirty[i] === 1 && !back.has(i))) {
      const moving = c.tiles.filter((i) => !still(i));
      if (!moving.length) found.push(c);
      // A sprite still moving inside a region that changed (a pointer over a page that just
      // loaded): the still part is read now; only the sprite's tiles wait.
      else if (moving.length <= this.sprite && moving.length < c.tiles.length) {
        const waiting = new Set(moving);
        const stillPart = new Set(c.tiles.filter((i) => !waiting.has(i)));
        found.push(...this.components((i) => stillPart.has(i)));
      }
    }
    // From its last change on, a region shows what is read now: the detections cover that.
    // Masked whole are only the frames before, when it showed something in between.
    const changing: Array<ChangingSpan & { tiles: number[] }> = [];
    for (const c of found) {
      // Only tiles that changed again after they first did went through states in between;
      // a tile that changed once shows from then on what is read now.
      const between = c.tiles.filter((i) => this.lastChange[i] > this.dirtySince[i]);
      if (!between.length) continue;
      // Each group of neighbouring tiles that went through states in between at overlapping
      // times is masked over its own frames: a pointer's trail across a header early on and
      // a counter that ticked until now are two masks, not one box over both for all of it.
      for (const group of this.overlapping(between)) {
        const settledAt = Math.max(...group.map((i) => this.lastChange[i]));
        const from = Math.min(...group.map((i) => this.dirtySince[i]));
        changing.push({ from, to: settledAt, box: this.changingBox({ rect: this.rectOf(group), tiles: group }), tiles: c.tiles });
      }
    }
    // Bands: the rows of tiles of each region, two tiles more above and below (the reader
    // trims them to rows without ink, so no line is cut).
    const bands = found
      .map((c) => ({ c, ty0: Math.max(0, c.rect.ty0 - 2), ty1: Math.min(this.tilesY - 1, c.rect.ty1 + 2) }))
      .sort((a, b) => a.ty0 - b.ty0);
    const groups: Array<{ ty0: number; ty1: number; tiles: number[] }> = [];
    for (const b of bands) {
      const last = groups[groups.length - 1];
      if (last && b.ty0 <= last.ty1 + 1) {
        last.ty1 = Math.max(last.ty1, b.ty1);
        last.tiles.push(...b.c.tiles);
      } else {
        groups.push({ ty0: b.ty0, ty1: b.ty1, tiles: [...b.c.tiles] });
      }
    }
    // A wide region that changed wholesale (a terminal's lines moving up, a sheet scrolled
    // sideways, a page switched) showed, up to its first change, what the last read of it
    // saw: what is read now came with that change, so its tiles' burst starts again there,
    // for this read and the ones after it. Small changes keep their burst's start: a value
    // typed key by key showed its first characters to reads that could not yet tell it
    // was one. (A value's tiles that did not change keep their burst's start too.)
    for (const c of found) {
      if (c.tiles.length < this.wideTiles) continue;
      for (const t of c.tiles) this.burstStart[t] = Math.max(this.burstStart[t], this.dirtySince[t]);
    }
    const reads = groups.map((g) => this.read(n, g.ty0, g.ty1, g.tiles, cells, stride));
    const readOf = new Map<number, ReadRequest>();
    groups.forEach((g, i) => g.tiles.forEach((t) => readOf.set(t, reads[i])));
    return { reads, changing: changing.map(({ tiles, ...span }) => ({ ...span, read: readOf.get(tiles[0]) })) };
  }

  /** Registers a read of tile rows ty0..ty1 (the full width) on frame `n` and accepts the content of `settled`. */
  private read(n: number, ty0: number, ty1: number, settled: number[], cells: Uint8Array, stride: number): ReadRequest {
    const rect: TileRect = { tx0: 0, ty0, tx1: this.tilesX - 1, ty1 };
    const window = new ReadWindow(rect, n);
    for (let ty = ty0; ty <= ty1; ty++) {
      for (let tx = 0; tx < this.tilesX; tx++) {
        const tile = ty * this.tilesX + tx;
        const k = window.index(tx, ty);
        window.burstStart[k] = this.burstStart[tile];
        window.inked[k] = this.tileHasInk(tx, ty, cells, stride) ? 1 : 0;
        (this.watchers[tile] ??= []).push([window, k]);
      }
    }
    // Back to what was read before, in every tile that changed, and every tile of the
    // band read before: reuse those reads. Or back, in every tile of the band, to what the
    // read before that saw (a pointer rested on a line, was read with it, and moved on).
    const reuse = settled.every((tile) => this.nearReference(tile))
      ? this.reusable(ty0, ty1, (tile) => this.lastRead[tile])
      : this.reusable(ty0, ty1, (tile) => this.olderRead[tile], (tile) => this.nearOlder(tile));
    const settledNow = new Set(settled);
    for (let ty = ty0; ty <= ty1; ty++) {
      for (let tx = 0; tx < this.tilesX; tx++) {
        const tile = ty * this.tilesX + tx;
        this.olderRead[tile] = this.readSettled[tile] ? this.lastRead[tile] : undefined;
        this.readSettled[tile] = !this.dirty[tile] || settledNow.has(tile) ? 1 : 0;
        this.copyTile(this.ref, this.olderRef, tx, ty);
      }
    }
    for (const tile of settled) {
      this.dirty[tile] = 0;
      this.copyTile(this.prev, this.ref, tile % this.tilesX, Math.floor(tile / this.tilesX));
    }
    const request: ReadRequest = {
      frame: n,
      tiles: rect,
      box: this.tileBox(rect),
      window,
      ...(reuse
        ? { reuse: [...new Set(reuse.map((p) => p.source))], reuseParts: reuse.map((p) => ({ source: p.source, box: this.tileBox({ tx0: 0, ty0: p.ty0, tx1: this.tilesX - 1, ty1: p.ty1 }) })) }
        : {}),
    };
    for (let ty = ty0; ty <= ty1; ty++) for (let tx = 0; tx < this.tilesX; tx++) this.lastRead[ty * this.tilesX + tx] = request;
    return request;
  }

  /**
   * The reads that stand for rows ty0..ty1 as they are now, each with its rows, when every
   * row has one (`readOf` gives the same read for all its tiles) and every tile passes
   * `shows` (by default: none needs checking); undefined otherwise.
   */
  private reusable(
    ty0: number,
    ty1: number,
    readOf: (tile: number) => ReadRequest | undefined,
    shows: (tile: number) => boolean = () => true,
  ): Array<{ source: ReadRequest; ty0: number; ty1: number }> | undefined {
    const parts: Array<{ source: ReadRequest; ty0: number; ty1: number }> = [];
    for (let ty = ty0; ty <= ty1; ty++) {
      // A band's rows are read across the full width, so one read stands for a whole row.
      const source = readOf(ty * this.tilesX);
      if (!source) return undefined;
      for (let tx = 0; tx < this.tilesX; tx++) {
        const tile = ty * this.tilesX + tx;
        if (readOf(tile) !== source || !shows(tile)) return undefined;
      }
      const prev = parts[parts.length - 1];
      if (prev && prev.source === source && prev.ty1 === ty - 1) prev.ty1 = ty;
      else parts.push({ source, ty0: ty, ty1: ty });
    }
    return parts;
  }

  /** Whether a tile shows, on the current frame, what the read before its last one saw (the test of nearReference). */
  private nearOlder(tile: number): boolean {
    const t = this.options.threshold;
    const tx = tile % this.tilesX;
    const ty = (tile - tx) / this.tilesX;
    let count = 0;
    for (let cy = ty * TILE_CELLS; cy < Math.min(this.rows, (ty + 1) * TILE_CELLS); cy++) {
      const row = cy * this.cols;
      for (let cx = tx * TILE_CELLS; cx < Math.min(this.cols, (tx + 1) * TILE_CELLS); cx++) {
        const d = Math.abs(this.prev[row + cx] - this.olderRef[row + cx]);
        if (d > 4 * t) return false;
        if (d > t && ++count >= 3) return false;
      }
    }
    return true;
  }

  /**
   * Whether a tile shows, on the current frame, what was last read: by the noise-robust
   * test that decides a tile changed (no more than two cells off the reference, none by
   * more than 4x the threshold), since an encoder takes a few frames to clear the ghost of
   * a pointer that moved on.
   */
  private nearReference(tile: number): boolean {
    return this.countR[tile] < 3 && this.maxR[tile] <= 4 * this.options.threshold;
  }

  /** Copies tile (tx, ty)'s cells from `from` to `to` (accepting the current frame as the reference: prev to ref). */
  private copyTile(from: Uint8Array, to: Uint8Array, tx: number, ty: number) {
    for (let cy = ty * TILE_CELLS; cy < Math.min(this.rows, (ty + 1) * TILE_CELLS); cy++) {
      const row = cy * this.cols;
      const x0 = row + tx * TILE_CELLS;
      to.set(from.subarray(x0, row + Math.min(this.cols, (tx + 1) * TILE_CELLS)), x0);
    }
  }

  private tileHasInk(tx: number, ty: number, cells: Uint8Array, stride: number): boolean {
    let lo = 255;
    let hi = 0;
    for (let cy = ty * TILE_CELLS; cy < Math.min(this.rows, (ty + 1) * TILE_CELLS); cy++) {
      for (let cx = tx * TILE_CELLS; cx < Math.min(this.cols, (tx + 1) * TILE_CELLS); cx++) {
        const v = cells[cy * stride + cx];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    return hi - lo >= 12;
  }

  /** Connected groups (8-neighbours) of tiles for which `member` holds. */
  private components(member: (i: number) => boolean): Array<{ rect: TileRect; since: number; tiles: number[] }> {
    const { tilesX, tilesY } = this;
    const seen = new Uint8Array(tilesX * tilesY);
    const out: Array<{ rect: TileRect; since: number; tiles: number[] }> = [];
    for (let start = 0; start < seen.length; start++) {
      if (seen[start] || !member(start)) continue;
      const stack = [start];
      seen[start] = 1;
      const rect = { tx0: tilesX, ty0: tilesY, tx1: -1, ty1: -1 };
      let since = Infinity;
      const tiles: number[] = [];
      while (stack.length) {
        const i = stack.pop()!;
        tiles.push(i);
        const tx = i % tilesX;
        const ty = (i - tx) / tilesX;
        rect.tx0 = Math.min(rect.tx0, tx);
        rect.ty0 = Math.min(rect.ty0, ty);
        rect.tx1 = Math.max(rect.tx1, tx);
        rect.ty1 = Math.max(rect.ty1, ty);
        since = Math.min(since, this.dirtySince[i]);
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const x = tx + dx;
            const y = ty + dy;
            if (x < 0 || y < 0 || x >= tilesX || y >= tilesY) continue;
            const j = y * tilesX + x;
            if (!seen[j] && member(j)) {
              seen[j] = 1;
              stack.push(j);
            }
          }
        }
      }
      out.push({ rect, since, tiles });
    }
    return out;
  }

  /** `tiles` in groups: tiles up to two apart (a blank tile between them joins them) whose frames dirty, dirtySince..lastChange, overlap. */
  private overlapping(tiles: readonly number[]): number[][] {
    const { tilesX } = this;
    const parent = new Map<number, number>(tiles.map((i) => [i, i]));
    const find = (i: number): number => {
      let r = i;
      while (parent.get(r) !== r) r = parent.get(r)!;
      parent.set(i, r);
      return r;
    };
    const overlap = (a: number, b: number) => this.dirtySince[a] <= this.lastChange[b] && this.dirtySince[b] <= this.lastChange[a];
    for (const i of tiles) {
      const tx = i % tilesX;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          if (tx + dx < 0 || tx + dx >= tilesX) continue;
          const j = i + dy * tilesX + dx;
          if (j !== i && parent.has(j) && overlap(i, j)) parent.set(find(i), find(j));
        }
      }
    }
    const groups = new Map<number, number[]>();
    for (const i of tiles) (groups.get(find(i)) ?? groups.set(find(i), []).get(find(i))!).push(i);
    return [...groups.values()];
  }

  rectOf(tiles: readonly number[]): TileRect {
    const rect = { tx0: this.tilesX, ty0: this.tilesY, tx1: -1, ty1: -1 };
    for (const i of tiles) {
      const tx = i % this.tilesX;
      const ty = (i - tx) / this.tilesX;
      rect.tx0 = Math.min(rect.tx0, tx);
      rect.ty0 = Math.min(rect.ty0, ty);
      rect.tx1 = Math.max(rect.tx1, tx);
      rect.ty1 = Math.max(rect.ty1, ty);
    }
    return rect;
  }

  tileBox(rect: TileRect): Box {
    const x = rect.tx0 * TILE;
    const y = rect.ty0 * TILE;
    return {
      x,
      y,
      w: Math.min(this.options.width, (rect.tx1 + 1) * TILE) - x,
      h: Math.min(this.options.height, (rect.ty1 + 1) * TILE) - y,
    };
  }
}
