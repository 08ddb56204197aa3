import type { Readable } from 'node:stream';

/** An 8-bit grey frame: one byte a pixel, rows top to bottom. */
export interface GreyFrame {
  /** Index of the frame in the video (0-based), the `n` of ffmpeg's filters. */
  index: number;
  width: number;
  height: number;
  data: Buffer;
}

/**
 * Cuts a raw grey stream into frames, labelling them with the indices they were selected
 * at. Only one frame is held at a time besides the one being filled.
 */
export async function* readGreyFrames(
  stream: Readable,
  width: number,
  height: number,
  indices: readonly number[],
): AsyncGenerator<GreyFrame> {
  const size = width * height;
  let frame = Buffer.allocUnsafe(size);
  let filled = 0;
  let k = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(size - filled, chunk.length - offset);
      chunk.copy(frame, filled, offset, offset + take);
      filled += take;
      offset += take;
      if (filled === size) {
        if (k >= indices.length) throw new Error('the decoder returned more frames than were selected');
        yield { index: indices[k++], width, height, data: frame };
        frame = Buffer.allocUnsafe(size);
        filled = 0;
      }
    }
  }
  if (filled !== 0) throw new Error('the decoder stopped in the middle of a frame');
}
