/**
 * Scrolling (pure): how far the content of a region moved up or down on each frame, or
 * sideways: a region that did not move vertically is decoded at full width and a quarter of
 * the height, transposed, and followed the same way (a sheet scrolled sideways, a panel
 * dragged across).
 *
 * The change tracker's cells (means of 4x4 pixels) cannot measure a move of a pixel or
 * two: a cell of the moved content is not a mix of the cells it came from. So a region
 * that changed over several frames is decoded again over the frames it moved, at full height and a
 * quarter of the width (each value the mean of 4 pixels of one row), and there a vertical
 * move of any whole number of pixels is exact: row y of the frame is row y + s of the
 * content before.
 *
 * Each frame is compared with an anchor frame (the last one before the region changed,
 * which shows what was read, or a later one once the content has moved far from it).
 * Candidate moves come from matching row profiles (cheap, fooled by rows that look alike)
 * and from the move predicted by the last frames; the best on the values themselves wins.
 * It is accepted only if, applied to the anchor, it explains the frame: no tile of the
 * region differs by the tracker's own measure. Tiles it does not explain (a scrollbar
 * thumb, a header cut by the region's edge) are reported, to be masked whole on those
 * frames; rows that came in from outside the region have nothing to be compared with and
 * are new content, which the masks of unread content cover.
 */
import type { Box } from '../pii/types.js';

/** Pixels of a tile side; a tile is 4 values wide and 16 rows high here. */
const TILE_PX = 16;
const VALUE_PX = 4;
/** Content moved this far from its anchor frame is compared with a newer one. */
const REANCHOR_PX = 64;
/** Unexplained tiles of a row this few frames and tiles apart are masked as one band. */
const BAND_GAP_FRAMES = 15;
const BAND_GAP_TILES = 2;
/** Rows of a tile that may differ from the moved anchor and leave it explained (see testShift). */
const NOISE_ROWS = 3;
/** How far around the predicted move a frame is searched. */
const SEARCH_PX = 160;

export interface MotionEpisode {
  /**
   * 'x': the content moved sideways, and offsets are pixels it moved left (negative:
   * right). Absent: it moved up or down. A sideways motion is measured and planned as the
   * vertical one of the transposed region (see transposed).
   */
  axis?: 'x';
  /** First frame the region changed, and the frame it stood still again. */
  since: number;
  until: number;
  /** Pixels the content had moved up on frames since..until (negative: down). */
  offsets: number[];
  /** The region, in frame pixels (whole tiles). */
  box: Box;
  /** Tiles the motion did not explain, with the frames they were not: masked whole. */
  unexplained: Array<{ from: number; to: number; box: Box }>;
  /** Grey level around the region. */
  fill: number;
  /** The region stood still and was read at `until`; false when the video ended first. */
  settled: boolean;
  /** Frames read while it moved (chosen by the analysis). */
  readsAt?: number[];
  /** Per frame since..until, the share of the region's tiles the motion did not explain. */
  unexplainedByFrame?: number[];
  /** Whether the region's first and last rows (columns when sideways) are the frame's border. */
  borders?: { start: boolean; end: boolean };
  /**
   * How far apart, across the motion, the content stood over the episode (a sheet moved
   * sideways and a little down): measured and compensated while it was followed, and the
   * masks carried along it are that much wider on each side.
   */
  crossPx?: number;
}

/** The box with x and y swapped. */
export const transposeBox = (b: Box): Box => ({ x: b.y, y: b.x, w: b.h, h: b.w });

/**
 * A sideways episode as the vertical one of the transposed region, and back (the swap is
 * its own inverse): whatever follows vertical motion follows sideways motion through it.
 */
export function transposed(e: MotionEpisode): MotionEpisode {
  const { axis, ...rest } = e;
  const swapped = { ...rest, box: transposeBox(e.box), unexplained: e.unexplained.map((u) => ({ ...u, box: transposeBox(u.box) })) };
  return axis === 'x' ? swapped : { ...swapped, axis: 'x' };
}

