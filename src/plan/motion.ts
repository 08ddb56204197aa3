/**
 * Masks that move with scrolled content (pure). Over a motion episode the content of a
 * region moved by known offsets: a box read before the motion is carried forward along
 * them, a box read when the region stood still again is carried back. What the region
 * showed that neither read saw (content that scrolled through, or lines cut by the
 * region's edges when it was read) is masked whole as it moves.
 *
 * A carried box is one piece per run of frames on which it is in the region, with its
 * vertical displacement on each frame (`path`): the render draws it where the content is
 * on every frame. Unread content is masked in segments over which it moves at most
 * `segmentPx`, each one still box covering every position in it.
 *
 * A sideways motion is planned as the vertical motion of the transposed region, and its
 * pieces transposed back (their `axis` says which way their path runs).
 */
import { transposeBox, vertical, type MotionEpisode } from '../pipeline/motion.js';
import type { Box } from '../pii/types.js';

export interface MovingPiece {
  from: number;
  to: number;
  /** Where it is on frame `from`. */
  box: Box;
  /** Pixels it is moved down on each frame from..to, relative to frame `from` (path[0] is 0). */
  path?: number[];
  /** 'x': the path moves it right, not down. */
  axis?: 'x';
}

/** A sideways piece as a vertical one, and back (a still box has no axis). */
function transposePiece<T extends MovingPiece>(piece: T): T {
  const { axis, ...rest } = piece;
  const box = transposeBox(piece.box);
  return (axis === 'x' || !piece.path ? { ...rest, box } : { ...rest, box, axis: 'x' }) as T;
}

/** `box` moved `d` pixels along the piece's path (down, or right when sideways). */
export function movedAlong(box: Box, axis: 'x' | undefined, d: number): Box {
  return axis === 'x' ? { ...box, x: box.x + d } : { ...box, y: box.y + d };
}

export interface CarryOptions {
  /** Largest move within one segment. */
  segmentPx: number;
  /** Added above and below each segment (the motion is measured to the pixel; this is slack). */
  marginPx: number;
}

/** The segment length for an episode: at most about six segments however far it moved. */
export function segmentPxFor(episode: MotionEpisode): number {
  const lo = Math.min(0, ...episode.offsets);
  const hi = Math.max(0, ...episode.offsets);
  return Math.max(16, Math.ceil((hi - lo) / 6));
}

/**
 * A box read on `frame` (before the episode, during it, or where it ended): where its
 * content was on each frame of the episode.
 */
export function carryFrom(box: Box, episode: MotionEpisode, frame: number, marginPx: number): MovingPiece[] {
  if (episode.axis === 'x') return carryFrom(transposeBox(box), vertical(episode), frame, marginPx).map(transposePiece);
  // Content that drifted across the motion: the box as wide again as it drifted, each side.
  const cross = episode.crossPx ?? 0;
  const k0 = Math.max(-1, Math.min(episode.offsets.length - 1, frame - episode.since));
  const base = k0 < 0 ? 0 : episode.offsets[k0];
  const top = episode.box.y;
  const bottom = episode.box.y + episode.box.h;
  const out: MovingPiece[] = [];
  let run: { from: number; y: number; path: number[] } | undefined;
  const close = () => {
    if (run) out.push({ from: run.from, to: run.from + run.path.length - 1, box: { x: box.x - cross, y: run.y - marginPx, w: box.w + 2 * cross, h: box.h + 2 * marginPx }, path: run.path });
    run = undefined;
  };
  for (let k = 0; k < episode.offsets.length; k++) {
    const y = box.y + base - episode.offsets[k];
    if (y + box.h <= top || y >= bottom) {
      close();
      continue;
    }
    if (!run) run = { from: episode.since + k, y, path: [] };
    run.path.push(y - run.y);
  }
  close();
  return out;
}

/**
 * A moving piece as still boxes, each covering every position over a stretch of frames in
 * which it moves at most `segmentPx` (for mask styles drawn from a crop of the frame).
 */
