/**
 * A synthetic support-tool screen recording: text items on a page, each visible over a
 * frame range, and an optional scrolling region. Pure data plus the ground truth it
 * implies: where every PII and non-PII text box is on every frame.
 */
import type { Box, PiiType } from '../pii/types.js';

export interface Theme {
  bg: string;
  panel: string;
  fg: string;
  muted: string;
  accent: string;
}

export const LIGHT: Theme = { bg: '#f3f4f6', panel: '#ffffff', fg: '#1f2328', muted: '#4b5563', accent: '#0b57d0' };
export const DARK: Theme = { bg: '#0d1117', panel: '#161b22', fg: '#e6edf3', muted: '#9aa4ae', accent: '#58a6ff' };

export interface TextItem {
  id: string;
  text: string;
  /** Left edge and baseline, in page coordinates (the page scrolls inside the scroll region). */
  x: number;
  y: number;
  size: number;
  color?: string;
  bold?: boolean;
  /** Set for personal data; absent for text that must stay readable. */
  pii?: PiiType;
  /** Visible on frames from <= n < to. */
  from?: number;
  to?: number;
  /** Drawn over the scroll region, not moved by it (headers, toolbars). */
  fixed?: boolean;
  /** Typed in: one more character every this many frames from `from`. */
  typing?: number;
}

/** The part of an item's text on screen at `frame` (all of it, unless it is being typed). */
export function shownText(item: Pick<TextItem, 'text' | 'from' | 'typing'>, frame: number): string {
  if (!item.typing) return item.text;
  return item.text.slice(0, Math.floor((frame - (item.from ?? 0)) / item.typing) + 1);
}

export interface RectItem {
  x: number;
  y: number;
  w: number;
  h: number;
  fill: string;
  from?: number;
  to?: number;
  fixed?: boolean;
}

export interface ScrollSpec {
  /** The band of the screen the page scrolls in. */
  region: { y: number; h: number };
  /** (frame, offset) key points; the offset is linear between them and constant outside. */
  keys: Array<[number, number]>;
}

export interface SceneSpec {
  name: string;
  width: number;
  height: number;
  fps: number;
  frames: number;
  theme: Theme;
  rects: RectItem[];
  items: TextItem[];
  scroll?: ScrollSpec;
  audio?: boolean;
  /** Container tags to write, to test that the output drops them. */
  metadata?: Record<string, string>;
  /** Adds a subtitle stream, to test that the output drops it. */
  subtitles?: boolean;
  /** A mouse pointer: (frame, x, y) key points, eased between them and still outside them. */
  pointer?: Array<[number, number, number]>;
}

/** Where the pointer's tip is on `frame` (ease-in-out between key points), or null without one. */
export function pointerAt(scene: Pick<SceneSpec, 'pointer'>, frame: number): [number, number] | null {
  const keys = scene.pointer;
  if (!keys?.length) return null;
  if (frame <= keys[0][0]) return [keys[0][1], keys[0][2]];
  for (let i = 1; i < keys.length; i++) {
    const [f1, x1, y1] = keys[i];
    if (frame <= f1) {
      const [f0, x0, y0] = keys[i - 1];
      const t = (frame - f0) / Math.max(1, f1 - f0);
      const e = t < 0.5 ? 2 * t * t : 1 - (-2 * t + 2) ** 2 / 2;
      return [Math.round(x0 + (x1 - x0) * e), Math.round(y0 + (y1 - y0) * e)];
    }
  }
  const last = keys[keys.length - 1];
  return [last[1], last[2]];
}

export const FONT_FAMILY = 'DejaVu Sans Mono';
/** DejaVu Sans Mono: advance 1233/2048 em; ink from about 0.78 em above the baseline to 0.24 below. */
const ADVANCE = 1233 / 2048;
const ASCENT = 0.78;
const DESCENT = 0.24;

export function textBox(item: Pick<TextItem, 'x' | 'y' | 'size' | 'text'>): Box {
  return {
    x: item.x,
    y: Math.floor(item.y - ASCENT * item.size),
    w: Math.ceil(item.text.length * ADVANCE * item.size),
    h: Math.ceil((ASCENT + DESCENT) * item.size) + 1,
  };
}

