/**
 * `npm run bench:detect`: recall per entity (clean and OCR-damaged cases) and false
 * positives on negatives, for veil's detector and two npm PII libraries run on the same
 * cases and scored the same way. Two case sets: the project's own (test/detect-cases.ts,
 * generated, the detector was tuned on it) and an independent one (test/detect-independent.ts:
 * values from the formats' specifications, UI negatives; its OCR-damaged half is what
 * tesseract read from rendered text, test/fixtures/detect-ocr.json).
 */
import { OpenRedaction } from '@openredaction/openredaction';
import redactPii from 'redact-pii';
import { detectText } from '../src/pii/detect.js';
import { blackOut, caught, detectionCases, falsePositive, type DetectCase } from '../test/detect-cases.js';
import { independentWithOcr } from '../test/detect-independent.js';

type Redactor = (text: string) => Promise<string> | string;

async function main() {
  await report('the project\'s own case set (generated; the detector was tuned on it)', detectionCases());
  const fixture = new URL('../../test/fixtures/detect-ocr.json', import.meta.url).pathname;
  await report('the independent case set (specification values, UI negatives; OCR column: what tesseract read from rendered text)', independentWithOcr(fixture));
}

async function report(title: string, cases: DetectCase[]) {
  console.log(`\n== ${title}`);
  const syncRedactor = new redactPii.SyncRedactor();
  const open = new OpenRedaction();
  const systems: Record<string, Redactor> = {
    veil: (t) => blackOut(t, detectText(t)),
    'redact-pii': (t) => syncRedactor.redact(t),
    openredaction: async (t) => ((await open.detect(t)) as { redacted: string }).redacted,
  };
  const outputs: Record<string, string[]> = {};
  for (const [name, redact] of Object.entries(systems)) {
    outputs[name] = [];
    for (const c of cases) outputs[name].push(await redact(c.text));
  }
  const entities = [...new Set(cases.filter((c) => c.entity !== 'none').map((c) => c.entity))];
  const names = Object.keys(systems);
  const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : '-');
  const recall = (name: string, filter: (c: DetectCase) => boolean) => {
    const idx = cases.map((c, i) => [c, i] as const).filter(([c]) => filter(c));
    return [idx.filter(([c, i]) => caught(c, outputs[name][i])).length, idx.length] as const;
  };
  const col = (s: string) => s.padStart(15);
  console.log(`veil bench:detect: ${cases.length} cases (${cases.filter((c) => c.entity === 'none').length} negatives); recall = caught / cases\n`);
  console.log(`${'entity'.padEnd(16)}${'cases'.padStart(6)}${names.map((n) => col(`${n} clean`) + col(`${n} OCR`)).join('')}`);
  for (const e of entities) {
    const n = cases.filter((c) => c.entity === e && !c.damaged).length;
    const cells = names.map((name) => {
      const [a, b] = recall(name, (c) => c.entity === e && !c.damaged);
      const [x, y] = recall(name, (c) => c.entity === e && c.damaged);
      return col(pct(a, b)) + col(pct(x, y));
    });
    console.log(`${e.padEnd(16)}${String(n).padStart(6)}${cells.join('')}`);
  }
  const totals = names.map((name) => {
    const [a, b] = recall(name, (c) => c.entity !== 'none' && !c.damaged);
    const [x, y] = recall(name, (c) => c.entity !== 'none' && c.damaged);
    return col(pct(a, b)) + col(pct(x, y));
  });
  console.log(`${'all'.padEnd(16)}${''.padStart(6)}${totals.join('')}`);
  const negatives = cases.map((c, i) => [c, i] as const).filter(([c]) => c.entity === 'none');
  console.log(`\nfalse positives on ${negatives.length} negatives: ${names.map((name) => `${name} ${negatives.filter(([c, i]) => falsePositive(c, outputs[name][i])).length}`).join(', ')}`);
  for (const name of names) {
    const fp = negatives.filter(([c, i]) => falsePositive(c, outputs[name][i])).map(([c]) => c.text);
    if (fp.length) console.log(`  ${name}: ${fp.slice(0, 20).join(' | ')}${fp.length > 20 ? ` | ... (${fp.length - 20} more)` : ''}`);
  }
  const missed = cases.map((c, i) => [c, i] as const).filter(([c, i]) => c.entity !== 'none' && !caught(c, outputs.veil[i]));
  if (missed.length) console.log(`  veil missed (${missed.length}): ${missed.slice(0, 30).map(([c, i]) => `${c.entity}${c.damaged ? ' (OCR)' : ''}: ${outputs.veil[i]}`).join(' | ')}`);
}

main().catch((err) => {
  console.error(`bench:detect: ${(err as Error).message}`);
  process.exit(1);
});
