import { describe, expect, it } from 'vitest';
import type { GreyImage } from '../../src/ocr/types.js';
import { edgeStrips, eraseRules, flattenBackground, sideStrips, trimBlankRows, trimToQuietRows, unreadInk } from '../../src/pipeline/image.js';

/** A 200x60 grey band with dark "ink" rows [y0, y1) across x 20..180. */
function band(inkRows: Array<[number, number]>) {
  const width = 200;
  const height = 60;
  const data = Buffer.alloc(width * height, 220);
  for (const [y0, y1] of inkRows) for (let y = y0; y < y1; y++) for (let x = 20; x < 180; x += 3) data[y * width + x] = 30;
  return { width, height, data };
}

describe('trimToQuietRows', () => {
  it('moves an edge that cuts a line inward, to the nearest quiet row', () => {
    expect(trimToQuietRows(band([[10, 30]]), { x: 0, y: 20, w: 200, h: 30 }, 16)).toEqual({ x: 0, y: 30, w: 200, h: 20 });
  });

  it('moves it outward over the line it cuts when a pointer leaves no quiet row inside', () => {
    const image = band([[10, 30]]);
    // A pointer from row 26 to the bottom: no quiet row below the top edge.
    for (let y = 26; y < 60; y++) for (let x = 100; x < 110; x++) image.data[y * 200 + x] = 0;
    expect(trimToQuietRows(image, { x: 0, y: 26, w: 200, h: 30 }, 32)).toEqual({ x: 0, y: 9, w: 200, h: 47 });
    // Not further than the limit.
    expect(trimToQuietRows(image, { x: 0, y: 26, w: 200, h: 30 }, 8)).toEqual({ x: 0, y: 26, w: 200, h: 30 });
  });
});

describe('edgeStrips', () => {
  it('finds a line cut by the top or bottom of the frame, shorter than a line', () => {
    const image = band([[0, 6], [12, 28], [50, 60]]);
    expect(edgeStrips(image, 16, { top: true, bottom: true })).toEqual([
      { x: 0, y: 0, w: 200, h: 6 },
      { x: 0, y: 50, w: 200, h: 10 },
    ]);
  });

  it('leaves whole lines, quiet borders, and borders that are not the frame\'s', () => {
    expect(edgeStrips(band([[0, 16]]), 16, { top: true, bottom: true })).toEqual([]);
    expect(edgeStrips(band([[4, 20]]), 16, { top: true, bottom: true })).toEqual([]);
    expect(edgeStrips(band([[0, 6]]), 16, { top: false, bottom: true })).toEqual([]);
  });
});

/** A 400x80 light frame with dark "text" blocks: each [x0, x1, y0, y1), letters 2 px wide with 1 px apart. */
function page(blocks: Array<[number, number, number, number]>) {
  const width = 400;
  const height = 80;
  const data = Buffer.alloc(width * height, 235);
  for (const [x0, x1, y0, y1] of blocks) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if ((x - x0) % 3 !== 2) data[y * width + x] = 40;
  return { width, height, data };
}

describe('sideStrips', () => {
  it('finds text cut by the left and right borders, up to the gap before the next cell', () => {
    // Cut on the left: ink from x 0 to 40, then a 30 px gap, then the next cell.
    // Cut on the right: a cell from 330 running off the frame.
    const image = page([[0, 40, 10, 22], [70, 150, 10, 22], [330, 400, 40, 52], [200, 300, 40, 52]]);
    expect(sideStrips(image, 12, { left: true, right: true })).toEqual([
      { x: 0, y: 9, w: 41, h: 14 },
      { x: 329, y: 39, w: 71, h: 14 },
    ]);
  });

  it('leaves text that does not touch the border, a rule down the whole border, and borders that are not the frame\'s', () => {
    expect(sideStrips(page([[6, 60, 10, 22]]), 12, { left: true, right: true })).toEqual([]);
    const ruled = page([[0, 40, 10, 22]]);
    for (let y = 0; y < ruled.height; y++) ruled.data[y * ruled.width] = 40;
    expect(sideStrips(ruled, 12, { left: true, right: false })).toEqual([]);
    expect(sideStrips(page([[0, 40, 10, 22]]), 12, { left: false, right: true })).toEqual([]);
  });

  it('stops a cut that finds no gap at forty line heights', () => {
    expect(sideStrips(page([[0, 400, 10, 16]]), 4, { left: true, right: false })).toEqual([{ x: 0, y: 9, w: 161, h: 8 }]);
  });
});

describe('sideStrips where the cut falls between characters', () => {
  it('takes text whose first ink is a few pixels from the border, with the height of all of it', () => {
    // ".com" cut before its dot: ink from x 3, the letters after it taller than the first.
    const image = page([[3, 30, 14, 22], [30, 60, 10, 22]]);
    expect(sideStrips(image, 12, { left: true, right: false })).toEqual([{ x: 0, y: 9, w: 60, h: 14 }]);
  });

  it('takes a cut whose only ink near the border is a dot one row high, with the letters after it', () => {
    // ".com" in 11 px text: the dot on the baseline row at x 1-2, the letters from x 5.
    const image = page([[1, 3, 21, 22], [5, 40, 16, 22]]);
    expect(sideStrips(image, 9, { left: true, right: false })).toEqual([{ x: 0, y: 15, w: 41, h: 8 }]);
    // A speck alone at the border is not text.
    expect(sideStrips(page([[1, 3, 21, 22]]), 9, { left: true, right: false })).toEqual([]);
  });

  it('leaves text a cell padding away from the border', () => {
    expect(sideStrips(page([[8, 60, 10, 22]]), 12, { left: true, right: true })).toEqual([]);
  });
});

