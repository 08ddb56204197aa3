/**
 * Readings of a line as tesseract might have got it wrong, so the recognizers can match
 * through OCR damage. Each variant maps its indices back to the original line.
 */

export interface Variant {
  text: string;
  /** origin[i]: index in the original text of the variant's character i. */
  origin: number[] | null;
}

const TO_DIGIT: Record<string, string> = {
  O: '0', o: '0', D: '0', Q: '0', l: '1', I: '1', i: '1', '|': '1', S: '5', s: '5', B: '8', Z: '2', z: '2', G: '6', b: '6', g: '9', q: '9',
};

/**
 * Letters read for digits, put back: in a token that holds a digit and whose every letter
 * is a usual confusion ("S5S", "2O26", "Z.672S"), those letters become digits. Words are
 * left alone. Same length as the input.
 */
export function digitsRestored(text: string): string {
  return text.replace(/[A-Za-z0-9|.,]+/g, (token) => {
    if (!/\d/.test(token)) return token;
    const letters = token.replace(/[\d.,]/g, '');
    if (!letters || ![...letters].every((c) => TO_DIGIT[c])) return token;
    return [...token].map((c) => TO_DIGIT[c] ?? c).join('');
  });
}

/**
 * Spaces OCR put inside long tokens removed: a single space between two runs of at least 4
 * token characters, one at least 8, with a digit or an @ between them ("0x047F40c1B
 * 76baZ462dd...", "jane@examp le.com"). Words next to a value ("to bc1q...") stay apart.
 */
export function spacesClosed(text: string): Variant {
  let out = '';
  const origin: number[] = [];
  for (let i = 0; i < text.length; i++) {
    // The leading digits of an amount split off at its decimal point ("Bl .6616 BTC",
    // "3\t.6616 BTC"): tesseract takes the gap for a column.
    if ((text[i] === ' ' || text[i] === '\t') && i > 0 && /^[.,]\d\d/.test(text.slice(i + 1))) {
      const head = /(?:^|[\s])([\w|]{1,3})$/.exec(text.slice(0, i))?.[1] ?? '';
      if (head && [...head].every((c) => /\d/.test(c) || TO_DIGIT[c])) continue;
    }
    if (text[i] === ' ' && i > 0 && i < text.length - 1) {
      const before = /[\w.@-]+$/.exec(text.slice(0, i))?.[0] ?? '';
      const after = /^[\w.@-]+/.exec(text.slice(i + 1))?.[0] ?? '';
      const joined = before + after;
      if (Math.max(before.length, after.length) >= 8 && Math.min(before.length, after.length) >= 4 && /[\d@]/.test(joined)) continue;
    }
    out += text[i];
    origin.push(i);
  }
  return { text: out, origin };
}

export function ocrVariants(text: string): Variant[] {
  const variants: Variant[] = [{ text, origin: null }];
  const digits = digitsRestored(text);
  if (digits !== text) variants.push({ text: digits, origin: null });
  for (const base of [text, digits]) {
    const closed = spacesClosed(base);
    if (closed.text === base) continue;
    variants.push(closed);
    // Closing a gap can join confused letters to digits ("Bl.6616"): restore those too.
    const restored = digitsRestored(closed.text);
    if (restored !== closed.text) variants.push({ text: restored, origin: closed.origin });
  }
  return variants;
}

/** Maps a span of a variant back to the original text. */
export function spanToOrigin(v: Variant, start: number, end: number): [number, number] {
  if (!v.origin) return [start, end];
  return [v.origin[start], v.origin[end - 1] + 1];
}
