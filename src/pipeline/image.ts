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

/**
 * `box` without its top and bottom rows that hold no ink: pixels no further from
 * `background` than a quarter of the box's strongest contrast (and at least 12 grey
 * levels). Tesseract's word boxes can reach well past the glyphs (a word read near the
 * edge of a band came back twice its height), and a mask grown from such a box covers the
 * row above or below. Only rows with no ink at all are taken off; a box with no ink stays.
 */
export function trimBlankRows(image: GreyImage, box: Box, background: number): Box {
  const x0 = Math.max(0, box.x);
  const x1 = Math.min(image.width, box.x + box.w);
  const y0 = Math.max(0, box.y);
  const y1 = Math.min(image.height, box.y + box.h);
  if (x1 <= x0 || y1 <= y0) return box;
  const rowInk = new Array<number>(y1 - y0).fill(0);
  for (let y = y0; y < y1; y++) {
    const row = y * image.width;
    let ink = 0;
    for (let x = x0; x < x1; x++) ink = Math.max(ink, Math.abs(image.data[row + x] - background));
    rowInk[y - y0] = ink;
  }
  const threshold = Math.max(12, Math.max(...rowInk) / 4);
  let top = 0;
  while (top < rowInk.length && rowInk[top] < threshold) top++;
  if (top === rowInk.length) return box;
  let bottom = rowInk.length - 1;
  while (rowInk[bottom] < threshold) bottom--;
  return { x: box.x, y: y0 + top, w: box.w, h: bottom - top + 1 };
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
 * Moves the top and bottom edges of `box` to the nearest rows with no ink, so a read of
 * the band never sees half a line (tesseract turns those into garbage, or misses them):
 * inward, or where no row within `limit` inside is quiet (a pointer resting across the
 * edge), outward, so the line the edge cuts is read whole. Edges at the frame's border
 * stay; an edge with no quiet row within `limit` either way stays too.
 */
export function trimToQuietRows(image: GreyImage, box: Box, limit: number): Box {
  const x0 = box.x;
  const x1 = box.x + box.w;
  const quiet = (y: number) => quietRow(image, y, x0, x1);
  let top = box.y;
  let bottom = box.y + box.h;
  if (top > 0) {
    let y = top;
    while (y < Math.min(bottom, top + limit) && !quiet(y)) y++;
    if (y < Math.min(bottom, top + limit)) top = y;
    else {
      y = top - 1;
      while (y > Math.max(0, top - limit) && !quiet(y)) y--;
      if (quiet(y)) top = y;
    }
  }
  if (bottom < image.height) {
    let y = bottom - 1;
    while (y >= Math.max(top, bottom - limit) && !quiet(y)) y--;
    if (y >= Math.max(top, bottom - limit)) bottom = y + 1;
    else {
      y = bottom;
      while (y < Math.min(image.height - 1, bottom + limit) && !quiet(y)) y++;
      if (quiet(y)) bottom = y + 1;
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

/**
 * Per row, the grey level most pixels of columns [x0, x1) have within `reach` rows above
 * and below: the background there (a line of text has blank rows around it, so its ink
 * is never the most common level, however dense the line).
 */
function rowBackgrounds(image: GreyImage, x0: number, x1: number, reach: number): Uint8Array {
  const { width, height, data } = image;
  const out = new Uint8Array(height);
  const hist = new Uint32Array(256);
  const add = (y: number, k: number) => {
    const row = y * width;
    for (let x = x0; x < x1; x++) hist[data[row + x]] += k;
  };
  for (let y = 0; y < Math.min(height, reach); y++) add(y, 1);
  for (let y = 0; y < height; y++) {
    if (y + reach < height) add(y + reach, 1);
    if (y - reach - 1 >= 0) add(y - reach - 1, -1);
    let best = 0;
    for (let v = 1; v < 256; v++) if (hist[v] > hist[best]) best = v;
    out[y] = best;
  }
  return out;
}

/**
 * Text cut by the left or right border of the frame, in `image` (a region read on a frame,
 * whose left or right side is the frame's border as `edges` says): runs of rows with ink
 * within a few pixels of the border (less than half a line's height: closer than any
 * cell's padding; the cut often falls between two characters), no taller than a few lines of the region's text
 * (`lineHeight`; a sidebar or a rule down the whole border is no cut text), each reaching
 * inward to the first gap of background as wide as most of a line's height (the gap
 * between two cells of a sheet scrolled sideways). OCR reads such a sliver as noise or not
 * at all, yet people can make out part of an e-mail or a wallet address in it: it is masked
 * whole. A cut that finds no gap stops at `maxWidth` (forty line heights, at most 40% of
 * the region).
 */
export function sideStrips(image: GreyImage, lineHeight: number, edges: { left: boolean; right: boolean }): Box[] {
  const { width, height, data } = image;
  const out: Box[] = [];
  if (width < 8 || height < 3) return out;
  const maxWidth = Math.max(8, Math.min(Math.round(width * 0.4), Math.round(lineHeight * 40)));
  const gapNeed = Math.max(4, Math.round(lineHeight * 0.8));
  const maxRun = Math.max(6, Math.round(lineHeight * 2.5));
  const near = Math.max(2, Math.min(6, Math.round(lineHeight * 0.4)));
  const side = (left: boolean) => {
    const col = (i: number) => (left ? i : width - 1 - i);
    const band = Math.min(width, maxWidth);
    // Ink against each row's own background: a panel that runs off the border is no text.
    const window = Math.max(4, Math.round(lineHeight));
    const bg = left ? rowBackgrounds(image, 0, band, window) : rowBackgrounds(image, width - band, width, window);
    const ink = (x: number, y: number) => Math.abs(data[y * width + x] - bg[y]) > 40;
    // Runs of rows inked at the border, joined across gaps of up to two rows (a letter's dot).
    const runs: Array<[number, number]> = [];
    for (let y = 0; y < height; y++) {
      let inked = false;
      for (let i = 0; i < near && !inked; i++) inked = ink(col(i), y);
      if (!inked) continue;
      const last = runs[runs.length - 1];
      if (last && y - last[1] <= 3) last[1] = y + 1;
      else runs.push([y, y + 1]);
    }
    for (const [y0, y1] of runs) {
      // A run may be a row or two only (the dot of ".com" cut just before its c): it counts
      // when the text it leads into, found below, is three rows high or more.
      if (y1 - y0 > maxRun) continue;
      // Text has strokes and gaps between them; a panel's edge is ink all over.
      const span = Math.min(band, 3 * near);
      let inkCount = 0;
      for (let y = y0; y < y1; y++) for (let i = 0; i < span; i++) if (ink(col(i), y)) inkCount++;
      if (inkCount > 0.9 * (y1 - y0) * span) continue;
      let reach = band;
      let quiet = 0;
      for (let i = 0; i < band; i++) {
        let inked = false;
        for (let y = y0; y < y1 && !inked; y++) inked = ink(col(i), y);
        quiet = inked ? 0 : quiet + 1;
        if (quiet >= gapNeed) {
          reach = i - quiet + 1;
          break;
        }
      }
      // The rest of the cut text may reach higher or lower than its part at the border.
      const rowInked = (y: number) => {
        for (let i = 0; i < reach; i++) if (ink(col(i), y)) return true;
        return false;
      };
      let a = y0;
      let b = y1;
      while (a > 0 && b - a < maxRun && rowInked(a - 1)) a--;
      while (b < height && b - a < maxRun && rowInked(b)) b++;
      if (b - a < 3) continue;
      const top = Math.max(0, a - 1);
      const h = Math.min(height, b + 1) - top;
      const w = Math.min(width, reach + 1);
      out.push({ x: left ? 0 : width - w, y: top, w, h });
    }
  };
  if (edges.left) side(true);
  if (edges.right) side(false);
  return out;
}

/** Per square tile of `size` px (the last ones cut by the image's edge): its most common grey level. */
function tileModes(image: GreyImage, size: number): { modes: Uint8Array; cols: number } {
  const { width, height, data } = image;
  const cols = Math.ceil(width / size);
  const rows = Math.ceil(height / size);
  const modes = new Uint8Array(cols * rows);
  const hist = new Uint32Array(256);
  for (let ty = 0; ty < rows; ty++) {
    for (let tx = 0; tx < cols; tx++) {
      hist.fill(0);
      for (let y = ty * size; y < Math.min(height, (ty + 1) * size); y++) {
        const row = y * width;
        for (let x = tx * size; x < Math.min(width, (tx + 1) * size); x++) hist[data[row + x]]++;
      }
      let best = 0;
      for (let v = 1; v < 256; v++) if (hist[v] > hist[best]) best = v;
      modes[ty * cols + tx] = best;
    }
  }
  return { modes, cols };
}

/**
 * The image as dark ink on white whatever its backgrounds: each pixel's distance from its
 * tile's most common level, scaled by the most that background allows. OCR thresholds an
 * image as a whole: a page dimmed behind a bright dialog came out all dark and not one of
 * its lines was read; flattened, the page and the dialog read alike (and a dark panel too).
 */
export function flattenBackground(image: GreyImage, size = 32): GreyImage {
  const { width, height, data } = image;
  const { modes, cols } = tileModes(image, size);
  const out = Buffer.alloc(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const tileRow = Math.floor(y / size) * cols;
    for (let x = 0; x < width; x++) {
      const bg = modes[tileRow + Math.floor(x / size)];
      const d = Math.abs(data[row + x] - bg);
      out[row + x] = 255 - Math.min(255, Math.round((d * 255) / Math.max(64, bg, 255 - bg)));
    }
  }
  return { width, height, data: out };
}

/**
 * `image` (dark ink on white, as flattenBackground makes it) with its long straight rules
 * erased: runs of ink along one row or one column at least `minRun` px long. Letters never
 * make such a run; a dialog's border, a table's rule or an underline does, and OCR takes a
 * line of text that a rule touches (a row just above a dialog's top edge) for a graphic.
 */
export function eraseRules(image: GreyImage, minRun = 96, ink = 128): GreyImage {
  const { width, height, data } = image;
  const out = Buffer.from(data);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; ) {
      if (data[row + x] >= ink) {
        x++;
        continue;
      }
      let end = x;
      while (end < width && data[row + end] < ink) end++;
      if (end - x >= minRun) out.fill(255, row + x, row + end);
      x = end;
    }
  }
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; ) {
      if (data[y * width + x] >= ink) {
        y++;
        continue;
      }
      let end = y;
      while (end < height && data[end * width + x] < ink) end++;
      if (end - y >= minRun) for (let k = y; k < end; k++) out[k * width + x] = 255;
      y = end;
    }
  }
  return { width, height, data: out };
}

