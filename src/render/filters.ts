/**
 * The filter graph that burns masks in (pure). One filter per distinct box (and fill),
 * enabled by frame number `n` (the numbering the analysis used) over all the ranges of the
 * tracks that share it: ffmpeg evaluates every filter on every frame, so a box that comes
 * back many times costs one filter, not one per appearance. Many boxes are drawn by lanes
 * instead: a few filters each moved from box to box by timed commands (assignLanes).
 */
import type { MaskStyle } from '../config.js';
import { within } from '../pii/detect.js';
import type { Box } from '../pii/types.js';
import { balancedSum } from '../media/ffmpeg-args.js';
import { asSegments } from '../plan/motion.js';
import type { MotionEpisode } from '../pipeline/motion.js';
import type { MaskTrack } from '../plan/plan.js';

/** The 0-255 level a fill is drawn at. */
const greyLevel = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
const hex2 = (v: number) => greyLevel(v).toString(16).padStart(2, '0');
export const greyColor = (v: number) => `0x${hex2(v)}${hex2(v)}${hex2(v)}`;

/** Ranges sorted and joined where they meet, summed as a balanced tree. */
export function enableExpression(ranges: ReadonlyArray<{ from: number; to: number }>): string {
  const sorted = [...ranges].sort((a, b) => a.from - b.from);
  const merged: Array<{ from: number; to: number }> = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else merged.push({ ...r });
  }
  return `enable='${balancedSum(merged.map((r) => `between(n,${r.from},${r.to})`))}'`;
}

interface BoxGroup {
  box: MaskTrack['box'];
  fill: number;
  ranges: Array<{ from: number; to: number }>;
}

/** Tracks grouped by identical box and fill, in first-appearance order. */
function groupByBox(tracks: readonly MaskTrack[], byFill: boolean): BoxGroup[] {
  const groups = new Map<string, BoxGroup>();
  for (const t of tracks) {
    const key = `${t.box.x},${t.box.y},${t.box.w},${t.box.h}${byFill ? `,${Math.round(t.fill)}` : ''}`;
    const g = groups.get(key) ?? groups.set(key, { box: t.box, fill: t.fill, ranges: [] }).get(key)!;
    g.ranges.push({ from: t.from, to: t.to });
  }
  return [...groups.values()];
}

/** Pixelation block size: at least half the box height, so no glyph keeps more than two blocks. */
export const pixelBlock = (t: { box: MaskTrack['box'] }) => Math.max(12, Math.ceil(t.box.h / 2));

/**
 * Breakpoints of a piecewise-linear function within `tolerance` of `path` (one value a
 * frame), at most `maxSegments` of them; the tolerance used is returned, doubled as needed.
 */
export function fitPath(path: readonly number[], tolerance = 1, maxSegments = 24): { points: Array<[number, number]>; tolerance: number } {
  for (let tol = tolerance; ; tol *= 2) {
    const points: Array<[number, number]> = [[0, path[0]]];
    let start = 0;
    while (start < path.length - 1) {
      let end = start + 1;
      // Extend the segment while every value between lies within tol of the line.
      while (end + 1 < path.length) {
        const next = end + 1;
        const slope = (path[next] - path[start]) / (next - start);
        let fits = true;
        for (let k = start + 1; k < next && fits; k++) fits = Math.abs(path[start] + slope * (k - start) - path[k]) <= tol;
        if (!fits) break;
        end = next;
      }
      points.push([end, path[end]]);
      start = end;
    }
    if (points.length - 1 <= maxSegments) return { points, tolerance: tol };
  }
}

const num = (v: number) => String(Math.round(v * 1000) / 1000);
/**
 * The frame rate of the sources of moving masks: the video's own. (A slower source, its
 * frames held between, left a layer clipped through split and crop off every other frame.)
 */
const rate = (fps: number) => String(Math.max(1, Math.ceil(fps)));

/** The y of a moving box on frame n, as an ffmpeg expression: linear between breakpoints. */
export function pathExpression(y0: number, from: number, points: ReadonlyArray<[number, number]>, frameBase = 0): string {
  // `n` in position expressions counts frames from `frameBase` (see overlayFrameBase).
  const at = (k: number) => from + k + frameBase;
  const piece = (i: number) => {
    const [k0, v0] = points[i];
    const [k1, v1] = points[i + 1];
    const slope = (v1 - v0) / (k1 - k0);
    const k = at(k0);
    return `${num(y0 + v0)}+(n${k < 0 ? `+${-k}` : `-${k}`})*${num(slope)}`;
  };
  if (points.length === 1) return num(y0 + points[0][1]);
  let expr = piece(points.length - 2);
  for (let i = points.length - 3; i >= 0; i--) expr = `if(lt(n,${at(points[i + 1][0])}),${piece(i)},${expr})`;
  return expr;
}

