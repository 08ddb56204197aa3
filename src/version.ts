import { readFileSync } from 'node:fs';

function findPackageJson(): { version: string } {
  for (const up of ['../package.json', '../../package.json']) {
    try {
      return JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8'));
    } catch {
      /* try the next */
    }
  }
  return { version: '0.0.0' };
}

export const VERSION: string = findPackageJson().version;
