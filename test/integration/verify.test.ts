import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { ManifestSchema } from '../../src/manifest.js';
import { PII_TYPES, type Box } from '../../src/pii/types.js';
import { redactVideo } from '../../src/pipeline/redact.js';
import { measureExposure } from '../../src/synth/exposure.js';
import { writeScene } from '../../src/synth/render.js';
import { probeVideo } from '../../src/media/probe.js';
import { createTesseractEngine } from '../../src/ocr/tesseract.js';
import type { OcrEngine } from '../../src/ocr/types.js';
import { detectOptions } from '../../src/pipeline/redact.js';
import { chatScene, profileScene } from '../../src/synth/scenarios.js';
import { findPiiInFrames, sampleFrames } from '../../src/verify/verify.js';
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
    // Each finding's frame, type and box, never its value.
    expect(manifest.verification.firstPass).toHaveLength(manifest.verification.firstPassFindings);
    expect(manifest.verification.firstPass!.every((f) => f.type === 'email' && manifest.verification.frames.includes(f.frame))).toBe(true);
    expect(JSON.stringify(manifest.verification)).not.toContain('@');
    expect(manifest.verification.repass).toBe(true);
    expect(manifest.tracks.some((t) => t.detectors.some((d) => d.startsWith('verification:')))).toBe(true);
    const report = await measureExposure(input, out, truth);
    expect(report.exposedItemFrames).toBe(0);
  });

  it('reads with a fresh OCR engine made after each render when the process has grown, and closes every engine once', async () => {
    const made: Array<{ closes: number }> = [];
    const open = () => made.filter((m) => m.closes === 0).length;
    const openAtRender: number[] = [];
    const createOcr = async (workers: number) => {
      // Counted from when it is asked for: one being made is open.
      const record = { closes: 0 };
      made.push(record);
      const engine = await createTesseractEngine({ workers });
      return {
        ...engine,
        recognize: engine.recognize.bind(engine),
        close: async () => {
          record.closes++;
          await engine.close();
        },
      };
    };
    const out = join(dir, 'recycled.mp4');
    // Grown past 0 bytes: recycled before each of the two renders of a second pass.
    // Called as the first render begins; saying nothing was joined, the render is done here.
    const renderJoined = async () => {
      openAtRender.push(open());
      return undefined;
    };
    const result = await redactVideo({ input, output: out, config: parseConfig(blindToEmail) }, { createOcr, recycleOcrAbove: 0, renderJoined });
    expect(result.manifest.verification.repass).toBe(true);
    // No engine, and none being made, while the render runs.
    expect(openAtRender).toEqual([0]);
    expect(made).toHaveLength(3);
    expect(made.map((m) => m.closes)).toEqual([1, 1, 1]);
    expect((await measureExposure(input, out, truth)).exposedItemFrames).toBe(0);
  });

  /**
   * Engines made afresh each pass (recycled at 0 bytes): the analysis and the first
   * verification read with real tesseract; the second verification's engine also sees an
   * e-mail on every image it reads, as a line cut in half by a new mask can read as a value.
   */
  const secondPassSees = async (workers: number, made: number) => {
    const engine = await createTesseractEngine({ workers });
    if (made !== 3) return engine;
    const line = { words: [{ text: 'noise.read@example.org', confidence: 90, background: 250, box: { x: 8, y: 4, w: 160, h: 12 } }], box: { x: 8, y: 4, w: 160, h: 12 }, block: 99 };
    return {
      ...engine,
      recognize: async (image: Parameters<OcrEngine['recognize']>[0]) => {
        const result = await engine.recognize(image);
        return { lines: [...result.lines, line] };
      },
      close: () => engine.close(),
    };
  };

  it('masks what a second pass found in a third, and writes the output once a pass finds nothing', async () => {
    let made = 0;
    const out = join(dir, 'third.mp4');
    const result = await redactVideo(
      { input, output: out, config: parseConfig(blindToEmail) },
      { createOcr: (workers) => secondPassSees(workers, ++made), recycleOcrAbove: 0 },
    );
    const v = result.manifest.verification;
    expect(v.repass).toBe(true);
    expect(v.passFindings).toHaveLength(3);
    expect(v.passFindings![0]).toBe(v.firstPassFindings);
    expect(v.passFindings![1]).toBeGreaterThan(0);
    expect(v.passFindings![2]).toBe(0);
    expect(result.manifest.tracks.filter((t) => t.detectors.some((d) => d.startsWith('verification:'))).length).toBeGreaterThan(v.firstPassFindings);
    expect((await measureExposure(input, out, truth)).exposedItemFrames).toBe(0);
  });

  it('fails the job after its last allowed pass still finds something', async () => {
    let made = 0;
    const sub = join(dir, 'two-passes');
    await import('node:fs/promises').then((fs) => fs.mkdir(sub));
    const run = redactVideo(
      { input, output: join(sub, 'out.mp4'), config: parseConfig({ ...blindToEmail, verification: { ...blindToEmail.verification, maxRepasses: 1 } }) },
      { createOcr: (workers) => secondPassSees(workers, ++made), recycleOcrAbove: 0 },
    );
    await expect(run).rejects.toThrow(/still shows PII after 2 passes .*email at/);
    expect(await readdir(sub)).toEqual([]);
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

describe('verification reading only what changed', () => {
  it('finds every value a whole-frame reading finds, on a chat whose messages arrive, reading less', async () => {
    const chat = join(dir, 'chat.mp4');
    const chatTruth = await writeScene(chatScene({ ...SMALL, seconds: 4 }), chat);
    const config = parseConfig({});
    const info = await probeVideo(chat, config);
    const frames = sampleFrames(info, { everySec: 0.25 });
    const tesseract = await createTesseractEngine({ workers: 2 });
    let pixels = 0;
    const counting: OcrEngine = {
      recognize: (image) => {
        pixels += image.width * image.height;
        return tesseract.recognize(image);
      },
      close: () => tesseract.close(),
    };
    const options = { detect: detectOptions(config), upscale: { minTextHeight: 14, maxScale: 3 }, workers: 2, changeThreshold: 10 };
    try {
      const whole = await findPiiInFrames(chat, info, frames, counting, { ...options, wholeFrames: true });
      const wholePixels = pixels;
      pixels = 0;
      const changed = await findPiiInFrames(chat, info, frames, counting, options);
      // Every value found reading whole frames is found reading changes, where and when it
      // first showed (OCR may spell it differently in a band than in the whole frame).
      const firsts = (found: typeof whole) =>
        found.filter((f) => !found.some((g) => g.frame < f.frame && g.type === f.type && overlap(g.box, f.box)));
      const overlap = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
      expect(firsts(whole).length).toBeGreaterThanOrEqual(3);
      for (const f of firsts(whole)) {
        expect(changed.some((g) => g.frame === f.frame && g.type === f.type && overlap(g.box, f.box)), `${f.type} at frame ${f.frame}`).toBe(true);
      }
      expect(pixels).toBeLessThan(0.5 * wholePixels);
      expect(chatTruth.items.some((i) => i.kind === 'pii')).toBe(true);
    } finally {
      await counting.close();
    }
  });
});