export type GraphEpisode = Pick<MotionEpisode, 'since' | 'until' | 'offsets' | 'box' | 'axis'>;

export interface GraphVideo {
  fps: number;
  frameCount: number;
  /** The frame's size, where known: a scroll of the whole frame is then drawn without clipping. */
  width?: number;
  height?: number;
  /**
   * Each frame's time in the filters (probeFrameTimes) and the start of the paths the lanes'
   * command scripts are written to (commandScript): with both, many still boxes are drawn
   * by a few lanes.
   */
  lanes?: { times: readonly number[]; commandsPrefix: string };
  /** How ffmpeg numbers frames in overlay position expressions (overlayFrameBase). */
  overlayFrameBase: number;
  /** The motions moving masks follow (a track's `episode` indexes this; none where a segment does not see it). */
  episodes?: ReadonlyArray<GraphEpisode | undefined>;
}

/**
 * The moving masks of one scroll, drawn together: one transparent layer holding every box
 * where its content lies (content coordinates: y, or x when it moved sideways, on a frame
 * plus how far the content had moved by then), overlaid so that it moves with the content, and clipped to the region
 * that scrolled (a mask does not slide over the header the content slides under). Two
 * overlays a scroll, however many masks it moves.
 */
function scrollLayer(
  tracks: readonly MaskTrack[],
  e: GraphEpisode,
  video: GraphVideo,
  k: number,
  input: string,
  output: string,
): string[] {
  // Along: the way the content moves (y, or x when it moves sideways); across: the other.
  const sideways = e.axis === 'x';
  const along = (b: Box) => (sideways ? [b.x, b.w] : [b.y, b.h]);
  const across = (b: Box) => (sideways ? [b.y, b.h] : [b.x, b.w]);
  const at = (t: MaskTrack) => along(t.box)[0] + e.offsets[Math.max(0, Math.min(e.offsets.length - 1, t.from - e.since))];
  const boxes = tracks.map((t) => ({ t, c: at(t), a: along(t.box)[1], x: across(t.box)[0], w: across(t.box)[1] }));
  const even = (v: number) => Math.floor(v / 2) * 2;
  const left = even(Math.min(...boxes.map((b) => b.x)));
  const top = even(Math.min(...boxes.map((b) => b.c)));
  const width = even(Math.max(...boxes.map((b) => b.x + b.w)) - left + 1);
  const height = even(Math.max(...boxes.map((b) => b.c + b.a)) - top + 1);
  const { points, tolerance } = fitPath(e.offsets.map((o) => -o));
  const slack = Math.ceil(tolerance);
  // In the layer, whose start along the motion is `top - slack`: each box grown by the slack of the fitted path.
  const draw = (x: number, y: number, w: number, h: number, fill: number) =>
    sideways
      ? `drawbox=x=${y}:y=${x}:w=${h}:h=${w}:color=${greyColor(fill)}@1:t=fill:replace=1`
      : `drawbox=x=${x}:y=${y}:w=${w}:h=${h}:color=${greyColor(fill)}@1:t=fill:replace=1`;
  const draws = boxes.map(({ t, c, a, x, w }) => draw(x - left, c - top, w, a + 2 * slack, t.fill));
  const size = sideways ? `${height + 2 * slack}x${width}` : `${width}x${height + 2 * slack}`;
  // Placed by the overlay's number of the frame it draws on, and off the picture before the
  // scroll and after it. (A timeline switch, `enable`, on an overlay is evaluated on the frame
  // of whichever input came last: where the layer's frames fell between the video's, at a
  // variable frame rate, that was the layer's, numbered from its own start, and the masks
  // of a scroll of the whole frame were off on two frames in three.)
  const off = e.box.w + e.box.h + width + height + 2 * slack;
  const gated = (path: string, base: number) => `'if(between(n,${e.since + base},${e.until + base}),${path},-${off})'`;
  const moving = gated(pathExpression(top - slack, e.since, points, video.overlayFrameBase), video.overlayFrameBase);
  const position = sideways ? `x=${moving}:y=${left}` : `x=${left}:y=${moving}`;
  // The layer lives from before the scroll to after it. With each frame's time known, a
  // second before its first frame to two after its last, and then it ends: the overlay
  // passes frames through untouched from there (with one layer a scroll, a busy session's
  // dozens of layers each copied and blended every later frame). Without the times, frame
  // numbers stand for times, which a variable rate can put far off, so it starts early and
  // its last frame stays (eof_action=repeat) to the end.
  const times = video.lanes?.times;
  const [start, end, eof] = times
    ? [Math.max(0, times[Math.max(0, e.since)] - 1), times[Math.min(times.length - 1, e.until)] + 2, 'pass']
    : [Math.max(0, (0.8 * e.since) / video.fps - 2), (e.until + 1) / video.fps + 2, 'repeat'];
  // The layer is drawn once and its frame repeated, one a frame of the video for as long
  // as it lives (a 1440p sheet's scrolls drew some 900 boxes a layer again on every frame).
  const fps = Number(rate(video.fps));
  const frames = Math.max(1, Math.ceil(Number(num(end - start)) * fps - 1e-9));
  const r = e.box;
  const enable = enableExpression([{ from: e.since, to: e.until }]);
  const still = `color=c=black@0:s=${size}:r=${fps}:d=${(0.5 / fps).toFixed(6)},format=yuva420p,${draws.join(',')}`;
  const layer = `${still},loop=loop=${frames - 1}:size=1:start=0,setpts=PTS+${num(start)}/TB[layer${k}]`;
  // A region that is the whole frame (a page scrolled whole) needs no clipping: the layer is
  // overlaid on the frame itself. (Split, crop and overlay back held some
  // 40 MiB of 1440p frames a scroll, for the rest of the render.)
  if (video.width !== undefined && video.height !== undefined && r.x <= 0 && r.y <= 0 && r.x + r.w >= video.width && r.y + r.h >= video.height) {
    return [layer, `${input}[layer${k}]overlay=${position}:eval=frame:eof_action=${eof}${output}`];
  }
  // With each frame's time, and the frames evenly spaced around the scroll: the region is a
  // pane of its own, a transparent canvas the layer moves on (which clips it), with one frame
  // a frame of the video from the one before the scroll to the one after it, each timed half
  // a frame before its video frame (so the overlay pairs them whatever the rounding), laid
  // over the video. (Split, overlay and crop made each scroll copy every frame of the video
  // to the end of the render: some 1.1-1.6 ms a frame a scroll at 1080p.)
  const pane = times && video.frameCount === times.length ? evenFrames(times, e.since - 1, e.until + 1) : undefined;
  if (pane) {
    // One frame more than the video frames it covers: the overlay onto the video drops a
    // pane's last frame from the video frame it was timed before (a segment's last frame).
    const timed = `loop=loop=${pane.count}:size=1:start=0,settb=1/1000000,setpts=(${(pane.t0 - pane.step / 2).toFixed(6)}+N*${pane.step.toFixed(6)})/TB`;
    const [alongAt, acrossAt] = sideways ? [r.x, r.y] : [r.y, r.x];
    // Numbered as the pane's frames, and gated as above: a pane's frame, timed half a frame
    // before its video frame, comes last to the overlay onto the video.
    const inPane = gated(pathExpression(top - slack - alongAt, e.since - pane.first, points, video.overlayFrameBase), video.overlayFrameBase - pane.first);
    const placed = sideways ? `x=${inPane}:y=${left - acrossAt}` : `x=${left - acrossAt}:y=${inPane}`;
    return [
      `${still},${timed}[layer${k}]`,
      `color=c=black@0:s=${r.w}x${r.h}:r=${fps}:d=${(0.5 / fps).toFixed(6)},format=yuva420p,${timed}[canvas${k}]`,
      `[canvas${k}][layer${k}]overlay=${placed}:eval=frame[pane${k}]`,
      `${input}[pane${k}]overlay=x=${r.x}:y=${r.y}:eof_action=pass${output}`,
    ];
  }
  return [
    layer,
    `${input}split[keep${k}][work${k}]`,
    // No timeline switch on this overlay: disabled on the frames before the layer starts, it
    // left the layer unconsumed and drew nothing when enabled (the masks of an eased scroll
    // were missing while it moved). The pane's overlay below is what is switched: its two
    // inputs are the same frames of the video, so either one's number is the frame's.
    `[work${k}][layer${k}]overlay=${position}:eval=frame:eof_action=${eof}[moved${k}]`,
    `[moved${k}]crop=${r.w}:${r.h}:${r.x}:${r.y}[pane${k}]`,
    `[keep${k}][pane${k}]overlay=x=${r.x}:y=${r.y}:eof_action=repeat:${enable}${output}`,
  ];
}