export function asSegments<T extends MovingPiece>(piece: T, segmentPx: number): T[] {
  if (!piece.path) return [piece];
  if (piece.axis === 'x') return asSegments(transposePiece(piece), segmentPx).map(transposePiece);
  const out: T[] = [];
  let start = 0;
  while (start < piece.path.length) {
    let lo = piece.path[start];
    let hi = lo;
    let end = start;
    while (end + 1 < piece.path.length) {
      const d = piece.path[end + 1];
      if (Math.max(hi, d) - Math.min(lo, d) > segmentPx) break;
      lo = Math.min(lo, d);
      hi = Math.max(hi, d);
      end++;
    }
    const { path: _path, ...rest } = piece;
    out.push({ ...rest, from: piece.from + start, to: piece.from + end, box: { ...piece.box, y: piece.box.y + lo, h: piece.box.h + hi - lo } } as T);
    start = end + 1;
  }
  return out;
}

/**
 * Lines within this many pixels of a region's edge may have been cut when it was read.
 * Across a line (sideways motion) a cut word or cell is wider than a line is high: three
 * times as far.
 */
export function edgePxFor(frameHeight: number, axis?: 'x'): number {
  return Math.max(24, Math.round(frameHeight / 27)) * (axis === 'x' ? 3 : 1);
}

/**
 * The content a region's reads saw, in the coordinates of its content at the start
 * (screen y + offset), less `edgePx` at each edge: before the motion, on the frames read
 * while it moved, and after it if the region stood still before the video ended.
 */
function readSpans(episode: MotionEpisode, edgePx: number): number[][] {
  return mergeSpans(readSpansEach(episode, edgePx));
}

function readSpansEach(episode: MotionEpisode, edgePx: number): number[][] {
  const top = episode.box.y;
  const bottom = episode.box.y + episode.box.h;
  // At the frame's border, the reads before and where it stopped mask what they cut
  // themselves (their edge strips, which move with the scroll): nothing there is left
  // unread. The strips of a read taken while it moved last one frame: not there.
  const [lo, hi] = [episode.borders?.start ? 0 : edgePx, episode.borders?.end ? 0 : edgePx];
  const at = (d: number, still: boolean) => [top + d + (still ? lo : edgePx), bottom + d - (still ? hi : edgePx)];
  const end = episode.offsets[episode.offsets.length - 1];
  return [at(0, true), ...(episode.readsAt ?? []).map((n) => at(episode.offsets[n - episode.since], false)), ...(episode.settled ? [at(end, true)] : [])].filter(
    ([a, b]) => b > a,
  );
}

/**
 * Whether what `box` shows on the episode's last frame (where the region stood still) was
 * read whole before or while it moved: inside the span of such a read, away from its edges.
 * Text cut by the frame's border where the region stopped was then read uncut on the way.
 */
export function readOnTheWay(episode: MotionEpisode, edgePx: number, box: Box): boolean {
  if (episode.axis === 'x') return readOnTheWay(vertical(episode), edgePx, transposeBox(box));
  const end = episode.offsets[episode.offsets.length - 1];
  const [c0, c1] = [box.y + end, box.y + box.h + end];
  return readSpansEach({ ...episode, settled: false }, edgePx).some(([a, b]) => a <= c0 && c1 <= b);
}

/**
 * Where a scroll stopped: the parts of the region (screen boxes, its full width) showing
 * content that no read saw whole before or while it moved, and that the read there may
 * have cut (within `edgePx` of an edge that is not the frame's border): a row that came to
 * rest half under a pane's edge, unreadable there, yet partly legible.
 */