describe('sideStrips on panels', () => {
  it('leaves a panel of another colour that runs off the border, and finds text cut on it', () => {
    const image = page([]);
    // A grey card from x 300 to the right border, rows 20..60.
    for (let y = 20; y < 60; y++) for (let x = 300; x < 400; x++) image.data[y * image.width + x] = 200;
    expect(sideStrips(image, 12, { left: false, right: true })).toEqual([]);
    // Text on the card, cut by the border.
    for (let y = 30; y < 40; y++) for (let x = 360; x < 400; x++) if (x % 3 !== 0) image.data[y * image.width + x] = 40;
    expect(sideStrips(image, 12, { left: false, right: true })).toEqual([{ x: 360, y: 29, w: 40, h: 12 }]);
  });
});

describe('trimBlankRows', () => {
  it('takes the rows with no ink off a word box that reaches past its glyphs', () => {
    const image = band([[20, 31], [40, 44]]);
    // A box from y 12 to 36 around the text at rows 20..30: the blank rows go, the box keeps its width.
    expect(trimBlankRows(image, { x: 18, y: 12, w: 150, h: 24 }, 220)).toEqual({ x: 18, y: 20, w: 150, h: 11 });
    // Ink of the row below inside the box is ink: the box is not cut between the two rows.
    expect(trimBlankRows(image, { x: 18, y: 12, w: 150, h: 34 }, 220)).toEqual({ x: 18, y: 20, w: 150, h: 24 });
  });

  it('keeps faint ink beside strong ink, drops noise, and leaves a box with no ink as it was', () => {
    const image = band([[20, 31]]);
    // Ink at a third of the text's contrast (a light accent) stays; a fringe at a sixth is noise.
    for (let x = 20; x < 180; x += 3) image.data[18 * 200 + x] = 160;
    for (let x = 20; x < 180; x += 3) image.data[14 * 200 + x] = 190;
    expect(trimBlankRows(image, { x: 18, y: 12, w: 150, h: 24 }, 220)).toEqual({ x: 18, y: 18, w: 150, h: 13 });
    expect(trimBlankRows(image, { x: 18, y: 2, w: 150, h: 10 }, 220)).toEqual({ x: 18, y: 2, w: 150, h: 10 });
  });
});

describe('a page dimmed behind a bright dialog', () => {
  // Left half: a page dimmed to 190 with text at 40; right half: a dialog at 250 with text at 30; 64x32.
  const image = (): GreyImage => {
    const width = 64;
    const height = 32;
    const data = Buffer.alloc(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const stroke = y % 8 < 3 && x % 4 === 1;
        data[y * width + x] = x < 32 ? (stroke ? 40 : 190) : stroke ? 30 : 250;
      }
    }
    return { width, height, data };
  };

  it('comes out as dark ink on white on both sides once its backgrounds are flattened', () => {
    const flat = flattenBackground(image());
    for (const x of [1, 33]) {
      expect(flat.data[0 * 64 + x], `stroke at x ${x}`).toBeLessThan(70);
      expect(flat.data[0 * 64 + x + 1], `background at x ${x + 1}`).toBe(255);
    }
  });

  it('counts text-like tiles no word touches', () => {
    const all = unreadInk(image(), []);
    expect(all.tiles).toBe(8);
    expect(all.share).toBe(1);
    // Four tiles a row with no word: one line skipped whole, over both rows of tiles.
    expect(all.lines).toEqual([{ x: 0, y: 0, w: 64, h: 32 }]);
    const half = unreadInk(image(), [{ x: 0, y: 0, w: 32, h: 32 }]);
    expect(half).toEqual({ tiles: 4, share: 0.5, lines: [] });
  });

  it('finds a line the reading skipped whole among lines it read, and not a lone icon', () => {
    // 320 x 96: text-like strokes on rows 8-13 (read), 40-45 (skipped) and 72-77 (read); an icon of one tile at x 288 on row 40.
    const width = 320;
    const height = 96;
    const data = Buffer.alloc(width * height, 245);
    for (const top of [8, 40, 72]) {
      for (let y = top; y < top + 6; y++) for (let x = 16; x < 240; x++) if (x % 4 === 1) data[y * width + x] = 30;
    }
    for (let y = 36; y < 50; y++) for (let x = 290; x < 302; x += 2) data[y * width + x] = 60;
    const read = [
      { x: 16, y: 8, w: 224, h: 6 },
      { x: 16, y: 72, w: 224, h: 6 },
    ];
    const { lines } = unreadInk({ width, height, data }, read);
    expect(lines).toEqual([{ x: 16, y: 24, w: 224, h: 32 }]);
  });
});

describe('rules erased before a second reading', () => {
  it('a dialog edge under a row of text is erased and the letters above it are kept', () => {
    const width = 300;
    const height = 20;
    const data = Buffer.alloc(width * height, 255);
    // Letters: 4 px strokes every 7 px on rows 2-11; a descender reaching row 13.
    for (let y = 2; y < 12; y++) for (let x = 10; x < 200; x += 7) data[y * width + x] = 20;
    data[12 * width + 17] = 20;
    data[13 * width + 17] = 20;
    // The dialog's top edge on row 13 from x 50 to the end, and its left edge down column 50.
    data.fill(30, 13 * width + 50, 14 * width);
    for (let y = 13; y < height; y++) data[y * width + 50] = 30;
    const out = eraseRules({ width, height, data }, 96);
    expect(out.data.subarray(13 * width + 50, 14 * width).every((v) => v === 255)).toBe(true);
    for (let y = 2; y < 12; y++) expect(out.data[y * width + 52], `letter row ${y}`).toBe(20);
    expect(out.data[13 * width + 17], 'a descender off the rule').toBe(20);
    // A column run shorter than minRun (the dialog's 7 px of left edge here) stays.
    expect(out.data[16 * width + 50]).toBe(30);
  });
});
