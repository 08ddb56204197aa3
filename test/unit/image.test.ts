import { describe, expect, it } from 'vitest';
import { edgeStrips } from '../../src/pipeline/image.js';

/** A 200x60 grey band with dark "ink" rows [y0, y1) across x 20..180. */
function band(inkRows: Array<[number, number]>) {
  const width = 200;
  const height = 60;
  const data = Buffer.alloc(width * height, 220);
  for (const [y0, y1] of inkRows) for (let y = y0; y < y1; y++) for (let x = 20; x < 180; x += 3) data[y * width + x] = 30;
  return { width, height, data };
}

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
