/**
 * A render in segments (pure): the masks one segment of the video shows, numbered from the
 * segment's first frame, so that the segment can be rendered on its own and the rendered
 * segments joined into the whole (see src/pipeline/render.ts).
 */
import { createHash } from 'node:crypto';
import type { MaskStyle } from '../config.js';
import { asSegments } from '../plan/motion.js';
import type { MaskTrack } from '../plan/plan.js';
import { segmentFor, type GraphEpisode } from './filters.js';

/**
 * The masks frames first..first+count-1 show, numbered from `first`, drawn on them exactly
 * as the render of the whole draws them there:
 * - a mask that moves with a scroll is drawn with all the scroll's other masks in one
 *   layer, over the scroll's frames, placed by the scroll's fitted path: the masks of a
 *   scroll the segment sees, and the scroll, are only renumbered, whole (frame numbers may
 *   fall before the segment or after it), so that the layer and its path are the same;
 * - every other mask (still, or moving without its scroll, or any mask in a style that
 *   crops the frame) is drawn as still boxes: cut into them first, as the render of the
 *   whole cuts it, then each box cut to the segment's frames.
 * A scroll the segment does not see is left out (undefined), keeping the others' places.
 */
export function withinSegment(
  tracks: readonly MaskTrack[],
  episodes: ReadonlyArray<GraphEpisode | undefined>,
  first: number,
  count: number,
  style: MaskStyle,
): { tracks: MaskTrack[]; episodes: Array<GraphEpisode | undefined> } {
  const last = first + count - 1;
  const seen = (r: { from: number; to: number }) => r.to >= first && r.from <= last;
  const own = episodes.map((e): GraphEpisode | undefined => (e && seen({ from: e.since, to: e.until }) ? { ...e, since: e.since - first, until: e.until - first } : undefined));
  const out: MaskTrack[] = [];
  for (const t of tracks) {
    const moving = !!t.path && t.path.length > 1;
    // A layer shows all its masks while its scroll lasts, whichever frames each came from.
    if (moving && style === 'fill' && t.episode !== undefined && own[t.episode]) {
      out.push({ ...t, from: t.from - first, to: t.to - first });
      continue;
    }
    if (!seen(t)) continue;
    for (const box of moving ? asSegments(t, segmentFor(t)) : [t]) {
      if (seen(box)) out.push({ ...box, from: Math.max(box.from, first) - first, to: Math.min(box.to, last) - first });
    }
  }
  return { tracks: out, episodes: own };
}

/**
 * What a render draws, as a digest: the segments rendered by other workers are joined only
 * if they drew the same masks as the recording's own plan (every worker plans from the same
 * analyses, so they agree unless their code or settings differ).
 */
export function tracksDigest(tracks: readonly MaskTrack[], episodes: ReadonlyArray<GraphEpisode | undefined>, style: string): string {
  const drawn = tracks.map((t) => [t.from, t.to, t.box, t.fill, t.path ?? null, t.axis ?? null, t.episode ?? null]);
  const moved = episodes.map((e) => (e ? [e.since, e.until, e.offsets, e.box, e.axis ?? null] : null));
  return createHash('sha256').update(JSON.stringify([style, drawn, moved])).digest('hex');
}
