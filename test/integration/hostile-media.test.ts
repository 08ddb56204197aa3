/**
 * Inputs built to make ffmpeg read other files, hang, or spend without bound. Each must be
 * refused with exit code 2 and one error line that names no path, and leave nothing behind.
 */
import { copyFile, mkdir, readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeScene } from '../../src/synth/render.js';
import { profileScene } from '../../src/synth/scenarios.js';
import { exec, SMALL, tempDir, veil } from '../helpers.js';
import { hostileMedia, type HostileCase } from '../hostile-media.js';

let dir: string;
let cleanup: () => Promise<void>;
let allowed: string;
let outDir: string;
let cases: HostileCase[];
let config: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  allowed = join(dir, 'allowed');
  outDir = join(allowed, 'out');
  await mkdir(outDir, { recursive: true });
  // A real video outside the allowed roots, which the playlists name.
  const outside = join(dir, 'outside');
  await mkdir(outside);
  const good = join(outside, 'good.mp4');
  await writeScene(profileScene({ ...SMALL, seconds: 1 }), good);
  cases = await hostileMedia(allowed, good);
  config = join(dir, 'roots.json');
  await writeFile(config, JSON.stringify({ allowedRoots: [allowed] }));
}, 60_000);

afterAll(() => cleanup());

describe('hostile media is refused before ffmpeg reads anything it names', () => {
  it('every case: exit 2, one clear line naming no path, nothing written', async () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
    for (const c of cases) {
      const started = Date.now();
      const result = await veil(['redact', c.path, '--out', join(outDir, 'x.mp4'), '--config', config]);
      const errors = result.stderr.split('\n').filter((l) => l.startsWith('veil: error: '));
      expect({ case: c.name, code: result.code }).toEqual({ case: c.name, code: 2 });
      expect(errors, c.name).toHaveLength(1);
      expect(errors[0], c.name).toMatch(c.message);
      // No path and no part of a name: the names hold a person's name on purpose.
      expect(errors[0], c.name).not.toContain(dir);
      expect(errors[0], c.name).not.toMatch(/Jane|Doe|\.mp4|\.mkv|outside/);
      expect(result.stdout, c.name).toBe('');
      // A live playlist never ends; nothing may wait for it.
      expect(Date.now() - started, c.name).toBeLessThan(20_000);
      expect(await readdir(outDir), c.name).toEqual([]);
    }
  });

  it('a real recording given the name of a playlist protocol is read as the file it is', async () => {
    const tricky = join(allowed, 'concat:subfile,,start,0,end,10,,:Jane Doe.mp4');
    await copyFile(cases.find((c) => c.name === 'hls-vod')!.target, tricky);
    const result = await veil(['redact', tricky, '--out', join(outDir, 'tricky.mp4'), '--config', config, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect((await readdir(outDir)).sort()).toEqual(['tricky.mp4', 'tricky.mp4.manifest.json']);
    const manifest = JSON.parse(await readFile(join(outDir, 'tricky.mp4.manifest.json'), 'utf8'));
    expect(manifest.input.frameCount).toBe(10);
    expect(JSON.stringify(manifest)).not.toMatch(/Jane|concat/);
    for (const f of await readdir(outDir)) await exec('rm', ['-f', join(outDir, f)]);
  }, 60_000);

  it('a manifest path outside the allowed roots is refused and nothing is written', async () => {
    const good = cases.find((c) => c.name === 'hls-vod')!.target;
    const inside = join(allowed, 'ok.mp4');
    await copyFile(good, inside);
    const result = await veil(['redact', inside, '--out', join(outDir, 'ok.out.mp4'), '--manifest', join(dir, 'm.json'), '--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the manifest directory is outside the allowed directories/);
    expect(await readdir(outDir)).toEqual([]);
    expect(await readdir(dir)).not.toContain('m.json');
  });

  it('a recording whose name and content disagree is redacted once, its audio fitted to the container', async () => {
    // Matroska with H.264 and AAC, named .webm: WebM takes neither codec as it is.
    const source = join(dir, 'with-audio.mp4');
    await writeScene(profileScene({ ...SMALL, seconds: 1, audio: true }), source);
    const named = join(allowed, 'call.webm');
    await exec('ffmpeg', ['-v', 'error', '-i', source, '-c', 'copy', '-f', 'matroska', named]);
    const out = join(outDir, 'call.out.webm');
    const result = await veil(['redact', named, '--out', out, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const { stdout } = await exec('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', out]);
    expect(stdout.trim().split('\n').sort()).toEqual(['opus', 'vp9']);
    for (const f of await readdir(outDir)) await exec('rm', ['-f', join(outDir, f)]);
  }, 90_000);

  it('a truncated index is bad input, not a crash', async () => {
    const cut = join(allowed, 'cut-moov.mp4');
    const fast = join(dir, 'fast.mp4');
    await exec('ffmpeg', ['-v', 'error', '-i', cases.find((c) => c.name === 'hls-vod')!.target, '-c', 'copy', '-movflags', '+faststart', fast]);
    await copyFile(fast, cut);
    await truncate(cut, 200);
    const result = await veil(['redact', cut, '--out', join(outDir, 'x.mp4')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/veil: error: the input (is not a readable video|has no video stream)/);
  });
});
