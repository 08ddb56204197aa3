import type { GreyImage } from './types.js';

/** Wraps grey pixels in a binary PGM header, a format tesseract reads without decoding cost. */
export function encodePgm(image: GreyImage): Buffer {
  const header = Buffer.from(`P5\n${image.width} ${image.height}\n255\n`, 'ascii');
  return Buffer.concat([header, image.data.subarray(0, image.width * image.height)]);
}