/**
 * Pure: frames `from`..`to` (cut to the video) when they are evenly spaced, each within a
 * quarter of a frame of its place: the first, how many, the first's time and the spacing.
 */
export function evenFrames(times: readonly number[], from: number, to: number): { first: number; count: number; t0: number; step: number } | undefined {
  const first = Math.max(0, Math.min(times.length - 1, from));
  const last = Math.max(first, Math.min(times.length - 1, to));
  if (last === first) return undefined;
  const step = (times[last] - times[first]) / (last - first);
  if (!(step > 0)) return undefined;
  for (let i = first; i <= last; i++) if (Math.abs(times[i] - times[first] - (i - first) * step) > step / 4) return undefined;
  return { first, count: last - first + 1, t0: times[first], step };
}

/** How far a moving mask drawn as still segments moves within one: its own size along the motion. */
export const segmentFor = (t: MaskTrack) => Math.max(16, t.axis === 'x' ? t.box.w : t.box.h);

/** The fill style's masks: those moving with a scroll, by episode, and the rest drawn still. */
function fillParts(allTracks: readonly MaskTrack[], video: GraphVideo) {
  // The moving masks of one scroll share a layer (two overlays a scroll, whatever their number).
  const isMoving = (t: MaskTrack) => !!t.path && t.path.length > 1;
  const layers = new Map<number, MaskTrack[]>();
  for (const t of allTracks) {
    if (isMoving(t) && t.episode !== undefined && video.episodes?.[t.episode]) {
      (layers.get(t.episode) ?? layers.set(t.episode, []).get(t.episode)!).push(t);
    }
  }
  // A moving mask without its motion (none given) is drawn as still segments.
  const layered = new Set([...layers.values()].flat());
  const still = groupByBox(uncovered(allTracks.flatMap((t) => (layered.has(t) ? [] : isMoving(t) ? asSegments(t, segmentFor(t)) : [t]))), true);
  return { layers, still };
}

