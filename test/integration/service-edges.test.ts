/**
 * The web service as a hostile uploader and a careless operator meet it: hostile media,
 * originals that must not outlive their job, ownership under concurrent uploads,
 * connection time limits, the sign-in throttle, malformed requests and the dashboard.
 * Real Redis, real ffprobe; no worker runs, so what an upload leaves stays visible.
 */
import { connect } from 'node:net';
import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingRegistry } from '../../src/service/recordings.js';
import { FailureLimiter } from '../../src/service/sessions.js';
import { LocalStorage } from '../../src/storage/local.js';
import { writeScene } from '../../src/synth/render.js';
import { profileScene } from '../../src/synth/scenarios.js';
import { hostileMedia, type HostileCase } from '../hostile-media.js';
import { SMALL, tempDir } from '../helpers.js';
import { startTestService, TOKENS } from '../service-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let root: string;
let running: Awaited<ReturnType<typeof startTestService>>;
let url: string;
let cases: HostileCase[];
let sampleA: Buffer;
let sampleB: Buffer;
let sampleC: Buffer;
const logs: string[] = [];

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('veil-edges-'));
  const media = join(dir, 'media');
  await mkdir(media);
  const a = join(media, 'a.mp4');
  const b = join(media, 'b.mp4');
  const c = join(media, 'c.mp4');
  await writeScene(profileScene({ ...SMALL, seconds: 1, seed: 71 }), a);
  await writeScene(profileScene({ ...SMALL, seconds: 1, seed: 72 }), b);
  await writeScene(profileScene({ ...SMALL, seconds: 1, seed: 73 }), c);
  [sampleA, sampleB, sampleC] = await Promise.all([readFile(a), readFile(b), readFile(c)]);
  cases = await hostileMedia(media, a);
  root = join(dir, 'data');
  running = await startTestService(root, 4 * 1024 * 1024, {
    trustProxy: true,
    timeouts: { headersMs: 1500, idleMs: 1500, requestMs: 60_000 },
    limiter: new FailureLimiter(3, 60_000),
    log: (line) => void logs.push(line),
  });
  url = running.url;
}, 120_000);

