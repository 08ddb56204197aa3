/**
 * Tests on the browser bench's pages rendered small in Debian's Chromium: each scene is
 * rendered, redacted with `veil redact` and scored against the truth the page measured.
 */
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import type { BrowserScenario } from '../bench/browser/pages.js';
import { launchChromium, renderBrowserScenario } from '../bench/browser/render.js';
import { measureExposure } from '../src/synth/exposure.js';
import { tempDir, veil } from './helpers.js';

/** Registers the suite's browser and temporary folder; call at the top of a test file. */
export function browserScenes(prefix: string) {
  let dir: string;
  let cleanup: () => Promise<void>;
  let browser: Browser;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir(prefix));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await cleanup();
  });
  return {
    /** Renders the scene, redacts it (which must succeed) and scores the output. */
    async redact(scene: BrowserScenario) {
      const input = join(dir, `${scene.name}.mp4`);
      const output = join(dir, `${scene.name}.out.mp4`);
      const truth = await renderBrowserScenario(browser, scene, input);
      const result = await veil(['redact', input, '--out', output, '--quiet']);
      expect(result.code, result.stderr).toBe(0);
      return { truth, exposure: await measureExposure(input, output, truth) };
    },
  };
}