/** An episode as a vertical one: itself, or its transposition when it moved sideways. */
export const vertical = (e: MotionEpisode): MotionEpisode => (e.axis === 'x' ? transposed(e) : e);

/** `values` (`width` x `height`, row after row) with rows and columns swapped. */
export function transposeValues(values: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) out[x * height + y] = values[row + x];
  }
  return out;
}

/** Horizontal gradient energy of each row over a span of columns. */
export function rowProfile(values: Uint8Array, width: number, height: number): Float64Array {
  const out = new Float64Array(height);
  for (let y = 0; y < height; y++) {
    let s = 0;
    const row = y * width;
    for (let x = 0; x < width - 1; x++) {
      const d = values[row + x + 1] - values[row + x];
      s += d < 0 ? -d : d;
    }
    out[y] = s;
  }
  return out;
}

export interface ShiftEstimate {
  /** How far the content moved up since the anchor, in pixels (negative: down). */
  px: number;
  /** Tiles (index: row * tiles a row + column) the moved anchor does not explain. */
  badTiles: number[];
  ok: boolean;
}

/** Rows y of the frame whose source row y + s lies inside the region. */
const overlapOf = (height: number, s: number): [number, number] => [Math.max(0, -s), Math.min(height - 1, height - 1 - s)];

function residual(anchor: Uint8Array, cur: Uint8Array, width: number, height: number, s: number, step: number): number {
  const [lo, hi] = overlapOf(height, s);
  let sum = 0;
  let n = 0;
  for (let y = lo; y <= hi; y += step) {
    const a = (y + s) * width;
    const c = y * width;
    for (let x = 0; x < width; x += step) {
      const d = cur[c + x] - anchor[a + x];
      sum += d < 0 ? -d : d;
      n++;
    }
  }
  return n ? sum / n : Infinity;
}

/**
 * The move of `cur` against `anchor` (both `width` values x `height` rows), searched
 * around `predictedPx`, then over every move the region allows when nothing near the
 * prediction explains the frame (a fling at a low frame rate jumps hundreds of pixels a
 * frame). `threshold` is the tracker's change threshold; `subpixel`: see testShift.
 */
export function estimateShift(
  anchor: Uint8Array,
  cur: Uint8Array,
  width: number,
  height: number,
  predictedPx: number,
  threshold: number,
  subpixel = false,
): ShiftEstimate {
  const minOverlap = Math.max(TILE_PX, Math.ceil(height / 2));
  const maxS = height - minOverlap;
  const predicted = Math.round(predictedPx);
  // While a scroll runs steadily the predicted move is exact: nothing else needs a look.
  const quick = Math.abs(predicted) <= maxS ? residual(anchor, cur, width, height, predicted, 2) : Infinity;
  if (quick <= threshold / 4) return testShift(anchor, cur, width, height, predicted, threshold, subpixel);
  const pc = rowProfile(cur, width, height);
  const pa = rowProfile(anchor, width, height);
  const tried = new Set<number>();
  const search = (lo: number, hi: number, extra: number[]): ShiftEstimate | undefined => {
    const scored: Array<[number, number]> = [];
    for (let s = Math.max(-maxS, lo); s <= Math.min(maxS, hi); s++) {
      const [y0, y1] = overlapOf(height, s);
      let sum = 0;
      let energy = 0;
      for (let y = y0; y <= y1; y++) {
        sum += Math.abs(pc[y] - pa[y + s]);
        energy += pc[y];
      }
      // A move that only lines up blank rows says nothing.
      if (energy > 0) scored.push([s, sum / (y1 - y0 + 1)]);
    }
    scored.sort((a, b) => a[1] - b[1]);
    const candidates = new Set<number>(scored.slice(0, 12).map(([s]) => s));
    for (const c of extra) for (let s = c - 3; s <= c + 3; s++) candidates.add(s);
    let best = { s: predicted, score: tried.has(predicted) ? Infinity : quick };
    tried.add(predicted);
    for (const s of candidates) {
      if (Math.abs(s) > maxS || tried.has(s)) continue;
      tried.add(s);
      const score = residual(anchor, cur, width, height, s, 2);
      if (score < best.score) best = { s, score };
    }
    return Number.isFinite(best.score) ? testShift(anchor, cur, width, height, best.s, threshold, subpixel) : undefined;
  };
  const near = search(predicted - SEARCH_PX, predicted + SEARCH_PX, [predicted, 0]);
  const tiles = Math.ceil(width / (TILE_PX / VALUE_PX)) * Math.ceil(height / TILE_PX);
  if (near?.ok && near.badTiles.length <= tiles / 8) return near;
  const far = search(-maxS, maxS, []);
  if (far?.ok && (!near || far.badTiles.length < near.badTiles.length)) return far;
  return near ?? far ?? { px: 0, badTiles: [], ok: false };
}