afterAll(async () => {
  await running?.close();
  await cleanup();
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const upload = (body: Buffer, token: string, ext = '.mp4', headers: Record<string, string> = {}) =>
  fetch(`${url}/api/recordings?ext=${ext}`, { method: 'POST', headers: { ...bearer(token), ...headers }, body: new Uint8Array(body) });
const list = async (sub: string) => (await readdir(join(root, sub)).catch(() => [] as string[])).sort();

describe('hostile uploads', () => {
  it('each is refused with 422 and one clear message naming no path; nothing is kept', async () => {
    for (const c of cases) {
      const started = Date.now();
      const res = await upload(await readFile(c.path), TOKENS.uploader);
      const body = (await res.json()) as { error: string };
      expect({ case: c.name, status: res.status }).toEqual({ case: c.name, status: 422 });
      expect(body.error, c.name).toMatch(new RegExp(c.message.source.replaceAll('the input', 'the upload')));
      expect(body.error, c.name).not.toContain(dir);
      expect(body.error, c.name).not.toMatch(/Jane|\.mp4|\.mkv|\/(tmp|work|root|home)\//);
      expect(Date.now() - started, c.name).toBeLessThan(10_000);
    }
    expect(await list('service/uploads')).toEqual([]);
    expect(await list('inbox')).toEqual([]);
  });

  it('a playlist answers the same whether the file it names exists or not', async () => {
    const playlist = (target: string) => Buffer.from(`#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:1.0,\n${target}\n#EXT-X-ENDLIST\n`);
    const existing = await upload(playlist(cases[0].target), TOKENS.uploader);
    const missing = await upload(playlist(join(dir, 'no-such-file.ts')), TOKENS.uploader);
    expect(existing.status).toBe(422);
    expect(missing.status).toBe(422);
    expect(await existing.text()).toBe(await missing.text());
  });
});

describe('originals', () => {
  it('the same content under two extensions is stored once, 0600', async () => {
    const first = await upload(sampleA, TOKENS.uploader, '.mp4');
    const second = await upload(sampleA, TOKENS.uploader, '.mov');
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    const id = ((await first.json()) as { id: string }).id;
    expect(((await second.json()) as { id: string }).id).toBe(id);
    expect(await list('inbox')).toEqual([`${id}.mp4`]);
    expect((await stat(join(root, 'inbox', `${id}.mp4`))).mode & 0o777).toBe(0o600);
    expect(await list('service/uploads')).toEqual([]);
    const owner = await stat(join(root, 'service/owners', id, 'qa-1'));
    expect(owner.mode & 0o777).toBe(0o640);
  });

  it('a re-upload of a recording that failed keeps no second copy', async () => {
    const first = await upload(sampleB, TOKENS.uploader);
    const { id } = (await first.json()) as { id: string };
    // As a worker does on a permanent failure.
    const storage = new LocalStorage(root);
    await storage.quarantine(id, '.mp4', { kind: 'bad-input', message: 'the video cannot be decoded', attempts: 1 });
    expect((await stat(join(root, 'quarantine', `${id}.mp4`))).mode & 0o777).toBe(0o600);
    const again = await upload(sampleB, TOKENS.uploader2);
    expect(again.status).toBe(201);
    expect(await again.json()).toMatchObject({ id, state: 'failed', error: { kind: 'bad-input' } });
    expect((await list('inbox')).filter((n) => n.startsWith(id))).toEqual([]);
    expect((await list('quarantine')).filter((n) => n.startsWith(id))).toEqual([`${id}.mp4`, `${id}.reason.json`]);
    // The second uploader owns it too and sees why it failed.
    const status = await fetch(`${url}/api/recordings/${id}`, { headers: bearer(TOKENS.uploader2) });
    expect(status.status).toBe(200);
  });

  it('partial uploads and stale temporary files are swept when the service starts', async () => {
    const uploads = join(root, 'service/uploads');
    await writeFile(join(uploads, '.upload-0123456789abcdef'), 'half an upload');
    const stale = join(root, 'inbox', '.rec-0123.abcd.partial');
    await writeFile(stale, 'half a copy');
    const old = new Date(Date.now() - 2 * 3600_000);
    await utimes(stale, old, old);
    const fresh = join(root, 'archive', '.rec-4567.abcd.partial');
    await mkdir(fresh);
    await new RecordingRegistry(new LocalStorage(root), { job: async () => undefined }).init();
    expect(await list('service/uploads')).toEqual([]);
    expect((await list('inbox')).filter((n) => n.startsWith('.'))).toEqual([]);
    // A live write of another worker (younger than an hour) is left alone.
    expect(await list('archive')).toContain('.rec-4567.abcd.partial');
  });
});

describe('ownership', () => {
  it('two uploaders of one file at once both own it (20 trials)', async () => {
    const registry = new RecordingRegistry(new LocalStorage(root), { job: async () => undefined });
    for (let i = 0; i < 20; i++) {
      const id = `rec-${i.toString(16).padStart(32, '0')}`;
      await Promise.all([registry.addOwner(id, 'qa-1'), registry.addOwner(id, 'qa-2'), registry.addOwner(id, 'qa-1')]);
      expect((await registry.owners(id))?.owners.sort()).toEqual(['qa-1', 'qa-2']);
    }
  });

  it('and over HTTP: both uploads answer 201 and each uploader sees the recording', async () => {
    const [r1, r2] = await Promise.all([upload(sampleC, TOKENS.uploader), upload(sampleC, TOKENS.uploader2)]);
    expect([r1.status, r2.status]).toEqual([201, 201]);
    const { id } = (await r1.json()) as { id: string };
    for (const token of [TOKENS.uploader, TOKENS.uploader2]) {
      expect((await fetch(`${url}/api/recordings/${id}`, { headers: bearer(token) })).status).toBe(200);
    }
  });
});

/** Sends `head` on a raw connection and resolves with what came back and how long until the server closed it. */
function rawRequest(head: string, body: string): Promise<{ text: string; closedAfterMs: number }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(Number(port), '127.0.0.1');
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve({ text, closedAfterMs: Date.now() - started }));
    socket.write(head + body);
    // Then nothing more: the client stalls.
    setTimeout(() => socket.destroy(), 15_000);
  });
}

