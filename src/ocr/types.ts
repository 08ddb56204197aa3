import type { Box } from '../pii/types.js';

export interface OcrWord {
  text: string;
  /** 0..100 as tesseract reports it. */
  confidence: number;
  box: Box;
  /** Grey level of the background around the word, set by the analysis for fill masks. */
  background?: number;
  /**
   * Where each character of `text` lies across the word, as [left, right] fractions of the
   * box's width (so they hold when the box is moved or scaled); absent when OCR gave no
   * character boxes that match the text.
   */
  chars?: Array<[number, number]>;
}

/** One line of text as OCR read it; `block` groups lines tesseract found together. */
export interface OcrLine {
  words: OcrWord[];
  box: Box;
  block: number;
}

export interface OcrResult {
  lines: OcrLine[];
}

/** An 8-bit grey image (a frame, or a crop of one). */
export interface GreyImage {
  width: number;
  height: number;
  data: Buffer;
}

export interface OcrEngine {
  /** Reads the text in `image`; boxes are in the image's coordinates. */
  recognize(image: GreyImage): Promise<OcrResult>;
  close(): Promise<void>;
}