export function scrollOffset(scroll: ScrollSpec | undefined, frame: number): number {
  if (!scroll || scroll.keys.length === 0) return 0;
  const keys = scroll.keys;
  if (frame <= keys[0][0]) return keys[0][1];
  for (let i = 1; i < keys.length; i++) {
    const [f1, o1] = keys[i];
    if (frame <= f1) {
      const [f0, o0] = keys[i - 1];
      return Math.round(o0 + ((o1 - o0) * (frame - f0)) / Math.max(1, f1 - f0));
    }
  }
  return keys[keys.length - 1][1];
}

export const visibleOn = (item: { from?: number; to?: number }, frame: number) =>
  (item.from ?? 0) <= frame && frame < (item.to ?? Number.POSITIVE_INFINITY);

/** The part of a page box that is on screen at `frame`, or null. */
export function screenBox(scroll: ScrollSpec | null | undefined, fixed: boolean, box: Box, frame: number): Box | null {
  if (fixed || !scroll) return box;
  const { region } = scroll;
  const y = box.y - scrollOffset(scroll, frame);
  const top = Math.max(y, region.y);
  const bottom = Math.min(y + box.h, region.y + region.h);
  if (bottom <= top) return null;
  return { x: box.x, y: top, w: box.w, h: bottom - top };
}

export interface TruthItem {
  id: string;
  kind: 'pii' | 'text';
  type?: PiiType;
  text: string;
  box: Box;
  from: number;
  to: number;
  fixed: boolean;
}

/** Ground truth, stored beside the video: enough to find every text box on every frame. */
export interface GroundTruth {
  name: string;
  width: number;
  height: number;
  fps: number;
  frames: number;
  scroll: ScrollSpec | null;
  items: TruthItem[];
  /**
   * Browser-rendered scenes: the screen boxes on each frame, measured by the page itself,
   * as [item index, x, y, w, h] (in place of the items' own geometry and timing).
   */
  frameBoxes?: Array<Array<[number, number, number, number, number]>>;
}

export function groundTruth(scene: SceneSpec): GroundTruth {
  return {
    name: scene.name,
    width: scene.width,
    height: scene.height,
    fps: scene.fps,
    frames: scene.frames,
    scroll: scene.scroll ?? null,
    items: scene.items.map((item) => ({
      id: item.id,
      kind: item.pii ? 'pii' : 'text',
      ...(item.pii ? { type: item.pii } : {}),
      text: item.text,
      box: textBox(item),
      from: Math.max(0, item.from ?? 0),
      to: Math.min(scene.frames, item.to ?? scene.frames),
      fixed: !!item.fixed || !scene.scroll,
    })),
  };
}

/**
 * Boxes of the truth items on screen at `frame`, clipped to the scroll region and the
 * frame. A line of which less than 40% of the height shows (the tops of glyphs at a
 * clipping edge) cannot be read by anyone and is left out.
 */
export function truthBoxesAt(truth: GroundTruth, frame: number): Array<{ item: TruthItem; box: Box }> {
  if (truth.frameBoxes) {
    return (truth.frameBoxes[frame] ?? []).map(([i, x, y, w, h]) => ({ item: truth.items[i], box: { x, y, w, h } }));
  }
  const out: Array<{ item: TruthItem; box: Box }> = [];
  for (const item of truth.items) {
    if (frame < item.from || frame >= item.to) continue;
    const clipped = screenBox(truth.scroll, item.fixed, item.box, frame);
    if (!clipped) continue;
    const bottom = Math.min(clipped.y + clipped.h, truth.height);
    const box = { ...clipped, h: bottom - clipped.y };
    if (box.h >= 0.4 * item.box.h) out.push({ item, box });
  }
  return out;
}

/**
 * The same scene with every piece of personal data left out: what a perfect redaction
 * would show (the background where the value was). Verification must find nothing in it.
 */
export function oracleScene(scene: SceneSpec): SceneSpec {
  return { ...scene, name: `${scene.name}-oracle`, items: scene.items.filter((i) => !i.pii) };
}