describe('connection time limits', () => {
  it('a stalled upload is cut off and its partial file removed', async () => {
    const head = `POST /api/recordings?ext=.mp4 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKENS.uploader}\r\nContent-Length: 1000000\r\n\r\n`;
    const { closedAfterMs } = await rawRequest(head, 'x'.repeat(2000));
    expect(closedAfterMs).toBeLessThan(8000);
    await new Promise((r) => setTimeout(r, 200));
    expect(await list('service/uploads')).toEqual([]);
  });

  it('headers that never finish are cut off', async () => {
    const { closedAfterMs } = await rawRequest('GET /api/me HTTP/1.1\r\nHost: x\r\nX-Slow: ', 'a');
    expect(closedAfterMs).toBeLessThan(8000);
  });

  it('a client without a token is answered 401 and its connection closed, however slowly it sends', async () => {
    const head = 'POST /api/recordings?ext=.mp4 HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n';
    const { text, closedAfterMs } = await rawRequest(head, 'x'.repeat(100));
    expect(text).toMatch(/^HTTP\/1\.1 401/);
    expect(text).toMatch(/connection: close/i);
    expect(closedAfterMs).toBeLessThan(1000);
  });
});

describe('sign-in', () => {
  it('wrong tokens from one address are throttled and logged without the token', async () => {
    const from = { 'X-Forwarded-For': '198.51.100.7' };
    const wrong = 'a-wrong-token-that-is-long-enough-xx';
    for (let i = 0; i < 3; i++) expect((await fetch(`${url}/api/me`, { headers: { ...bearer(wrong), ...from } })).status).toBe(401);
    const locked = await fetch(`${url}/api/me`, { headers: { ...bearer(TOKENS.admin), ...from } });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    const form = await fetch(`${url}/login`, { method: 'POST', headers: { ...from, Origin: url }, body: new URLSearchParams({ token: TOKENS.admin }), redirect: 'manual' });
    expect(form.status).toBe(429);
    // Another address is not affected.
    expect((await fetch(`${url}/api/me`, { headers: { ...bearer(TOKENS.admin), 'X-Forwarded-For': '198.51.100.8' } })).status).toBe(200);
    const refused = logs.filter((l) => l.includes('refused'));
    expect(refused).toHaveLength(3);
    expect(refused[0]).toBe('veil serve: refused a token from 198.51.100.7');
    expect(logs.join('\n')).not.toContain(wrong);
  });

  it('the session cookie is Secure when a trusted proxy says the request came over https', async () => {
    const res = await fetch(`${url}/login`, {
      method: 'POST',
      headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '198.51.100.9', Origin: url.replace('http:', 'https:') },
      body: new URLSearchParams({ token: TOKENS.reviewer }),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('set-cookie')).toMatch(/; Secure/);
  });
});

describe('malformed requests get a 4xx, never a 500', () => {
  it('asset names from the prototype, bad cookies, bad escapes and oversized forms', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect((await fetch(`${url}/assets/${name}`)).status, name).toBe(404);
    }
    expect((await fetch(`${url}/api/me`, { headers: { Cookie: 'veil_session=%E0%A4%A' } })).status).toBe(401);
    expect((await fetch(`${url}/api/me`, { headers: { Cookie: 'veil_session="; x' } })).status).toBe(401);
    const badEscape = await fetch(`${url}/api/recordings/%E0%A4%A`, { headers: bearer(TOKENS.reviewer) });
    expect(badEscape.status).toBeGreaterThanOrEqual(400);
    expect(badEscape.status).toBeLessThan(500);
    const big = await fetch(`${url}/login`, { method: 'POST', headers: { Origin: url, 'X-Forwarded-For': '198.51.100.10' }, body: new URLSearchParams({ token: 'x'.repeat(10_000) }), redirect: 'manual' });
    expect(big.status).toBe(413);
  });
});

describe('queue dashboard', () => {
  it('has a CSP that allows no other host and no inline script, and is read-only', async () => {
    const page = await fetch(`${url}/admin/queues`, { headers: bearer(TOKENS.admin) });
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/script-src 'self';/);
    expect(csp).not.toMatch(/https?:/);
    const clean = await fetch(`${url}/admin/queues/api/queues/${running.queueName}/clean/waiting`, { method: 'PUT', headers: bearer(TOKENS.admin) });
    expect(clean.status).toBe(405);
    const retry = await fetch(`${url}/admin/queues/api/queues/${running.queueName}/retry/failed`, { method: 'PUT', headers: bearer(TOKENS.admin) });
    expect(retry.status).toBe(405);
  });
});
