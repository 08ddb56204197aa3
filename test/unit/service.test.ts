import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../src/errors.js';
import type { Manifest } from '../../src/manifest.js';
import { can, loadTokens, parseTokens, presentedToken } from '../../src/service/auth.js';
import { escapeHtml, html, spotCheckFrames, timeline } from '../../src/service/pages.js';
import { formatBytes } from '../../src/service/upload.js';

describe('tokens', () => {
  const table = parseTokens(
    {
      tokens: [
        { name: 'qa-1', role: 'uploader', token: 'a-long-uploader-token' },
        { name: 'ops', role: 'admin', sha256: createHash('sha256').update('a-long-admin-token').digest('hex') },
      ],
    },
    'test',
  );

  it('finds the holder of a token given in clear or by hash, and nobody for anything else', () => {
    expect(table.lookup('a-long-uploader-token')).toEqual({ name: 'qa-1', role: 'uploader' });
    expect(table.lookup('a-long-admin-token')).toEqual({ name: 'ops', role: 'admin' });
    expect(table.lookup('a-long-uploader-tokeN')).toBeUndefined();
    expect(table.lookup('')).toBeUndefined();
    expect(table.lookup(undefined)).toBeUndefined();
  });

  it('rejects a bad token list naming every problem', () => {
    const bad = () =>
      parseTokens(
        {
          tokens: [
            { name: 'has space', role: 'uploader', token: 'short' },
            { name: 'x', role: 'root', token: 'long-enough-token-1' },
            { name: 'y', role: 'admin', token: 'long-enough-token-2', sha256: 'a'.repeat(64) },
          ],
        },
        'the token file t.json',
      );
    expect(bad).toThrow(BadInputError);
    expect(bad).toThrow(/tokens\.0\.name.*tokens\.0\.token.*tokens\.1\.role.*exactly one of token or sha256/s);
    expect(() => parseTokens({ tokens: [{ name: 'a', role: 'admin', token: 'x'.repeat(16) }, { name: 'a', role: 'uploader', token: 'y'.repeat(16) }] }, 't')).toThrow(/unique/);
    expect(() => parseTokens({ tokens: [] }, 't')).toThrow(BadInputError);
  });

  it('loads from VEIL_TOKENS, and says how to configure when nothing is given', async () => {
    const t = await loadTokens(undefined, { VEIL_TOKENS: JSON.stringify({ tokens: [{ name: 'r', role: 'reviewer', token: 'r'.repeat(20) }] }) });
    expect(t.lookup('r'.repeat(20))?.role).toBe('reviewer');
    await expect(loadTokens(undefined, {})).rejects.toThrow(/--tokens <file.json> or set VEIL_TOKENS/);
    await expect(loadTokens(undefined, { VEIL_TOKENS: '{not json' })).rejects.toThrow(/VEIL_TOKENS is not valid JSON/);
    await expect(loadTokens('/nonexistent/tokens.json', {})).rejects.toThrow(/cannot be read/);
  });

  it('grants each role its actions only', () => {
    expect(can({ name: 'u', role: 'uploader' }, 'upload')).toBe(true);
    expect(can({ name: 'u', role: 'uploader' }, 'view-all')).toBe(false);
    expect(can({ name: 'u', role: 'uploader' }, 'review')).toBe(false);
    expect(can({ name: 'r', role: 'reviewer' }, 'upload')).toBe(false);
    expect(can({ name: 'r', role: 'reviewer' }, 'review')).toBe(true);
    expect(can({ name: 'r', role: 'reviewer' }, 'dashboard')).toBe(false);
    for (const a of ['upload', 'view-own', 'view-all', 'review', 'dashboard'] as const) expect(can({ name: 'a', role: 'admin' }, a)).toBe(true);
  });

  it('reads a bearer header before the cookie', () => {
    expect(presentedToken({ authorization: 'Bearer abc', cookie: 'veil_token=def' })).toEqual({ token: 'abc', via: 'header' });
    expect(presentedToken({ authorization: 'Basic abc' })).toEqual({});
    expect(presentedToken({ cookie: 'a=1; veil_token=d%2Bf; b=2' })).toEqual({ token: 'd+f', via: 'cookie' });
    expect(presentedToken({})).toEqual({});
  });
});

describe('pages', () => {
  it('escapes everything interpolated unless it is markup already', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const evil = '<script>alert(1)</script>';
    expect(String(html`<p>${evil}</p>${html`<b>${evil}</b>`}`)).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><b>&lt;script&gt;alert(1)&lt;/script&gt;</b>');
  });

  it('draws one bar per masked region in its type lane, scaled to the duration', () => {
    const track = (id: number, kind: 'pii' | 'changing', types: string[], startSec: number, endSec: number) =>
      ({ id, kind, types, detectors: [], confidence: 1, fromFrame: 0, toFrame: 0, startSec, endSec, box: { x: 0, y: 0, w: 1, h: 1 }, masked: [] }) as unknown as Manifest['tracks'][number];
    const manifest = {
      input: { durationSec: 10 },
      tracks: [track(0, 'pii', ['email'], 0, 5), track(1, 'changing', [], 5, 10), track(2, 'pii', ['iban'], 2.5, 2.5)],
    } as unknown as Manifest;
    const svg = String(timeline(manifest));
    const bars = [...svg.matchAll(/<rect class="bar bar-(\w+)" data-start="([\d.]+)" x="([\d.]+)" y="(\d+)" width="([\d.]+)"/g)].map((m) => m.slice(1));
    // Lanes sorted by name: changing 0, email 1, iban 2; 870 px of span after a 130 px label column.
    expect(bars).toEqual([
      ['pii', '0', '130.0', '25', '435.0'],
      ['changing', '5', '565.0', '3', '435.0'],
      ['pii', '2.5', '347.5', '47', '2.0'],
    ]);
    expect(svg).toContain('<title>email 0:00.00–0:05.00</title>');
  });

  it('spreads spot-check frames over the whole recording', () => {
    expect(spotCheckFrames(5)).toEqual([0, 1, 2, 3, 4]);
    expect(spotCheckFrames(300, 4)).toEqual([0, 100, 199, 299]);
  });

  it('formats byte sizes', () => {
    expect(formatBytes(2 * 1024 * 1024)).toBe('2 MiB');
    expect(formatBytes(4 * 1024 ** 3)).toBe('4 GiB');
    expect(formatBytes(1536 * 1024)).toBe('1.5 MiB');
    expect(formatBytes(100)).toBe('100 bytes');
  });
});