/**
 * Pure: the still masks less those another one covers, in place and in frames (the same
 * field read again and boxed a little differently; a value inside its row's mask): drawing
 * them changed no pixel but for which fill shows, and a busy 3-minute session drew twice the
 * pixels it masked. Kept in their order.
 */
export function uncovered<T extends { box: Box; from: number; to: number }>(masks: readonly T[]): T[] {
  // By first frame, and among those, the longer and then the larger first: whatever covers
  // a mask comes before it. A mask covered by one that is itself covered is covered by that
  // one too, so each is checked against the kept masks still showing when it starts.
  const order = masks
    .map((m, i) => ({ m, i }))
    .sort((a, b) => a.m.from - b.m.from || b.m.to - a.m.to || b.m.box.w * b.m.box.h - a.m.box.w * a.m.box.h);
  const kept = new Set<number>();
  let showing: Array<{ m: T; i: number }> = [];
  for (const entry of order) {
    const { m } = entry;
    showing = showing.filter((k) => k.m.to >= m.from);
    if (showing.some((k) => k.m.to >= m.to && within(m.box, k.m.box))) continue;
    kept.add(entry.i);
    showing.push(entry);
  }
  return masks.filter((_, i) => kept.has(i));
}

/**
 * Still boxes beyond this many are drawn by lanes. A frame passes through every filter of
 * the chain, at some 15 us each here: a busy 3-minute session had 2341 short-lived
 * boxes (a pointer, typing), and one drawbox each made its render 4.2x a transcode.
 */
export const LANE_MIN_BOXES = 48;

interface LaneItem {
  box: Box;
  fill: number;
  from: number;
  to: number;
}

/** How many of a box's place, size and fill two appearances share (5: the same box). */
const alike = (a: LaneItem, b: LaneItem) =>
  +(a.box.x === b.box.x) + +(a.box.y === b.box.y) + +(a.box.w === b.box.w) + +(a.box.h === b.box.h) + +(greyLevel(a.fill) === greyLevel(b.fill));

/**
 * Pure: every appearance of every still box, in lanes whose appearances never share a
 * frame (as many lanes as boxes ever show at once), each lane in order of its frames. An
 * appearance goes to the free lane whose last box it most resembles: a box that comes back
 * (a pointer leaving a value and returning) then needs no command but its frames.
 */
