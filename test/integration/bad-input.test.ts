import { mkdir, readdir, readFile, truncate, writeFile, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeScene } from '../../src/synth/render.js';
import { profileScene } from '../../src/synth/scenarios.js';
import { exec, SMALL, tempDir, veil } from '../helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let good: string;
let outDir: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  good = join(dir, 'good.mp4');
  await writeScene(profileScene({ ...SMALL, seconds: 1 }), good);
  outDir = join(dir, 'out');
  await mkdir(outDir);
});

afterAll(() => cleanup());

async function expectRejected(input: string, message: RegExp, extra: string[] = []) {
  const result = await veil(['redact', input, '--out', join(outDir, 'x.mp4'), ...extra]);
  expect(result.code).toBe(2);
  // Besides stage lines ("veil: probe"), one error line, last.
  const lines = result.stderr.trim().split('\n');
  const errors = lines.filter((l) => l.startsWith('veil: error: '));
  expect(errors).toHaveLength(1);
  expect(lines[lines.length - 1]).toBe(errors[0]);
  expect(lines.every((l) => /^veil: (error: |probe$)/.test(l))).toBe(true);
  expect(errors[0]).toMatch(message);
  expect(await readdir(outDir)).toEqual([]);
}

describe('veil redact rejects bad input with one clear line and exit code 2', () => {
  it('a file that is not a video', async () => {
    const path = join(dir, 'notes.mp4');
    await writeFile(path, 'Customer: Sofia Doe, card 4457 2265 7174 7923\n'.repeat(50));
    await expectRejected(path, /is not an MP4\/MOV or Matroska\/WebM video/);
  });

  it('a zero-byte file', async () => {
    const path = join(dir, 'empty.mp4');
    await writeFile(path, '');
    await expectRejected(path, /is empty \(0 bytes\)/);
  });

  it('a truncated file (index at the end, cut off)', async () => {
    const path = join(dir, 'cut.mp4');
    await copyFile(good, path);
    await truncate(path, Math.floor((await readFile(good)).length / 2));
    await expectRejected(path, /not a readable video/);
  });

  it('a truncated file (index first, frames cut off)', async () => {
    const fast = join(dir, 'fast.mp4');
    await exec('ffmpeg', ['-v', 'error', '-i', good, '-c', 'copy', '-movflags', '+faststart', fast]);
    await truncate(fast, Math.floor((await readFile(fast)).length * 0.6));
    await expectRejected(fast, /truncated/);
  });

  it('a file with no video stream', async () => {
    const path = join(dir, 'audio.m4a');
    await exec('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=duration=1', '-c:a', 'aac', path]);
    await expectRejected(path, /no video stream/);
  });

  it('dimensions over the configured limit', async () => {
    const config = join(dir, 'small-limit.json');
    await writeFile(config, JSON.stringify({ limits: { maxWidth: 320, maxHeight: 240 } }));
    await expectRejected(good, /640x360 is over the limit of 320x240/, ['--config', config]);
  });

  it('a path that does not exist', async () => {
    await expectRejected(join(dir, 'missing.mp4'), /does not exist/);
  });

  it('a directory instead of a file', async () => {
    await expectRejected(outDir, /not a regular file/);
  });

  it('a path outside the allowed roots', async () => {
    const config = join(dir, 'roots.json');
    await writeFile(config, JSON.stringify({ allowedRoots: [outDir] }));
    await expectRejected(good, /outside the allowed directories/, ['--config', config]);
  });

  it('an output name with an unknown container', async () => {
    const result = await veil(['redact', good, '--out', join(outDir, 'x.avi')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/must end in one of .mp4/);
  });

  it('an invalid configuration file', async () => {
    const config = join(dir, 'bad.json');
    await writeFile(config, JSON.stringify({ mask: { style: 'sparkles' } }));
    await expectRejected(good, /invalid config file .*mask\.style/, ['--config', config]);
  });

  it('a missing --out and an unknown option', async () => {
    expect((await veil(['redact', good])).stderr).toMatch(/needs --out/);
    const unknown = await veil(['redact', good, '--out', join(outDir, 'x.mp4'), '--fast']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--fast'/);
  });
});
