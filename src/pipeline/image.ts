/** Small pure operations on grey frames. */
import type { Box } from '../pii/types.js';
import type { GreyImage } from '../ocr/types.js';

/** Median grey level of the pixels on the border of `box` grown by `margin`: the background around it. */
export function borderMedian(image: GreyImage, box: Box, margin: number): number {
  const { width, height, data } = image;
  const x0 = Math.max(0, box.x - margin);
  const y0 = Math.max(0, box.y - margin);
  const x1 = Math.min(width - 1, box.x + box.w + margin);
  const y1 = Math.min(height - 1, box.y + box.h + margin);
  const hist = new Uint32Array(256);
  let count = 0;
  for (let x = x0; x <= x1; x++) {
    hist[data[y0 * width + x]]++;
    hist[data[y1 * width + x]]++;
    count += 2;
  }
  for (let y = y0 + 1; y < y1; y++) {
    hist[data[y * width + x0]]++;
    hist[data[y * width + x1]]++;
    count += 2;
  }
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += hist[v];
    if (seen * 2 >= count) return v;
  }
  return 0;
}

export function quietRow(image: GreyImage, y: number, x0: number, x1: number): boolean {
  const row = y * image.width;
  let lo = 255;
  let hi = 0;
  for (let x = x0; x < x1; x++) {
    const v = image.data[row + x];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (hi - lo > 40) return false;
  }
  return true;
}

/**
 * Moves the top and bottom edges of `box` inward to the nearest rows with no ink, so a read
 * of the band never sees half a line (tesseract turns those into garbage, or misses them).
 * Edges at the frame's border stay; an edge with no quiet row within `limit` stays too.
 */
export function trimToQuietRows(image: GreyImage, box: Box, limit: number): Box {
  const x0 = box.x;
  const x1 = box.x + box.w;
  let top = box.y;
  let bottom = box.y + box.h;
  if (top > 0) {
    for (let y = top; y < Math.min(bottom, top + limit); y++) {
      if (quietRow(image, y, x0, x1)) {
        top = y;
        break;
      }
    }
  }
  if (bottom < image.height) {
    for (let y = bottom - 1; y >= Math.max(top, bottom - limit); y--) {
      if (quietRow(image, y, x0, x1)) {
        bottom = y + 1;
        break;
      }
    }
  }
  return bottom - top >= 8 ? { x: box.x, y: top, w: box.w, h: bottom - top } : box;
}

/**
 * Lines cut by the top or bottom border of the frame, in `image` (a band read on a frame,
 * whose top or bottom is the frame's border as `edges` says): rows of ink that run from
 * that border and are shorter than a line of the band's text (`lineHeight`). OCR cannot
 * read such a strip, yet people can make out part of it: it is masked whole (a terminal's
 * top line half scrolled off, a page cut at the bottom of the screen).
 */
export function edgeStrips(image: GreyImage, lineHeight: number, edges: { top: boolean; bottom: boolean }): Box[] {
  const out: Box[] = [];
  const { width, height } = image;
  const limit = Math.max(4, Math.round(lineHeight * 0.9));
  if (edges.top) {
    let y = 0;
    while (y < Math.min(height, limit + 1) && !quietRow(image, y, 0, width)) y++;
    if (y > 1 && y <= limit) out.push({ x: 0, y: 0, w: width, h: y });
  }
  if (edges.bottom) {
    let y = height - 1;
    while (y >= Math.max(0, height - limit - 1) && !quietRow(image, y, 0, width)) y--;
    const h = height - 1 - y;
    if (h > 1 && h <= limit) out.push({ x: 0, y: y + 1, w: width, h });
  }
  return out;
}
