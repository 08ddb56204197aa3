/**
 * The web service's API on a real Redis, with a real worker redacting a generated
 * recording: every route with no token (401), the wrong role (403), unknown and malformed
 * ids (404), oversized and non-video uploads, and the happy path to a verified download.
 */
import { request } from 'node:http';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestSchema } from '../../src/manifest.js';
import { writeScene } from '../../src/synth/render.js';
import { profileScene } from '../../src/synth/scenarios.js';
import { sha256File } from '../../src/util/fs.js';
import { ffprobe, SMALL, tempDir } from '../helpers.js';
import { startTestService, TOKENS } from '../service-helpers.js';

const MAX_UPLOAD = 2 * 1024 * 1024;

let dir: string;
let cleanup: () => Promise<void>;
let sample: string;
let root: string;
let running: Awaited<ReturnType<typeof startTestService>>;
let service: { url: string };
let queueName: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('veil-service-'));
  sample = join(dir, 'customer call.mp4');
  await writeScene(profileScene({ ...SMALL, seconds: 2, seed: 44 }), sample);
  root = join(dir, 'data');
  running = await startTestService(root, MAX_UPLOAD);
  service = running.service;
  queueName = running.queueName;
});

afterAll(async () => {
  await running?.close();
  await cleanup();
});

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const get = (path: string, token?: string, headers: Record<string, string> = {}) =>
  fetch(`${service.url}${path}`, { headers: { ...(token ? auth(token) : {}), ...headers }, redirect: 'manual' });
const upload = (body: Buffer, token: string, query = '?ext=.mp4') =>
  fetch(`${service.url}/api/recordings${query}`, { method: 'POST', headers: { ...auth(token), 'Content-Type': 'application/octet-stream' }, body: new Uint8Array(body) });

/** Reads server-sent `status` events until the recording is done or failed. */
async function followEvents(id: string, token: string): Promise<Array<{ state: string; percent: number; stage?: string }>> {
  const res = await get(`/api/recordings/${id}/events`, token);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const events: Array<{ state: string; percent: number; stage?: string }> = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = /^event: status\ndata: (.*)$/m.exec(block);
      if (data) events.push(JSON.parse(block.slice(block.indexOf('data: ') + 6)));
    }
  }
  return events;
}

const ID_ROUTES = ['', '/events', '/video', '/manifest', '/report', '/sheet.png'];

