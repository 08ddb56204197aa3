/**
 * `npm run bench:detect`: recall per entity (clean and OCR-damaged cases) and false
 * positives on negatives, for veil's detector and two npm PII libraries run on the same
 * cases and scored the same way (test/detect-cases.ts).
 */
import { OpenRedaction } from '@openredaction/openredaction';
import redactPii from 'redact-pii';
import { detectText } from '../src/pii/detect.js';
import { blackOut, caught, detectionCases, falsePositive, type DetectCase } from '../test/detect-cases.js';

type Redactor = (text: string) => Promise<string> | string;

async function main() {
  const cases = detectionCases();
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
    if (fp.length) console.log(`  ${name}: ${fp.join(' | ')}`);
  }
}

main().catch((err) => {
  console.error(`bench:detect: ${(err as Error).message}`);
  process.exit(1);
});
