/// <reference lib="dom" />
/**
 * The service in a real browser: Debian's Chromium (never a downloaded one) driven by
 * playwright-core. A QA user signs in, drops a generated recording on the upload page,
 * watches the progress bar reach done, opens the review page and sees the player, the
 * timeline of masked regions and the verdict; a reviewer opens the spot-check sheet.
 * Screenshots are saved under test-output/browser/.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeScene } from '../../src/synth/render.js';
import { profileScene } from '../../src/synth/scenarios.js';
import { ROOT, SMALL, tempDir } from '../helpers.js';
import { startTestService, TOKENS } from '../service-helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = join(ROOT, 'test-output', 'browser');

let dir: string;
let cleanup: () => Promise<void>;
let sample: string;
let running: Awaited<ReturnType<typeof startTestService>>;
let browser: Browser;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('veil-browser-'));
  await mkdir(OUT, { recursive: true });
  sample = join(dir, 'call.mp4');
  await writeScene(profileScene({ ...SMALL, seconds: 3, seed: 52 }), sample);
  running = await startTestService(join(dir, 'data'), 64 * 1024 * 1024);
  running.startWorker();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // This machine has no internet: keep Chromium from trying to reach it.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  await running?.close();
  await cleanup();
});

async function signIn(token: string, path: string) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  const first = await page.goto(`${running.url}${path}`);
  expect(first?.status()).toBe(401);
  await page.fill('#token', token);
  await Promise.all([page.waitForURL(`${running.url}${path}`), page.click('button[type=submit]')]);
  // The browser logs the expected 401 of the first visit; count only what comes after.
  errors.length = 0;
  return { context, page, errors };
}

describe('veil serve in Chromium', () => {
  let reviewUrl: string;

  it('uploads by drag-and-drop, shows progress to done, and reviews the redacted recording', async () => {
    const { context, page, errors } = await signIn(TOKENS.uploader, '/upload');
    await expect(page.locator('h1').textContent()).resolves.toBe('Upload a recording');

    // Drop the file on the drop zone the way a browser does: a DataTransfer holding a File.
    const bytes = (await readFile(sample)).toString('base64');
    const dataTransfer = await page.evaluateHandle((b64) => {
      const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([raw], 'call.mp4', { type: 'video/mp4' }));
      return dt;
    }, bytes);
    await page.dispatchEvent('#drop', 'dragenter', { dataTransfer });
    await page.dispatchEvent('#drop', 'drop', { dataTransfer });
    await expect(page.locator('#drop-help').textContent()).resolves.toMatch(/^Chosen: a \d+ KiB recording$/);
    await page.click('#send');

    await page.waitForSelector('#review-link', { timeout: 150_000 });
    expect(await page.locator('#review-link').textContent()).toBe('Review the redacted recording');
    expect(await page.locator('#upload-progress').evaluate((el) => (el as HTMLProgressElement).value)).toBe(100);
    expect(await page.locator('#redact-progress').evaluate((el) => (el as HTMLProgressElement).value)).toBe(100);
    expect(await page.locator('#redact-text').textContent()).toBe('done');
    await page.screenshot({ path: join(OUT, 'upload-done.png'), fullPage: true });

    await Promise.all([page.waitForURL(/\/recordings\/rec-[0-9a-f]{32}$/), page.click('#review-link')]);
    reviewUrl = page.url();
    await page.waitForSelector('#timeline');
    const bars = page.locator('#timeline rect.bar-pii');
    expect(await bars.count()).toBeGreaterThan(0);
    const rows = page.locator('#tracks tbody tr');
    expect(await rows.count()).toBe(await page.locator('#timeline rect.bar').count());
    expect(await page.locator('#verdict').textContent()).toMatch(/^Verified:.*no PII found/);
    // The player has the redacted video: its metadata loads from the range-serving route.
    const duration = await page.locator('#player').evaluate(
      (v: HTMLVideoElement) =>
        new Promise<number>((resolve) => {
          if (v.readyState >= 1) resolve(v.duration);
          v.addEventListener('loadedmetadata', () => resolve(v.duration), { once: true });
          v.addEventListener('error', () => resolve(-1), { once: true });
        }),
    );
    expect(duration).toBeGreaterThan(2.5);
    // Clicking a masked region seeks the player to its start.
    await page.locator('#tracks button.seek').last().click();
    const seekTo = Number(await page.locator('#tracks button.seek').last().getAttribute('data-start'));
    expect(await page.locator('#player').evaluate((v: HTMLVideoElement) => v.currentTime)).toBeCloseTo(seekTo, 1);
    await page.screenshot({ path: join(OUT, 'review.png'), fullPage: true });
    // An uploader has no spot-check link.
    expect(await page.locator('a[href$="/spot-check"]').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows a reviewer the contact sheet of the redacted output', async () => {
    const path = new URL(reviewUrl).pathname;
    const { context, page, errors } = await signIn(TOKENS.reviewer, path);
    await Promise.all([page.waitForURL(/\/spot-check$/), page.click('a[href$="/spot-check"]')]);
    const size = await page.locator('#sheet').evaluate(
      (img: HTMLImageElement) =>
        new Promise<number[]>((resolve) => {
          const done = () => resolve([img.naturalWidth, img.naturalHeight]);
          if (img.complete) done();
          else img.addEventListener('load', done, { once: true });
        }),
    );
    expect(size[0]).toBeGreaterThan(1000);
    expect(size[1]).toBeGreaterThan(300);
    await page.screenshot({ path: join(OUT, 'spot-check.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });
});