describe('veil serve API', () => {
  let id: string;
  let original: Buffer;

  it('answers 401 without a valid token on every route, API and pages', async () => {
    const someId = 'rec-0123456789abcdef0123456789abcdef';
    const paths = ['/api/me', '/api/recordings', ...ID_ROUTES.map((r) => `/api/recordings/${someId}${r}`)];
    for (const path of paths) {
      for (const token of [undefined, 'not-a-token-at-all-xx']) {
        const res = await get(path, token);
        expect(res.status, `${path} with ${token ?? 'no token'}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/Bearer/);
        expect(await res.json()).toHaveProperty('error');
      }
    }
    const post = await fetch(`${service.url}/api/recordings`, { method: 'POST', body: Buffer.from('x') });
    expect(post.status).toBe(401);
    for (const page of ['/', '/upload', '/recordings', `/recordings/${someId}`, `/recordings/${someId}/spot-check`, '/admin/queues']) {
      const res = await get(page);
      expect(res.status, page).toBe(401);
      expect(await res.text()).toContain('name="token"');
    }
  });

  it('refuses a non-video upload with 422, queues nothing and keeps no file', async () => {
    const res = await upload(Buffer.from('this is not a video, just text pretending to be one\n'.repeat(50)), TOKENS.uploader);
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: string };
    expect(body.error).toBe('the upload is not an MP4/MOV or Matroska/WebM video');
    expect(body.error).not.toContain(root);
    expect(await readdir(join(root, 'service', 'uploads'))).toEqual([]);
    expect(await readdir(join(root, 'inbox'))).toEqual([]);
    const empty = await upload(Buffer.alloc(0), TOKENS.uploader);
    expect(empty.status).toBe(422);
  });

  it('refuses an oversized upload with 413, declared or streamed', async () => {
    const big = Buffer.alloc(MAX_UPLOAD + 1024, 7);
    const declared = await upload(big, TOKENS.uploader);
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: string }).error).toMatch(/larger than the limit of 2 MiB/);
    // Chunked, with no length given: cut off once it passes the limit.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${service.url}/api/recordings?ext=.mp4`, { method: 'POST', headers: auth(TOKENS.uploader) }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      let sent = 0;
      const pump = () => {
        while (sent < MAX_UPLOAD * 2) {
          sent += 64 * 1024;
          if (!req.write(Buffer.alloc(64 * 1024, 1))) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    expect(await readdir(join(root, 'service', 'uploads'))).toEqual([]);
  });

  it('refuses uploads from the wrong role (403) and bad query parameters (400)', async () => {
    original = await readFile(sample);
    expect((await upload(original, TOKENS.reviewer)).status).toBe(403);
    expect((await upload(original, TOKENS.uploader, '?ext=../../x')).status).toBe(400);
    expect((await upload(original, TOKENS.uploader, '?style=invisible')).status).toBe(400);
  });

  it('takes an upload, queues it, and reports it queued while no worker runs', async () => {
    const res = await upload(original, TOKENS.uploader);
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; state: string };
    id = created.id;
    expect(id).toMatch(/^rec-[0-9a-f]{32}$/);
    expect(created.state).toBe('queued');
    expect(res.headers.get('location')).toBe(`/api/recordings/${id}`);
    // The inbox holds it under its id; nothing carries the original file name.
    expect(await readdir(join(root, 'inbox'))).toEqual([`${id}.mp4`]);
    const status = await (await get(`/api/recordings/${id}`, TOKENS.uploader)).json();
    expect(status).toMatchObject({ id, state: 'queued', percent: 0 });
    // Not redacted yet: no video, manifest or sheet.
    for (const r of ['/video', '/manifest']) expect((await get(`/api/recordings/${id}${r}`, TOKENS.uploader)).status).toBe(409);
    expect((await get(`/api/recordings/${id}/sheet.png`, TOKENS.reviewer)).status).toBe(409);
  });

  it('hides a recording from other uploaders (404), shows it to reviewers, and 404s unknown or malformed ids', async () => {
    for (const r of ID_ROUTES.filter((r) => !['/report', '/sheet.png'].includes(r))) {
      expect((await get(`/api/recordings/${id}${r}`, TOKENS.uploader2)).status, r).toBe(404);
    }
    expect(((await (await get('/api/recordings', TOKENS.uploader2)).json()) as { recordings: unknown[] }).recordings).toEqual([]);
    const all = (await (await get('/api/recordings', TOKENS.reviewer)).json()) as { recordings: Array<{ id: string }> };
    expect(all.recordings.map((r) => r.id)).toEqual([id]);
    for (const bad of ['rec-ffffffffffffffffffffffffffffffff', 'rec-XYZ', '..%2F..%2Finbox', `${id}.mp4`, 'inbox']) {
      for (const r of ID_ROUTES) {
        const res = await get(`/api/recordings/${bad}${r}`, TOKENS.admin);
        expect(res.status, `${bad}${r}`).toBe(404);
      }
    }
    expect((await get('/api/no-such-route', TOKENS.admin)).status).toBe(404);
  });

  it('redacts with a worker running: live progress to done, then the redacted video, manifest, report and sheet', async () => {
    running.startWorker();
    const events = await followEvents(id, TOKENS.uploader);
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.at(-1)).toMatchObject({ state: 'done', percent: 100 });
    expect(events.some((e) => e.state === 'processing' && e.percent > 0 && e.percent < 100)).toBe(true);
    const percents = events.filter((e) => e.state === 'processing').map((e) => e.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));

    const status = (await (await get(`/api/recordings/${id}`, TOKENS.uploader)).json()) as { state: string; result: { piiTracks: number } };
    expect(status.state).toBe('done');
    expect(status.result.piiTracks).toBeGreaterThan(0);

    const manifestRes = await get(`/api/recordings/${id}/manifest`, TOKENS.uploader);
    expect(manifestRes.status).toBe(200);
    const manifest = ManifestSchema.parse(await manifestRes.json());

    const videoRes = await get(`/api/recordings/${id}/video`, TOKENS.uploader);
    expect(videoRes.status).toBe(200);
    expect(videoRes.headers.get('content-type')).toBe('video/mp4');
    const video = Buffer.from(await videoRes.arrayBuffer());
    const downloaded = join(dir, 'downloaded.mp4');
    await writeFile(downloaded, video);
    // The redacted output the manifest describes, never the original.
    expect(await sha256File(downloaded)).toBe(manifest.output.sha256);
    expect(video.equals(original)).toBe(false);
    const probed = await ffprobe(downloaded);
    const stream = probed.streams.find((s) => s.codec_type === 'video')!;
    expect([stream.width, stream.height]).toEqual([SMALL.width, SMALL.height]);

    const range = await get(`/api/recordings/${id}/video`, TOKENS.reviewer, { Range: 'bytes=0-99' });
    expect(range.status).toBe(206);
    expect(Buffer.from(await range.arrayBuffer()).equals(video.subarray(0, 100))).toBe(true);

    expect((await get(`/api/recordings/${id}/report`, TOKENS.uploader)).status).toBe(403);
    const report = (await (await get(`/api/recordings/${id}/report`, TOKENS.reviewer)).json()) as {
      verdict: string;
      verification: { findings: number; frames: number[] };
      tracks: Array<{ types: string[]; masked: string[] }>;
    };
    expect(report.verdict).toBe('passed');
    expect(report.verification.findings).toBe(0);
    expect(report.verification.frames.length).toBeGreaterThan(0);
    expect(report.tracks.length).toBe(manifest.tracks.length);

    expect((await get(`/api/recordings/${id}/sheet.png`, TOKENS.uploader)).status).toBe(403);
    const sheetRes = await get(`/api/recordings/${id}/sheet.png`, TOKENS.reviewer);
    expect(sheetRes.status).toBe(200);
    expect(sheetRes.headers.get('content-type')).toBe('image/png');
    const meta = await sharp(Buffer.from(await sheetRes.arrayBuffer())).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBeGreaterThan(4 * 300);

    // The inbox copy is gone once archived; no route serves the original.
    expect(await readdir(join(root, 'inbox'))).toEqual([]);
  });

  it('uploading the same recording again answers with the archived result, owned by both uploaders', async () => {
    const res = await upload(original, TOKENS.uploader2);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ id, state: 'done' });
    expect((await get(`/api/recordings/${id}`, TOKENS.uploader2)).status).toBe(200);
    expect(await readdir(join(root, 'inbox'))).toEqual([]);
  });

  it('serves the pages: list, review with timeline and verdict, spot-check for reviewers only', async () => {
    const list = await get('/recordings', TOKENS.uploader);
    expect(list.status).toBe(200);
    expect(list.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await list.text()).toContain(`/recordings/${id}`);

    const review = await get(`/recordings/${id}`, TOKENS.uploader);
    expect(review.status).toBe(200);
    const page = await review.text();
    expect(page).toContain('<video id="player"');
    expect(page).toContain('id="timeline"');
    expect(page).toMatch(/class="bar bar-pii"/);
    expect(page).toContain('id="verdict"');
    expect(page).not.toContain('spot-check');
    expect(page).not.toMatch(/<script>|style="/);

    expect((await get(`/recordings/${id}/spot-check`, TOKENS.uploader)).status).toBe(403);
    const spot = await get(`/recordings/${id}/spot-check`, TOKENS.reviewer);
    expect(spot.status).toBe(200);
    expect(await spot.text()).toContain(`/api/recordings/${id}/sheet.png`);
    expect((await get(`/recordings/${id}`, TOKENS.uploader2)).status).toBe(200);
    expect((await get('/recordings/rec-ffffffffffffffffffffffffffffffff', TOKENS.reviewer)).status).toBe(404);
    expect((await get('/upload', TOKENS.reviewer)).status).toBe(403);
    expect((await get('/upload', TOKENS.uploader)).status).toBe(200);
    for (const asset of ['style.css', 'upload.js', 'review.js']) expect((await get(`/assets/${asset}`)).status).toBe(200);
    expect((await get('/assets/..%2F..%2Fpackage.json')).status).toBe(404);
  });

  it('gives the queue dashboard to admins only', async () => {
    expect((await get('/admin/queues', TOKENS.uploader)).status).toBe(403);
    expect((await get('/admin/queues', TOKENS.reviewer)).status).toBe(403);
    const page = await get('/admin/queues', TOKENS.admin);
    expect(page.status).toBe(200);
    const api = await get('/admin/queues/api/queues', TOKENS.admin);
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: Array<{ name: string }> };
    expect(body.queues.map((q) => q.name)).toContain(queueName);
    expect((await get('/admin/queues/api/queues', TOKENS.reviewer)).status).toBe(403);
  });

  it('signs a browser in with a session cookie (not the token), signs it out for good, and refuses cross-site state changes', async () => {
    const own = { Origin: service.url };
    const bad = await fetch(`${service.url}/login`, { method: 'POST', headers: own, body: new URLSearchParams({ token: 'wrong-token-wrong-token' }), redirect: 'manual' });
    expect(bad.status).toBe(401);
    // Login CSRF: a form on another site, or a request that says nothing of where it comes from.
    for (const headers of [{ Origin: 'https://evil.example' }, { 'Sec-Fetch-Site': 'cross-site' }, {}] as Array<Record<string, string>>) {
      const cross = await fetch(`${service.url}/login`, { method: 'POST', headers, body: new URLSearchParams({ token: TOKENS.uploader }), redirect: 'manual' });
      expect(cross.status).toBe(403);
      expect(cross.headers.get('set-cookie')).toBeNull();
    }
    const login = await fetch(`${service.url}/login`, {
      method: 'POST',
      headers: own,
      body: new URLSearchParams({ token: TOKENS.uploader, next: '//evil.example/' }),
      redirect: 'manual',
    });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/');
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Max-Age=43200/i);
    expect(cookie).not.toMatch(/Secure/i);
    expect(cookie).not.toContain(TOKENS.uploader);
    expect(cookie).not.toContain(encodeURIComponent(TOKENS.uploader));
    const jar = cookie.split(';')[0];
    expect((await get('/api/me', undefined, { Cookie: jar })).status).toBe(200);
    const cross = await fetch(`${service.url}/api/recordings?ext=.mp4`, {
      method: 'POST',
      headers: { Cookie: jar, Origin: 'https://evil.example' },
      body: new Uint8Array(original),
    });
    expect(cross.status).toBe(403);
    // Sign-out from another site is refused too; from our pages it ends the session on the server.
    expect((await fetch(`${service.url}/logout`, { method: 'POST', headers: { Cookie: jar, Origin: 'https://evil.example' }, redirect: 'manual' })).status).toBe(403);
    expect((await get('/api/me', undefined, { Cookie: jar })).status).toBe(200);
    const out = await fetch(`${service.url}/logout`, { method: 'POST', headers: { Cookie: jar, ...own }, redirect: 'manual' });
    expect(out.status).toBe(303);
    const after = await get('/api/me', undefined, { Cookie: jar });
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({ error: 'the session has ended; sign in again' });
  });
});
