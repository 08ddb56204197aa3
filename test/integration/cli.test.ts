import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestSchema } from '../../src/manifest.js';
import { writeScene } from '../../src/synth/render.js';
import { profileScene } from '../../src/synth/scenarios.js';
import { ROOT, SMALL, tempDir, veil } from '../helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

describe('veil redact (command line)', () => {
  it('prints one JSON summary line with --json and writes the manifest where asked', async () => {
    const input = join(dir, 'in.mp4');
    await writeScene(profileScene({ ...SMALL, seconds: 1 }), input);
    const manifest = join(dir, 'report.json');
    const result = await veil(['redact', input, '--out', join(dir, 'out.mp4'), '--manifest', manifest, '--json']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0]);
    expect(summary).toMatchObject({ ok: true, output: join(dir, 'out.mp4'), manifest, frames: 10 });
    expect(summary.tracks).toBeGreaterThanOrEqual(10);
    const parsed = ManifestSchema.parse(JSON.parse(await readFile(manifest, 'utf8')));
    expect(parsed.summary.tracks).toBe(summary.tracks);
    // Progress and results never carry the values that were masked.
    expect(result.stdout + result.stderr).not.toMatch(/@postmail|Sofia|4457/);
  });

  it('prints nothing with --quiet', async () => {
    const input = join(dir, 'in2.mp4');
    await writeScene(profileScene({ ...SMALL, seconds: 1, seed: 5 }), input);
    const result = await veil(['redact', input, '--out', join(dir, 'out2.mp4'), '--quiet']);
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('explains itself with --help, and that blur and pixelate are weaker', async () => {
    const result = await veil(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/veil redact <input> --out <output>/);
    expect(result.stdout).toMatch(/blur, pixelate: WEAKER/);
  });

  it('explains one command with "<command> --help" instead of running it', async () => {
    const verify = await veil(['verify', '--help']);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^veil verify <video>/);
    expect(verify.stdout).toMatch(/--every <s>/);
    expect(verify.stdout).not.toMatch(/veil redact <input>/);
    const worker = await veil(['worker', '-h']);
    expect(worker.code).toBe(0);
    expect(worker.stdout).toMatch(/veil worker/);
  });
});

describe('veil detect --jsonl', () => {
  it('writes one line of detections per input line, with string indices', async () => {
    const texts = ['Email: jane.doe@example.com', 'Ticket #48213 opened 2026-03-02', 'send to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq now'];
    const result = await veil(['detect', '--jsonl'], texts.map((text) => JSON.stringify({ text })).join('\n'));
    expect(result.code).toBe(0);
    const out = result.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out).toHaveLength(3);
    const spans = out.map((o, i) => o.detections.map((d: { type: string; start: number; end: number }) => [d.type, texts[i].slice(d.start, d.end)]));
    expect(spans[0]).toEqual([['email', 'jane.doe@example.com']]);
    expect(spans[1]).toEqual([]);
    expect(spans[2]).toEqual([['crypto_address', 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq']]);
  });

  it('reports a line that is not JSON and exits 2', async () => {
    const result = await veil(['detect', '--jsonl'], 'not json\n{"text":"ok"}\n');
    expect(result.code).toBe(2);
    const out = result.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out[0].error).toMatch(/line 1/);
    expect(out[1]).toEqual({ detections: [] });
  });
});

describe('veil serve (command line)', () => {
  it('refuses to start without a valid token list, saying how to give one', async () => {
    const none = await veil(['serve', '--root', join(dir, 'serve-none'), '--port', '0']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^veil: error: no tokens configured: pass --tokens <file.json> or set VEIL_TOKENS/);
    const file = join(dir, 'tokens.json');
    await writeFile(file, JSON.stringify({ tokens: [{ name: 'qa', role: 'superuser', token: 'short' }] }));
    const bad = await veil(['serve', '--root', join(dir, 'serve-bad'), '--port', '0', '--tokens', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/tokens\.0\.role.*tokens\.0\.token/);
  });

  it('serves until SIGTERM, printing its address', async () => {
    const file = join(dir, 'tokens-ok.json');
    await writeFile(file, JSON.stringify({ tokens: [{ name: 'qa', role: 'uploader', token: 'a-token-of-thirty-two-characters' }] }));
    const child = spawn(process.execPath, [join(ROOT, 'bin/veil.js'), 'serve', '--root', join(dir, 'serve-ok'), '--port', '0', '--tokens', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await new Promise<string>((res, rej) => {
      child.stdout.on('data', (d: Buffer) => res(d.toString().trim()));
      child.once('exit', (code) => rej(new Error(`exited ${code}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const me = await fetch(`${url}/api/me`, { headers: { Authorization: 'Bearer a-token-of-thirty-two-characters' } });
    expect(await me.json()).toEqual({ name: 'qa', role: 'uploader' });
    const exit = new Promise<number | null>((res) => child.once('exit', res));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });
});