export function unreadAtRest(episode: MotionEpisode, edgePx: number): Box[] {
  if (episode.axis === 'x') return unreadAtRest(vertical(episode), edgePx).map(transposeBox);
  if (!episode.settled) return [];
  const top = episode.box.y;
  const bottom = episode.box.y + episode.box.h;
  const end = episode.offsets[episode.offsets.length - 1];
  const seen = mergeSpans(readSpansEach({ ...episode, settled: false }, edgePx));
  const bands = [...(episode.borders?.start ? [] : [[top, top + edgePx]]), ...(episode.borders?.end ? [] : [[bottom - edgePx, bottom]])];
  const out: Box[] = [];
  for (const [a, b] of bands) {
    // The band's content, less what a read saw whole.
    let pieces: number[][] = [[a + end, b + end]];
    for (const [s0, s1] of seen) pieces = pieces.flatMap(([p0, p1]) => [[p0, Math.min(p1, s0)], [Math.max(p0, s1), p1]].filter(([x0, x1]) => x1 > x0));
    for (const [p0, p1] of pieces) out.push({ x: episode.box.x, y: p0 - end, w: episode.box.w, h: p1 - p0 });
  }
  return out;
}

function mergeSpans(spans: number[][]): number[][] {
  const merged: number[][] = [];
  for (const r of [...spans].sort((a, b) => a[0] - b[0])) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([...r]);
  }
  return merged;
}

/**
 * Content shown at some frame of the episode that fewer than `times` reads saw, as
 * intervals in content coordinates.
 */
function underRead(episode: MotionEpisode, edgePx: number, times: number): Array<[number, number]> {
  const lo = episode.box.y + Math.min(...episode.offsets, 0);
  const hi = episode.box.y + episode.box.h + Math.max(...episode.offsets, 0);
  const spans = readSpansEach(episode, edgePx);
  const cuts = [...new Set([lo, hi, ...spans.flat()].filter((c) => c >= lo && c <= hi))].sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  for (let i = 1; i < cuts.length; i++) {
    const mid = (cuts[i - 1] + cuts[i]) / 2;
    const seen = spans.filter(([a, b]) => a <= mid && mid < b).length;
    if (seen >= times) continue;
    const last = out[out.length - 1];
    if (last && last[1] === cuts[i - 1]) last[1] = cuts[i];
    else out.push([cuts[i - 1], cuts[i]]);
  }
  return out;
}

/**
 * Frames to read while the region moves, so that every line that scrolled through was
 * read whole at least twice, at two different heights (one OCR pass can garble a line;
 * two seldom garble the same one): each time, the frame that shows the widest stretch read
 * too few times in the middle of the region. At most `max` of them.
 */
export function readsDuring(episode: MotionEpisode, edgePx: number, max = 8): number[] {
  if (episode.axis === 'x') return readsDuring(vertical(episode), edgePx, max);
  const chosen: number[] = [];
  const centre = episode.box.y + episode.box.h / 2;
  for (let i = 0; i < max; i++) {
    const gaps = underRead({ ...episode, readsAt: chosen }, edgePx, 2).filter(([a, b]) => b - a >= 4);
    if (gaps.length === 0) break;
    const [a, b] = gaps.reduce((w, g) => (g[1] - g[0] > w[1] - w[0] ? g : w));
    const want = (a + b) / 2 - centre;
    // Away from where it was read already: the same crop twice would garble the same line.
    const readAt = [0, ...chosen.map((n) => episode.offsets[n - episode.since]), ...(episode.settled ? [episode.offsets[episode.offsets.length - 1]] : [])];
    const apart = episode.box.h / 4;
    let best = -1;
    episode.offsets.forEach((d, k) => {
      if (readAt.some((r) => Math.abs(r - d) < apart)) return;
      if (best < 0 || Math.abs(d - want) < Math.abs(episode.offsets[best] - want)) best = k;
    });
    if (best < 0) break;
    chosen.push(episode.since + best);
  }
  return chosen.sort((x, y) => x - y);
}

/**
 * What the region showed during the episode that no read saw (lines that scrolled
 * through between reads, lines cut by its edges when it was read): masked whole as it
 * moves. Empty when the reads saw everything.
 */
