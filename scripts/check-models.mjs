// Verifies that every OCR model named in models/manifest.json is present and intact.
// The pipeline never downloads models: what is in models/ is all it can load.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('../models/', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
let bad = 0;
for (const model of manifest.models) {
  let sum;
  try {
    sum = createHash('sha256').update(readFileSync(join(dir, model.file))).digest('hex');
  } catch {
    console.error(`setup: error: models/${model.file} is missing; restore it from the repository (git checkout -- models).`);
    bad++;
    continue;
  }
  if (sum !== model.sha256) {
    console.error(`setup: error: models/${model.file} does not match its checksum in models/manifest.json.`);
    bad++;
  }
}
process.exit(bad ? 1 : 0);