/**
 * The test, on every value: tiles the anchor moved by `s` does not explain. With
 * `subpixel`, a value is explained by any blend of the anchor's rows s-1..s+1: content
 * moved by a fraction of a pixel is drawn again, not copied (a browser places glyphs at
 * fractions of a pixel across a line, so text moved sideways by 49.3 px matches no whole
 * move exactly: one value in twelve differed by more than the threshold, one in a hundred
 * from every blend).
 */
function testShift(anchor: Uint8Array, cur: Uint8Array, width: number, height: number, s: number, threshold: number, subpixel = false): ShiftEstimate {
  const tilesX = Math.ceil(width / (TILE_PX / VALUE_PX));
  const tilesY = Math.ceil(height / TILE_PX);
  const [y0, y1] = overlapOf(height, s);
  const count = new Uint16Array(tilesX * tilesY);
  const max = new Uint8Array(tilesX * tilesY);
  const rows = new Uint16Array(tilesX * tilesY);
  // Drawn again, moved text also comes out of the encoder a little differently (values off
  // by 10 to 20 in a row of four), where a glyph that changed is off by 25 and more.
  const limit = subpixel ? 2 * threshold : threshold;
  /** How far value x of row y lies from what the anchor's row y + by explains. */
  const off = (y: number, x: number, by: number) => {
    const c = cur[y * width + x];
    const a = anchor[(y + by) * width + x];
    if (!subpixel) return c > a ? c - a : a - c;
    let lo = a;
    let hi = a;
    if (y + by > 0) {
      const b = anchor[(y + by - 1) * width + x];
      if (b < lo) lo = b;
      if (b > hi) hi = b;
    }
    if (y + by < height - 1) {
      const b = anchor[(y + by + 1) * width + x];
      if (b < lo) lo = b;
      if (b > hi) hi = b;
    }
    return c < lo ? lo - c : c > hi ? c - hi : 0;
  };
  for (let y = y0; y <= y1; y++) {
    const ty = Math.floor(y / TILE_PX) * tilesX;
    for (let x = 0; x < width; x++) {
      const tile = ty + Math.floor((x * VALUE_PX) / TILE_PX);
      if (x % (TILE_PX / VALUE_PX) === 0) rows[tile]++;
      const d = off(y, x, s);
      if (d > limit) count[tile]++;
      if (d > max[tile]) max[tile] = d;
    }
  }
  const perTile = TILE_PX / VALUE_PX;
  /** Row y of the tile's columns x0.. matches the anchor's row y + by, value for value. */
  const rowMatches = (y: number, x0: number, by: number) => {
    if (y + by < 0 || y + by >= height) return false;
    for (let x = x0; x < Math.min(width, x0 + perTile); x++) {
      if (off(y, x, by) > limit) return false;
    }
    return true;
  };
  const badTiles: number[] = [];
  for (let t = 0; t < count.length; t++) {
    // Tiles mostly made of rows that came in have too little to judge: new content.
    if (rows[t] < TILE_PX / 2 || (count[t] < 4 && max[t] <= 4 * threshold)) continue;
    // A tile across the region's edge: its rows outside stood still, its rows inside moved.
    // Row by row, each explained by one or the other, it is explained.
    const tx = t % tilesX;
    const ty = (t - tx) / tilesX;
    // A few rows off are the codec's, not the content's: fast-moving text comes out of an
    // encoder with ringing on single rows, while content that changed in place (a digit, a
    // cell) differs over most of its line's rows.
    let failed = 0;
    for (let y = ty * TILE_PX; y < Math.min(height, (ty + 1) * TILE_PX) && failed <= NOISE_ROWS; y++) {
      if (!rowMatches(y, tx * perTile, s) && !rowMatches(y, tx * perTile, 0)) failed++;
    }
    if (failed > NOISE_ROWS) badTiles.push(t);
  }
  // Unexplained tiles are masked whole, so following the motion stays safe whatever their
  // number; past half of the region it is not a scroll worth following.
  return { px: s, badTiles, ok: badTiles.length <= Math.max(2, Math.floor((tilesX * tilesY) / 2)) };
}