export function assignLanes(groups: ReadonlyArray<{ box: Box; fill: number; ranges: ReadonlyArray<{ from: number; to: number }> }>): LaneItem[][] {
  const items = groups
    .flatMap((g) => g.ranges.map((r) => ({ box: g.box, fill: g.fill, from: r.from, to: r.to })))
    .sort((a, b) => a.from - b.from || a.to - b.to);
  const lanes: LaneItem[][] = [];
  for (const item of items) {
    let lane: LaneItem[] | undefined;
    let best = -1;
    for (const l of lanes) {
      const last = l[l.length - 1];
      if (last.to >= item.from) continue;
      const score = alike(last, item);
      if (score > best) [lane, best] = [l, score];
      if (score === 5) break;
    }
    if (lane) lane.push(item);
    else lanes.push([item]);
  }
  return lanes;
}

const laneDrawbox = (k: number, first: LaneItem) =>
  `drawbox@mask${k}=x=${first.box.x}:y=${first.box.y}:w=${first.box.w}:h=${first.box.h}:color=${greyColor(first.fill)}@1:t=fill:${enableExpression([first])}`;

/** The most bytes a sendcmd script holds, where the graph has few enough (see laneCommands). */
export const SCRIPT_BYTES = 1024;
/** The most sendcmd scripts a graph reads: ffmpeg takes seconds to set up some thousands of filters. */
const MAX_SCRIPTS = 500;

/** Where script `i` of the lanes' commands is written, given `lanes.commandsPrefix`. */
export const commandScript = (prefix: string, i: number) => `${prefix}.${i}`;

/**
 * Pure: the sendcmd scripts that move each lane's box to its next appearance. A command
 * runs when a frame's time enters its interval, which starts midway between the frame
 * before the appearance and its first frame (so rounding never picks a neighbour), and
 * sets what changed of the lane's box and its `enable` to the appearance's frames, by
 * number. A lane's first appearance is in its filter's options and needs no command. (A
 * lane's `enable` was the union of all its appearances: a sum of hundreds of terms that
 * every frame evaluated for every lane, a single-threaded cost that outgrew the encode on
 * long recordings.)
 *
 * The commands are cut into many small scripts, one sendcmd filter each: sendcmd keeps
 * each word of a script (an interval's times; a command's target, name and value) in an
 * allocation the size of the rest of that script, some 14 KB resident a command in one
 * script on ffmpeg 5.1 whether it ever runs or not. A 1440p sheet's lanes held 440 MiB so.
 */
export function laneCommands(lanes: ReadonlyArray<readonly LaneItem[]>, times: readonly number[]): string[] {
  const at = (n: number) => times[Math.max(0, Math.min(times.length - 1, n))];
  const lines: string[] = [];
  lanes.forEach((items, k) => {
    const f = `drawbox@mask${k}`;
    items.forEach((item, i) => {
      if (i === 0) return;
      const before = items[i - 1];
      const set: string[] = [];
      for (const key of ['x', 'y', 'w', 'h'] as const) if (item.box[key] !== before.box[key]) set.push(`${f} ${key} ${item.box[key]}`);
      if (greyLevel(item.fill) !== greyLevel(before.fill)) set.push(`${f} color ${greyColor(item.fill)}@1`);
      set.push(`${f} enable 'between(n,${item.from},${item.to})'`);
      const start = (at(item.from - 1) + at(item.from)) / 2;
      const end = item.to + 1 < times.length ? (at(item.to) + at(item.to + 1)) / 2 : at(item.to) + 1;
      lines.push(`${start.toFixed(6)}-${end.toFixed(6)} [enter] ${set.join(', ')};\n`);
    });
  });
  const size = Math.max(SCRIPT_BYTES, Math.ceil(lines.reduce((n, l) => n + l.length, 0) / MAX_SCRIPTS));
  const scripts: string[] = [];
  let script = '';
  for (const line of lines) {
    if (script && script.length + line.length > size) {
      scripts.push(script);
      script = '';
    }
    script += line;
  }
  if (script) scripts.push(script);
  return scripts;
}

/** A path with no character a filter graph would need escaped. */
const PLAIN_PATH = /^[A-Za-z0-9_./-]+$/;