export function unreadPieces(episode: MotionEpisode, edgePx: number, options: CarryOptions): MovingPiece[] {
  if (episode.axis === 'x') return unreadPieces(vertical(episode), edgePx, options).map(transposePiece);
  const top = episode.box.y;
  const bottom = episode.box.y + episode.box.h;
  const merged = readSpans(episode, edgePx);
  // The gaps between read spans, each followed separately.
  const gaps: Array<[number, number]> = [];
  let from = -Infinity;
  for (const [a, b] of merged) {
    gaps.push([from, a]);
    from = b;
  }
  gaps.push([from, Infinity]);
  const out: MovingPiece[] = [];
  const width = { x: episode.box.x, w: episode.box.w };
  const end = episode.offsets[episode.offsets.length - 1];
  for (const [c0, c1] of gaps) {
    // Shown on frame k: content in [c0, c1] lies at screen y - offset, within the region.
    let open: MovingPiece | undefined;
    for (let k = 0; k < episode.offsets.length; k++) {
      const n = episode.since + k;
      const d = episode.offsets[k];
      const y0 = Math.max(top, c0 - d);
      const y1 = Math.min(bottom, c1 - d);
      // Where it has not moved yet (a pointer made the region change first), or has come to
      // rest, it shows what the frames before or after it show, pixel for pixel: nothing
      // more than those show, with their masks.
      const asBefore = d === 0 || (episode.settled && d === end);
      if (y1 <= y0 || asBefore) {
        if (open) out.push(open);
        open = undefined;
        continue;
      }
      const lo = Math.max(top, y0 - options.marginPx);
      const hi = Math.min(bottom, y1 + options.marginPx);
      if (open && open.to === n - 1 && Math.max(open.box.y + open.box.h, hi) - Math.min(open.box.y, lo) <= hi - lo + options.segmentPx) {
        const y = Math.min(open.box.y, lo);
        open = { from: open.from, to: n, box: { ...width, y, h: Math.max(open.box.y + open.box.h, hi) - y } };
      } else {
        if (open) out.push(open);
        open = { from: n, to: n, box: { ...width, y: lo, h: hi - lo } };
      }
    }
    if (open) out.push(open);
  }
  return out;
}

function bounding(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

/**
 * Two overlapping boxes are drawn as one when that hides nothing beside them: their left
 * and right edges are within a few pixels (lines of one column stacked up). A box whose
 * edges differ (an address that starts after a longer amount) would widen the other over
 * the words next to it.
 */
function joinable(a: Box, b: Box): boolean {
  const ih = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return ih > 0 && Math.abs(a.x - b.x) <= EDGE_SLACK_PX && Math.abs(a.x + a.w - (b.x + b.w)) <= EDGE_SLACK_PX;
}
const EDGE_SLACK_PX = 6;

/**
 * Pieces of the same frames that overlap become one (rows of a table scrolled together):
 * fewer boxes to draw, and no gap between neighbours.
 */
export function unionOverlapping<T extends MovingPiece>(pieces: T[], merge: (a: T, b: T, box: Box) => T): T[] {
  const byRange = new Map<string, T[]>();
  for (const p of pieces) {
    const key = `${p.from}-${p.to}`;
    (byRange.get(key) ?? byRange.set(key, []).get(key)!).push(p);
  }
  const out: T[] = [];
  for (const group of byRange.values()) {
    let merged = group;
    for (let changed = true; changed; ) {
      changed = false;
      const next: T[] = [];
      for (const p of merged) {
        const b = p.box;
        const i = next.findIndex(({ box: o }) => joinable(o, b));
        if (i < 0) {
          next.push(p);
          continue;
        }
        next[i] = merge(next[i], p, bounding(next[i].box, b));
        changed = true;
      }
      merged = next;
    }
    out.push(...merged);
  }
  return out;
}
