/**
 * Looks for the raw values of a recording's ground truth in what veil wrote outside the
 * video (manifests, reports, logs, job data): any value whole, or any whitespace-separated
 * piece of one that is five characters or longer, case-insensitively. For the bench and
 * the tests: a hit is a leak.
 */
export interface LeakHit {
  /** Where it was found (a file name or "stderr"), and the type of the value. */
  where: string;
  type: string;
}

export function pieces(value: string): string[] {
  const whole = value.trim().toLowerCase();
  const parts = whole.split(/[\s,]+/).filter((p) => p.length >= 5);
  return [...new Set([whole, ...parts])].filter((p) => p.length >= 4);
}

export function findLeaks(texts: Record<string, string>, values: ReadonlyArray<{ text: string; type?: string }>): LeakHit[] {
  const hits: LeakHit[] = [];
  for (const [where, text] of Object.entries(texts)) {
    const haystack = text.toLowerCase();
    for (const v of values) {
      if (pieces(v.text).some((p) => haystack.includes(p))) hits.push({ where, type: v.type ?? 'unknown' });
    }
  }
  return hits;
}
