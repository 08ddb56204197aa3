/**
 * The filter graph that burns masks in (pure). One filter per track, enabled over the
 * track's frame range by frame number `n`, the same numbering the analysis used.
 */
import type { MaskStyle } from '../config.js';
import type { MaskTrack } from '../plan/plan.js';

const hex2 = (v: number) => Math.max(0, Math.min(255, Math.round(v))).toString(16).padStart(2, '0');
export const greyColor = (v: number) => `0x${hex2(v)}${hex2(v)}${hex2(v)}`;

const enable = (t: MaskTrack) => `enable='between(n,${t.from},${t.to})'`;

/** Pixelation block size: at least half the box height, so no glyph keeps more than two blocks. */
export const pixelBlock = (t: MaskTrack) => Math.max(12, Math.ceil(t.box.h / 2));

export function maskFilterGraph(tracks: readonly MaskTrack[], style: MaskStyle): string {
  if (tracks.length === 0) return 'null';
  if (style === 'fill') {
    return tracks
      .map(
        (t) =>
          `drawbox=x=${t.box.x}:y=${t.box.y}:w=${t.box.w}:h=${t.box.h}:color=${greyColor(t.fill)}@1:t=fill:${enable(t)}`,
      )
      .join(',\n');
  }
  const parts: string[] = [`split=${tracks.length + 1}[base]${tracks.map((_, i) => `[c${i}]`).join('')}`];
  tracks.forEach((t, i) => {
    const { x, y, w, h } = t.box;
    const effect =
      style === 'blur'
        ? `boxblur=luma_radius='min(w,h)/2':luma_power=6:chroma_radius='min(cw,ch)/2':chroma_power=6`
        : `scale=${Math.max(1, Math.round(w / pixelBlock(t)))}:${Math.max(1, Math.round(h / pixelBlock(t)))}:flags=area,scale=${w}:${h}:flags=neighbor`;
    parts.push(`[c${i}]crop=${w}:${h}:${x}:${y},${effect}[m${i}]`);
  });
  tracks.forEach((t, i) => {
    const input = i === 0 ? '[base]' : `[o${i - 1}]`;
    const output = i === tracks.length - 1 ? '' : `[o${i}]`;
    parts.push(`${input}[m${i}]overlay=x=${t.box.x}:y=${t.box.y}:${enable(t)}${output}`);
  });
  return parts.join(';\n');
}
