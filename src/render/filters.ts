/**
 * The filter graph that burns masks in (pure). One filter per distinct box (and fill),
 * enabled by frame number `n` (the numbering the analysis used) over all the ranges of the
 * tracks that share it: ffmpeg evaluates every filter on every frame, so a box that comes
 * back many times costs one filter, not one per appearance.
 */
import type { MaskStyle } from '../config.js';
import { balancedSum } from '../media/ffmpeg-args.js';
import type { MaskTrack } from '../plan/plan.js';

const hex2 = (v: number) => Math.max(0, Math.min(255, Math.round(v))).toString(16).padStart(2, '0');
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

export function maskFilterGraph(tracks: readonly MaskTrack[], style: MaskStyle): string {
  if (tracks.length === 0) return 'null';
  if (style === 'fill') {
    return groupByBox(tracks, true)
      .map(
        (g) =>
          `drawbox=x=${g.box.x}:y=${g.box.y}:w=${g.box.w}:h=${g.box.h}:color=${greyColor(g.fill)}@1:t=fill:${enableExpression(g.ranges)}`,
      )
      .join(',\n');
  }
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
  return parts.join(';\n');
}
