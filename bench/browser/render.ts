/// <reference lib="dom" />
/**
 * Renders a browser scenario to an mp4 with exact per-frame truth: Debian's Chromium,
 * driven by playwright-core, sets the page's state for each frame's time, measures every
 * visible text fragment (PII or not) and takes a screenshot, which goes to ffmpeg as it
 * comes. The truth is written beside the video as `<video>.truth.json`, in the same form
 * as the synthetic scenes' (with per-frame boxes).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';
import type { PiiType } from '../../src/pii/types.js';
import type { GroundTruth, TruthItem } from '../../src/synth/scene.js';
import { pageHtml, type BrowserScenario } from './pages.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // No internet here: keep Chromium from trying to reach it.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--font-render-hinting=none'],
  });
}

type Fragment = [key: string, kind: 'pii' | 'text', type: string, text: string, x: number, y: number, w: number, h: number];

export interface RenderOptions {
  /** The same page with its personal data hidden (what a perfect redaction shows). */
  oracle?: boolean;
  onProgress?: (frame: number, frames: number) => void;
}

export async function renderBrowserScenario(browser: Browser, s: BrowserScenario, path: string, options: RenderOptions = {}): Promise<GroundTruth> {
  const frames = Math.round(s.seconds * s.fps);
  const context = await browser.newContext({ viewport: { width: s.width, height: s.height }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setContent(pageHtml(s, options.oracle), { waitUntil: 'load' });
  await page.evaluate(() => document.fonts.ready);
  const cdp = await context.newCDPSession(page);
  const ff = spawn('ffmpeg', [
    '-hide_banner', '-loglevel', 'error',
    '-f', 'image2pipe', '-c:v', 'mjpeg', '-framerate', String(s.fps), '-i', '-',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '16', '-pix_fmt', 'yuv420p', '-g', String(s.fps * 4),
    '-f', 'mp4', '-y', path,
  ], { stdio: ['pipe', 'ignore', 'pipe'] });
  let ffErr = '';
  ff.stderr.on('data', (d: Buffer) => (ffErr += d.toString()));
  const exited = once(ff, 'close');
  const items: TruthItem[] = [];
  const index = new Map<string, number>();
  const frameBoxes: GroundTruth['frameBoxes'] = [];
  try {
    for (let n = 0; n < frames; n++) {
      const fragments = (await page.evaluate((t) => {
        (window as unknown as { __frame: (t: number) => void }).__frame(t);
        return (window as unknown as { __truth: () => unknown }).__truth();
      }, n / s.fps)) as Fragment[];
      if (errors.length) throw new Error(`page error in ${s.name}: ${errors[0]}`);
      const boxes: Array<[number, number, number, number, number]> = [];
      for (const [key, kind, type, text, x, y, w, h] of fragments) {
        let i = index.get(key);
        if (i === undefined) {
          i = items.length;
          index.set(key, i);
          items.push({ id: `f${i}`, kind, ...(kind === 'pii' ? { type: type as PiiType } : {}), text, box: { x, y, w, h }, from: n, to: n + 1, fixed: true });
        }
        items[i].to = n + 1;
        boxes.push([i, x, y, w, h]);
      }
      frameBoxes.push(boxes);
      const shot = (await cdp.send('Page.captureScreenshot', { format: 'jpeg', quality: 92, optimizeForSpeed: true })) as { data: string };
      if (!ff.stdin.write(Buffer.from(shot.data, 'base64'))) await Promise.race([once(ff.stdin, 'drain'), exited]);
      options.onProgress?.(n + 1, frames);
    }
    ff.stdin.end();
    const [code] = await exited;
    if (code !== 0) throw new Error(`encoding ${s.name} failed: ${ffErr.trim().split('\n').pop()}`);
  } finally {
    if (ff.exitCode === null) ff.kill('SIGKILL');
    await context.close();
  }
  const truth: GroundTruth = { name: s.name, width: s.width, height: s.height, fps: s.fps, frames, scroll: null, items, frameBoxes };
  await writeFile(`${path}.truth.json`, JSON.stringify(truth));
  return truth;
}