/** The lanes the still boxes are drawn by, or undefined when they are drawn one filter each. */
function lanesFor(still: readonly BoxGroup[], video: GraphVideo): LaneItem[][] | undefined {
  if (!video.lanes || video.lanes.times.length !== video.frameCount || still.length <= LANE_MIN_BOXES) return undefined;
  // A path a filter graph would need escaped (a TMPDIR with spaces): one filter a box, as without lanes.
  if (!PLAIN_PATH.test(video.lanes.commandsPrefix)) return undefined;
  const lanes = assignLanes(still);
  return lanes.length < still.length ? lanes : undefined;
}

/** The sendcmd scripts maskFilterGraph's graph reads (script i to be written to `commandScript(video.lanes.commandsPrefix, i)`), or undefined when it reads none. */
export function maskCommands(allTracks: readonly MaskTrack[], style: MaskStyle, video: GraphVideo): string[] | undefined {
  const { scripts } = maskRender(allTracks, style, video);
  return scripts.length ? scripts : undefined;
}

/** The still boxes' filters and the lanes' command scripts they read (none when drawn one filter a box). */
function stillFilters(still: readonly BoxGroup[], video: GraphVideo): { filters: string[]; scripts: string[] } {
  const lanes = lanesFor(still, video);
  if (!lanes) {
    const filters = still.map(
      (g) => `drawbox=x=${g.box.x}:y=${g.box.y}:w=${g.box.w}:h=${g.box.h}:color=${greyColor(g.fill)}@1:t=fill:${enableExpression(g.ranges)}`,
    );
    return { filters, scripts: [] };
  }
  const scripts = laneCommands(lanes, video.lanes!.times);
  const filters = [...scripts.map((_, i) => `sendcmd=f=${commandScript(video.lanes!.commandsPrefix, i)}`), ...lanes.map((items, k) => laneDrawbox(k, items[0]))];
  return { filters, scripts };
}

export function maskFilterGraph(allTracks: readonly MaskTrack[], style: MaskStyle, video: GraphVideo = { fps: 30, frameCount: 0, overlayFrameBase: 0 }): string {
  return maskRender(allTracks, style, video).graph;
}

/** The filter graph that burns `allTracks` in, and the sendcmd scripts it reads (written first; see maskCommands). */
export function maskRender(allTracks: readonly MaskTrack[], style: MaskStyle, video: GraphVideo): { graph: string; scripts: string[] } {
  if (allTracks.length === 0) return { graph: 'null', scripts: [] };
  if (style === 'fill') {
    const { layers, still } = fillParts(allTracks, video);
    const { filters: boxes, scripts } = stillFilters(still, video);
    if (layers.size === 0) return { graph: boxes.join(',\n'), scripts };
    const parts = [`${boxes.length ? boxes.join(',\n') : 'null'}[v_still]`];
    let current = '[v_still]';
    [...layers.entries()].forEach(([episode, tracks], k) => {
      parts.push(...scrollLayer(tracks, video.episodes![episode]!, video, k, current, `[v_layer${k}]`));
      current = `[v_layer${k}]`;
    });
    parts.push(`${current}null`);
    // An overlay whose layer source outlasts the video would add frames after its end: cut there.
    const end = video.frameCount > 0 ? `[v_moved];\n[v_moved]trim=end_frame=${video.frameCount}` : '';
    return { graph: parts.join(';\n') + end, scripts };
  }
  // Crops of the frame (blur, pixelate) are drawn still: moving masks become segments.
  const tracks = allTracks.flatMap((t) => asSegments(t, segmentFor(t)));
  const groups = groupByBox(tracks, false);
  const parts: string[] = [`split=${groups.length + 1}[base]${groups.map((_, i) => `[c${i}]`).join('')}`];
  groups.forEach((t, i) => {
    const { x, y, w, h } = t.box;
    const effect =
      style === 'blur'
        ? `boxblur=luma_radius='min(w,h)/2':luma_power=6:chroma_radius='min(cw,ch)/2':chroma_power=6`
        : `scale=${Math.max(1, Math.round(w / pixelBlock(t)))}:${Math.max(1, Math.round(h / pixelBlock(t)))}:flags=area,scale=${w}:${h}:flags=neighbor`;
    parts.push(`[c${i}]crop=${w}:${h}:${x}:${y},${effect}[m${i}]`);
  });
  groups.forEach((g, i) => {
    const input = i === 0 ? '[base]' : `[o${i - 1}]`;
    const output = i === groups.length - 1 ? '' : `[o${i}]`;
    parts.push(`${input}[m${i}]overlay=x=${g.box.x}:y=${g.box.y}:${enableExpression(g.ranges)}${output}`);
  });
  return { graph: parts.join(';\n'), scripts: [] };
}