/** Content dimmed below this share of its contrast is too faint to vouch for what it shows. */
const MIN_DIM_GAIN = 0.2;

export interface Dimming {
  /** cur ≈ gain * anchor + offset over the region (see fitDimming). */
  gain: number;
  offset: number;
}

/** A tile's values must spread this far (standard deviation) for its own fit to count. */
const MIN_TILE_SPREAD = 8;

/**
 * How `cur` (`width` values x `height` rows) is `anchor` dimmed or brightened as a whole:
 * a modal's backdrop fading in or out over the page, every value mixed with one colour.
 * Each tile with ink fits its own gain and offset by least squares; the median of them is
 * the backdrop's, as long as most tiles with ink are under it (the card fading in on it,
 * a cluster of tiles of one colour, would pull a fit over the whole region off).
 * Undefined when the frame is not such a dimming of the anchor.
 */
export function fitDimming(anchor: Uint8Array, cur: Uint8Array, width: number, height: number, threshold: number): Dimming | undefined {
  const perTile = TILE_PX / VALUE_PX;
  const gains: number[] = [];
  const offsets: number[] = [];
  let lo = 255;
  let hi = 0;
  for (let ty = 0; ty < height; ty += TILE_PX) {
    for (let tx = 0; tx < width; tx += perTile) {
      let n = 0;
      let sa = 0;
      let sc = 0;
      let saa = 0;
      let sac = 0;
      for (let y = ty; y < Math.min(height, ty + TILE_PX); y++) {
        for (let x = tx; x < Math.min(width, tx + perTile); x++) {
          const a = anchor[y * width + x];
          const c = cur[y * width + x];
          n++;
          sa += a;
          sc += c;
          saa += a * a;
          sac += a * c;
          if (a < lo) lo = a;
          if (a > hi) hi = a;
        }
      }
      const va = saa - (sa * sa) / n;
      if (va < n * MIN_TILE_SPREAD * MIN_TILE_SPREAD) continue;
      const gain = (sac - (sa * sc) / n) / va;
      gains.push(gain);
      offsets.push((sc - gain * sa) / n);
    }
  }
  // Too few tiles with ink to tell a dimming from a change.
  if (gains.length < 8) return undefined;
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const gain = median(gains);
  if (gain < MIN_DIM_GAIN) return undefined;
  // Most tiles with ink dimmed alike, or it is no dimming; the offset is theirs.
  const near = offsets.filter((_, i) => Math.abs(gains[i] - gain) <= 0.05);
  if (near.length < gains.length / 2) return undefined;
  const offset = median(near);
  // A dimming that moves no value of the anchor by half the threshold is none: the frame
  // is what the anchor showed, or it changed.
  return Math.max(Math.abs((gain - 1) * lo + offset), Math.abs((gain - 1) * hi + offset)) < threshold / 2 ? undefined : { gain, offset };
}

/** `anchor` as the dimming shows it. */
function dimmed(anchor: Uint8Array, d: Dimming): Uint8Array {
  const out = new Uint8Array(anchor.length);
  for (let i = 0; i < anchor.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(d.gain * anchor[i] + d.offset)));
  return out;
}

/**
 * A frame that is the anchor dimmed as a whole (see fitDimming), tested like a move of 0
 * on the dimmed anchor: the tiles it does not explain (the card fading in over the
 * backdrop) are reported as a move's are. Undefined when the frame is no dimming.
 */
