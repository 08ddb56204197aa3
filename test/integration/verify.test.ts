import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { ManifestSchema } from '../../src/manifest.js';
import { PII_TYPES } from '../../src/pii/types.js';
import { redactVideo } from '../../src/pipeline/redact.js';
import { measureExposure } from '../../src/synth/exposure.js';
import { writeScene } from '../../src/synth/render.js';
import { profileScene } from '../../src/synth/scenarios.js';
import type { GroundTruth } from '../../src/synth/scene.js';
import { SMALL, tempDir, veil } from '../helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let input: string;
let truth: GroundTruth;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  input = join(dir, 'in.mp4');
  truth = await writeScene(profileScene({ ...SMALL, seconds: 2 }), input);
});
afterAll(() => cleanup());

// Analysis blind to e-mail addresses, verification not: the output shows e-mails.
const blindToEmail = {
  detection: { entities: PII_TYPES.filter((t) => t !== 'email') },
  verification: { entities: [...PII_TYPES] },
};

describe('the verification gate', () => {
  it('catches what the analysis missed and redacts once more with it', async () => {
    const out = join(dir, 'repass.mp4');
    const result = await redactVideo({ input, output: out, config: parseConfig(blindToEmail) });
    const manifest = ManifestSchema.parse(JSON.parse(await readFile(result.manifestPath, 'utf8')));
    expect(manifest.verification.firstPassFindings).toBeGreaterThan(0);
    expect(manifest.verification.repass).toBe(true);
    expect(manifest.tracks.some((t) => t.detectors.some((d) => d.startsWith('verification:')))).toBe(true);
    const report = await measureExposure(input, out, truth);
    expect(report.exposedItemFrames).toBe(0);
  });

  it('fails the job, writing nothing, when a finding remains and no second pass is allowed', async () => {
    const sub = join(dir, 'blocked');
    await import('node:fs/promises').then((fs) => fs.mkdir(sub));
    const run = redactVideo({
      input,
      output: join(sub, 'out.mp4'),
      config: parseConfig({ ...blindToEmail, verification: { ...blindToEmail.verification, repass: false } }),
    });
    await expect(run).rejects.toMatchObject({ name: 'VerificationError' });
    await expect(run).rejects.toThrow(/still shows PII .*email at/);
    await expect(run).rejects.not.toThrow(/@/);
    expect(await readdir(sub)).toEqual([]);
  });
});

describe('veil verify', () => {
  it('finds PII in an unredacted recording, prints masked values only, and writes a report and a sheet', async () => {
    const reportPath = join(dir, 'report.json');
    const sheet = join(dir, 'sheet.png');
    const result = await veil(['verify', input, '--every', '1', '--report', reportPath, '--sheet', sheet]);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/finding: email at \d+\.\d\d s .* s\*\*\*@postmail\.io/);
    expect(result.stdout).toMatch(/2 frames checked, \d+ findings/);
    const report = JSON.parse(await readFile(reportPath, 'utf8'));
    expect(report.findings.length).toBeGreaterThan(5);
    const raw = truth.items.filter((i) => i.kind === 'pii').map((i) => i.text);
    for (const text of raw) {
      expect(result.stdout).not.toContain(text);
      expect(JSON.stringify(report)).not.toContain(text);
    }
    expect((await stat(sheet)).size).toBeGreaterThan(1000);
  });

  it('passes a redacted recording, on a reproducible random sample', async () => {
    const out = join(dir, 'clean.mp4');
    await redactVideo({ input, output: out, config: parseConfig({}) });
    const a = await veil(['verify', out, '--sample', '3', '--seed', '7', '--json']);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.stdout)).toMatchObject({ ok: true, framesChecked: 3, findings: [] });
  });
});
