import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../src/errors.js';
import type { Manifest } from '../../src/manifest.js';
import { can, loadTokens, parseTokens, presentedToken } from '../../src/service/auth.js';
import { escapeHtml, html, spotCheckFrames, timeline } from '../../src/service/pages.js';
import { formatBytes } from '../../src/service/upload.js';
import { FailureLimiter, sameOrigin, SessionStore } from '../../src/service/sessions.js';

describe('tokens', () => {
  const table = parseTokens(
    {
      tokens: [
        { name: 'qa-1', role: 'uploader', token: 'a-long-uploader-token-of-32-chars' },
        { name: 'ops', role: 'admin', sha256: createHash('sha256').update('a-long-admin-token-of-32-characters').digest('hex') },
      ],
    },
    'test',
  );

  it('finds the holder of a token given in clear or by hash, and nobody for anything else', () => {
    expect(table.lookup('a-long-uploader-token-of-32-chars')).toEqual({ name: 'qa-1', role: 'uploader' });
    expect(table.lookup('a-long-admin-token-of-32-characters')).toEqual({ name: 'ops', role: 'admin' });
    expect(table.lookup('a-long-uploader-token-of-32-chars-of-32-charS')).toBeUndefined();
    expect(table.lookup('')).toBeUndefined();
    expect(table.lookup(undefined)).toBeUndefined();
  });

  it('rejects a bad token list naming every problem', () => {
    const bad = () =>
      parseTokens(
        {
          tokens: [
            { name: 'has space', role: 'uploader', token: 'short' },
            { name: 'x', role: 'root', token: 'long-enough-token-1-long-enough-1' },
            { name: 'y', role: 'admin', token: 'long-enough-token-2-long-enough-2', sha256: 'a'.repeat(64) },
          ],
        },
        'the token file t.json',
      );
    expect(bad).toThrow(BadInputError);
    expect(bad).toThrow(/tokens\.0\.name.*tokens\.0\.token.*tokens\.1\.role.*exactly one of token or sha256/s);
    expect(() => parseTokens({ tokens: [{ name: 'a', role: 'admin', token: 'x'.repeat(32) }, { name: 'a', role: 'uploader', token: 'y'.repeat(32) }] }, 't')).toThrow(/unique/);
    expect(() => parseTokens({ tokens: [] }, 't')).toThrow(BadInputError);
    // Under 32 characters is too guessable; `..` would name a directory of the owner list.
    expect(() => parseTokens({ tokens: [{ name: 'a', role: 'admin', token: 'x'.repeat(31) }] }, 't')).toThrow(/at least 32 characters/);
    expect(() => parseTokens({ tokens: [{ name: '..', role: 'admin', token: 'x'.repeat(32) }] }, 't')).toThrow(/tokens\.0\.name/);
  });

  it('loads from VEIL_TOKENS, and says how to configure when nothing is given', async () => {
    const t = await loadTokens(undefined, { VEIL_TOKENS: JSON.stringify({ tokens: [{ name: 'r', role: 'reviewer', token: 'r'.repeat(32) }] }) });
    expect(t.lookup('r'.repeat(32))?.role).toBe('reviewer');
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
    expect(presentedToken({ authorization: 'Bearer abc', cookie: 'veil_session=def' })).toEqual({ token: 'abc', via: 'header' });
    expect(presentedToken({ authorization: 'Basic abc' })).toEqual({});
    expect(presentedToken({ cookie: 'a=1; veil_session=d-f_9; b=2' })).toEqual({ session: 'd-f_9', via: 'cookie' });
    // A malformed cookie is no session, not an error.
    expect(presentedToken({ cookie: 'veil_session=%E0%A4%A' })).toEqual({});
    expect(presentedToken({ cookie: 'veil_session=' })).toEqual({});
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

describe('sessions and the sign-in throttle', () => {
  it('a session lasts its time to live, and sign-out ends it', () => {
    let now = 1_000;
    const store = new SessionStore(60_000, 100, () => now);
    const a = store.create({ name: 'qa-1', role: 'uploader' });
    const b = store.create({ name: 'qa-1', role: 'uploader' });
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(store.lookup(a)).toEqual({ name: 'qa-1', role: 'uploader' });
    store.revoke(a);
    expect(store.lookup(a)).toBeUndefined();
    now += 59_999;
    expect(store.lookup(b)?.name).toBe('qa-1');
    now += 1;
    expect(store.lookup(b)).toBeUndefined();
    expect(store.lookup(undefined)).toBeUndefined();
  });

  it('keeps at most its limit of sessions, dropping the oldest', () => {
    const store = new SessionStore(60_000, 3);
    const ids = [1, 2, 3, 4].map(() => store.create({ name: 'r', role: 'reviewer' }));
    expect(store.size).toBe(3);
    expect(store.lookup(ids[0])).toBeUndefined();
    expect(store.lookup(ids[3])).toBeDefined();
  });

  it('refuses an address after too many failures until its window has passed', () => {
    let now = 0;
    const limiter = new FailureLimiter(3, 10_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterSec('10.0.0.1')).toBe(0);
      limiter.fail('10.0.0.1');
      now += 1000;
    }
    expect(limiter.retryAfterSec('10.0.0.1')).toBe(7);
    expect(limiter.retryAfterSec('10.0.0.2')).toBe(0);
    now = 10_001;
    expect(limiter.retryAfterSec('10.0.0.1')).toBe(0);
  });

  it('takes a state change as our own only when the browser says so', () => {
    const own = 'http://127.0.0.1:8080';
    expect(sameOrigin({ 'sec-fetch-site': 'same-origin' }, own)).toBe(true);
    expect(sameOrigin({ 'sec-fetch-site': 'same-site', origin: own }, own)).toBe(false);
    expect(sameOrigin({ origin: own }, own)).toBe(true);
    expect(sameOrigin({ origin: 'http://127.0.0.1:8081' }, own)).toBe(false);
    expect(sameOrigin({}, own)).toBe(false);
  });
});