export function estimateDimming(anchor: Uint8Array, cur: Uint8Array, width: number, height: number, threshold: number): ShiftEstimate | undefined {
  const d = fitDimming(anchor, cur, width, height, threshold);
  return d && testShift(dimmed(anchor, d), cur, width, height, 0, threshold);
}

/**
 * Follows one region over consecutive frames: `start` is the frame before it began to
 * change (the anchor), then push each frame from `since` on. A frame is explained by a
 * move of its content or, where no move explains it as well, by a dimming of the anchor in
 * place (a modal's backdrop fading in or out).
 */
export class MotionFollower {
  readonly offsets: number[] = [];
  readonly badShare: number[] = [];
  ok = true;
  /** Frames explained as the anchor dimmed in place. */
  dimmedFrames = 0;
  private anchor: Uint8Array;
  private anchorOffset = 0;
  private readonly tiles: number;
  private readonly bad = new Map<number, Array<[number, number]>>();

  constructor(
    readonly box: Box,
    readonly since: number,
    readonly threshold: number,
    start: Uint8Array,
    /** Moves may be by fractions of a pixel (see testShift): sideways motion of text. */
    readonly subpixel = false,
  ) {
    this.anchor = Uint8Array.from(start);
    this.tiles = Math.ceil(this.width / (TILE_PX / VALUE_PX)) * Math.ceil(box.h / TILE_PX);
  }

  get width() {
    return this.box.w / VALUE_PX;
  }

  push(n: number, cur: Uint8Array): boolean {
    if (!this.ok) return false;
    const len = this.offsets.length;
    const last = len ? this.offsets[len - 1] : 0;
    const velocity = len >= 2 ? last - this.offsets[len - 2] : 0;
    let estimate = estimateShift(this.anchor, cur, this.width, this.box.h, last + velocity - this.anchorOffset, this.threshold, this.subpixel);
    // Dimmed in place: only while the content stands where the anchor showed it.
    if ((!estimate.ok || (estimate.px === 0 && estimate.badTiles.length > 0)) && last === this.anchorOffset) {
      const dim = estimateDimming(this.anchor, cur, this.width, this.box.h, this.threshold);
      if (dim?.ok && (!estimate.ok || dim.badTiles.length < estimate.badTiles.length)) {
        estimate = dim;
        this.dimmedFrames++;
      }
    }
    if (!estimate.ok) {
      this.ok = false;
      return false;
    }
    const offset = this.anchorOffset + estimate.px;
    this.offsets.push(offset);
    this.badShare.push(estimate.badTiles.length / this.tiles);
    for (const tile of estimate.badTiles) {
      const ranges = this.bad.get(tile) ?? this.bad.set(tile, []).get(tile)!;
      const r = ranges[ranges.length - 1];
      if (r && r[1] === n - 1) r[1] = n;
      else ranges.push([n, n]);
    }
    if (Math.abs(estimate.px) >= REANCHOR_PX) {
      this.anchor = Uint8Array.from(cur);
      this.anchorOffset = offset;
    }
    return true;
  }