/** Unread text-like tiles in a row, this many or more with gaps of at most one, are a line OCR skipped. */
const MISSED_LINE_TILES = 3;

/**
 * Tiles of 16 px that look like text (between 8% and 60% of their pixels far from the
 * tile's most common level: strokes, not a rule or a filled block) and that no word box
 * touches: how many, their share of all such tiles, and where they run along a row of
 * tiles for three tiles or more (a line the reading skipped whole: tesseract drops a line
 * of a page now and then, and reads it alone), as boxes half a tile taller each way,
 * joined where they overlap.
 */
export function unreadInk(image: GreyImage, words: readonly Box[]): { tiles: number; share: number; lines: Box[] } {
  const size = 16;
  const { width, height, data } = image;
  const { modes, cols } = tileModes(image, size);
  const rows = Math.ceil(height / size);
  const covered = new Uint8Array(cols * rows);
  for (const w of words) {
    for (let ty = Math.max(0, Math.floor(w.y / size)); ty <= Math.min(rows - 1, Math.floor((w.y + w.h - 1) / size)); ty++) {
      for (let tx = Math.max(0, Math.floor(w.x / size)); tx <= Math.min(cols - 1, Math.floor((w.x + w.w - 1) / size)); tx++) covered[ty * cols + tx] = 1;
    }
  }
  let texty = 0;
  let unread = 0;
  const runs: Box[] = [];
  for (let ty = 0; ty < rows; ty++) {
    let run: { from: number; to: number; count: number } | undefined;
    const close = () => {
      if (run && run.count >= MISSED_LINE_TILES) {
        const y = Math.max(0, ty * size - size / 2);
        const x = run.from * size;
        runs.push({ x, y, w: Math.min(width, (run.to + 1) * size) - x, h: Math.min(height, (ty + 1) * size + size / 2) - y });
      }
      run = undefined;
    };
    for (let tx = 0; tx < cols; tx++) {
      const bg = modes[ty * cols + tx];
      let far = 0;
      let n = 0;
      for (let y = ty * size; y < Math.min(height, (ty + 1) * size); y++) {
        for (let x = tx * size; x < Math.min(width, (tx + 1) * size); x++, n++) if (Math.abs(data[y * width + x] - bg) > 40) far++;
      }
      if (far < 0.08 * n || far > 0.6 * n) continue;
      texty++;
      if (covered[ty * cols + tx]) continue;
      unread++;
      if (run && tx - run.to <= 2) {
        run.to = tx;
        run.count++;
      } else {
        close();
        run = { from: tx, to: tx, count: 1 };
      }
    }
    close();
  }
  // Runs on neighbouring rows of tiles (one line across two) become one box.
  const lines: Box[] = [];
  for (const r of runs) {
    const hit = lines.find((l) => l.x < r.x + r.w && r.x < l.x + l.w && l.y < r.y + r.h && r.y < l.y + l.h);
    if (!hit) {
      lines.push({ ...r });
      continue;
    }
    const x1 = Math.max(hit.x + hit.w, r.x + r.w);
    const y1 = Math.max(hit.y + hit.h, r.y + r.h);
    hit.x = Math.min(hit.x, r.x);
    hit.y = Math.min(hit.y, r.y);
    hit.w = x1 - hit.x;
    hit.h = y1 - hit.y;
  }
  return { tiles: unread, share: texty ? unread / texty : 0, lines };
}