  /** The episode, if the region was followed on every frame and its content did move or dim. */
  episode(until: number, fill: number, settled: boolean): MotionEpisode | undefined {
    if (!this.ok || this.offsets.length !== until - this.since + 1) return undefined;
    if (this.offsets.every((o) => o === 0) && this.dimmedFrames === 0) return undefined;
    // Per row of tiles, unexplained tiles close in time become one band over them: the
    // edge where content slides under a header is one mask, not one per tile and frame.
    const tilesX = Math.ceil(this.width / (TILE_PX / VALUE_PX));
    const byRow = new Map<number, Array<{ from: number; to: number; tx: number }>>();
    for (const [tile, ranges] of this.bad) {
      const tx = tile % tilesX;
      const ty = (tile - tx) / tilesX;
      const list = byRow.get(ty) ?? byRow.set(ty, []).get(ty)!;
      for (const [from, to] of ranges) list.push({ from, to, tx });
    }
    const unexplained: MotionEpisode['unexplained'] = [];
    for (const [ty, list] of byRow) {
      let band: { from: number; to: number; tx0: number; tx1: number } | undefined;
      const close = () => {
        if (!band) return;
        const x = this.box.x + band.tx0 * TILE_PX;
        const y = this.box.y + ty * TILE_PX;
        const w = Math.min(this.box.x + this.box.w, this.box.x + (band.tx1 + 1) * TILE_PX) - x;
        // One frame more: the change that was not explained may show on the next one too.
        unexplained.push({ from: band.from, to: Math.min(until, band.to + 1), box: { x, y, w, h: Math.min(TILE_PX, this.box.y + this.box.h - y) } });
        band = undefined;
      };
      // Along the row first: tiles more than BAND_GAP_TILES apart (encoder noise scattered
      // over fast-moving text) are masks of their own, not one band across the region.
      list.sort((a, b) => a.tx - b.tx);
      const groups: Array<typeof list> = [];
      let reach = -Infinity;
      for (const e of list) {
        if (e.tx > reach + BAND_GAP_TILES + 1) groups.push([]);
        groups[groups.length - 1].push(e);
        reach = Math.max(reach, e.tx);
      }
      for (const group of groups) {
        group.sort((a, b) => a.from - b.from);
        for (const e of group) {
          if (band && e.from <= band.to + BAND_GAP_FRAMES) {
            band.to = Math.max(band.to, e.to);
            band.tx0 = Math.min(band.tx0, e.tx);
            band.tx1 = Math.max(band.tx1, e.tx);
          } else {
            close();
            band = { from: e.from, to: e.to, tx0: e.tx, tx1: e.tx };
          }
        }
        close();
      }
    }
    return { since: this.since, until, offsets: [...this.offsets], box: this.box, unexplained, fill, settled, unexplainedByFrame: [...this.badShare] };
  }
}

/**
 * How far the content of `cur` moved down (negative: up) since the frame of `anchor`,
 * both row profiles (see rowProfile) of a region at full height, searched within `span`
 * of `around` and at most `maxPx` from 0: the move whose rows' ink matches best. The rows'
 * energy barely changes when content slides sideways, so this measures the drift across a
 * sideways motion; the tile test on the compensated frame is what vouches for it.
 */
export function estimateDrift(anchor: Float64Array, cur: Float64Array, around: number, span: number, maxPx: number): number {
  const height = anchor.length;
  let best = around;
  let bestScore = Infinity;
  for (let d = Math.max(-maxPx, around - span); d <= Math.min(maxPx, around + span); d++) {
    // Row y of the frame shows row y - d of the anchor.
    const y0 = Math.max(0, d);
    const y1 = Math.min(height, height + d);
    if (y1 - y0 < height / 2) continue;
    let sum = 0;
    for (let y = y0; y < y1; y++) sum += Math.abs(cur[y] - anchor[y - d]);
    const score = sum / (y1 - y0);
    if (score < bestScore || (score === bestScore && Math.abs(d) < Math.abs(best))) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

/**
 * A full-size frame (`width` x `height`) moved back up by `drift` rows (row y is the
 * frame's row y + drift; rows from beyond its edge repeat the edge row), then reduced to a
 * quarter of the height, each value the mean of 4 rows: as the sideways pass decodes it.
 */
export function undriftQuarter(frame: Uint8Array, width: number, height: number, drift: number): Uint8Array {
  const out = new Uint8Array(width * (height / 4));
  const row = (y: number) => Math.max(0, Math.min(height - 1, y + drift)) * width;
  for (let q = 0; q < height / 4; q++) {
    const r0 = row(4 * q);
    const r1 = row(4 * q + 1);
    const r2 = row(4 * q + 2);
    const r3 = row(4 * q + 3);
    const o = q * width;
    for (let x = 0; x < width; x++) out[o + x] = (frame[r0 + x] + frame[r1 + x] + frame[r2 + x] + frame[r3 + x] + 2) >> 2;
  }
  return out;
}
