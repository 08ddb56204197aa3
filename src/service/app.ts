/**
 * The web service's routes: the JSON API, the pages, and the admin's queue dashboard.
 * Every route but sign-in and the static assets needs a token (401 without one, 403 with
 * the wrong role). Recording ids are checked against their pattern before any use; an id a
 * caller may not see answers 404, the same as one that does not exist. The original
 * recording is never served: only the archived redacted video and its manifest.
 */
import { createReadStream } from 'node:fs';
import { access, chmod, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Config } from '../config.js';
import { AbortedError, BadInputError, safeMessage, VeilError } from '../errors.js';
import { probeVideo } from '../media/probe.js';
import { MaskStyle } from '../config.js';
import type { RedactJobData } from '../queue/jobs.js';
import { RecordingId } from '../storage/local.js';
import { spotCheckSheet } from '../verify/sheet.js';
import { can, COOKIE, presentedToken, type Action, type Principal, type TokenTable } from './auth.js';
import { FailureLimiter, sameOrigin, SessionStore } from './sessions.js';
import { errorPage, listPage, loginPage, reviewPage, spotCheckFrames, spotCheckPage, uploadPage } from './pages.js';
import type { RecordingRegistry, RecordingStatus } from './recordings.js';
import { checkUpload, formatBytes, receiveUpload, TooLargeError } from './upload.js';

export interface ServiceDeps {
  registry: RecordingRegistry;
  tokens: TokenTable;
  /** Queues a recording already in the inbox (the same id twice is one job). */
  enqueue: (data: RedactJobData) => Promise<void>;
  config: Config;
  maxUploadBytes: number;
  /** The queue dashboard's router, mounted at /admin/queues for admins. */
  dashboard?: Router;
  /** How often an event stream looks for a change of status. */
  eventPollMs?: number;
  /** Browser sessions (made at sign-in) and the throttle on failed sign-ins. */
  sessions?: SessionStore;
  limiter?: FailureLimiter;
  /** Behind a reverse proxy that sets X-Forwarded-For/-Proto: client addresses and https from it. */
  trustProxy?: boolean;
  log?: (line: string) => void;
}

type Authed = Request & { principal: Principal };

const HERE = dirname(fileURLToPath(import.meta.url));
// Assets live beside the sources; from the build (dist/src/service) they are three levels up.
const PUBLIC_CANDIDATES = [join(HERE, 'public'), join(HERE, '../../../src/service/public')];
const ASSETS: Record<string, string> = { 'style.css': 'text/css', 'upload.js': 'text/javascript', 'review.js': 'text/javascript' };

async function publicDir(): Promise<string> {
  for (const dir of PUBLIC_CANDIDATES) {
    if (await access(join(dir, 'style.css')).then(() => true, () => false)) return dir;
  }
  throw new Error('the service assets (src/service/public) are missing');
}

const UploadQuery = z.object({ ext: z.string().regex(/^\.[a-z0-9]{1,5}$/i).optional(), style: MaskStyle.optional() }).strict();
const LoginBody = z.object({ token: z.string().min(1).max(512), next: z.string().max(512).optional() });

/** Where to go after signing in: a path on this site only. */
function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : '/';
}

const wantsHtml = (req: Request) => !req.path.startsWith('/api/');

export function createApp(deps: ServiceDeps): express.Express {
  const { registry, tokens } = deps;
  const log = deps.log ?? ((line: string) => console.error(line));
  const sessions = deps.sessions ?? new SessionStore();
  const limiter = deps.limiter ?? new FailureLimiter();
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ? 1 : false);
  const client = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';
  const fromOwnPages = (req: Request) => sameOrigin(req.headers as Record<string, string>, `${req.protocol}://${req.get('host')}`);
  /** A wrong token: counted against the address and logged, without the token. */
  const refused = (req: Request, where: string) => {
    limiter.fail(client(req));
    log(`veil serve: refused a ${where} from ${client(req)}`);
  };

  app.use((req, res, next) => {
    res.set({
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cache-Control': 'no-store',
    });
    // Our pages allow nothing inline. The dashboard is a third-party single-page app with
    // inline styles; it gets those, its own scripts, and nothing from another host (its
    // page asks for a web font from one, which this refuses).
    res.set(
      'Content-Security-Policy',
      req.path.startsWith('/admin/queues')
        ? "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
        : "default-src 'self'; img-src 'self' data:; media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    next();
  });

  const fail = (req: Request, res: Response, status: number, message: string) => {
    if (status === 401) res.set('WWW-Authenticate', 'Bearer realm="veil"');
    // A refused request's body is not read: close the connection once answered, so a
    // client sending slowly cannot keep it open.
    if (status >= 400 && !req.complete) {
      res.set('Connection', 'close');
      res.once('finish', () => req.destroy());
    }
    if (wantsHtml(req)) {
      const principal = (req as Partial<Authed>).principal;
      // A page asked for without a token answers 401 with the sign-in form, which comes back here.
      if (status === 401) return res.status(401).type('html').send(loginPage(safeNext(req.originalUrl)));
      return res.status(status).type('html').send(errorPage(status, message, principal));
    }
    return res.status(status).json({ error: message });
  };

  // Static assets and sign-in need no token.
  app.get('/assets/:file', async (req, res) => {
    const name = req.params.file;
    const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!type) return fail(req, res, 404, 'not found');
    res.set('Cache-Control', 'public, max-age=300').type(type);
    res.send(await readFile(join(await publicDir(), name)));
  });
  app.get('/healthz', (_req, res) => void res.json({ ok: true }));
  app.get('/login', (req, res) => void res.type('html').send(loginPage(safeNext(String(req.query.next ?? '')))));

  const throttled = (req: Request, res: Response): boolean => {
    const wait = limiter.retryAfterSec(client(req));
    if (!wait) return false;
    res.set('Retry-After', String(wait));
    fail(req, res, 429, 'too many failed sign-ins from this address; try again later');
    return true;
  };

  app.post('/login', express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 }), (req, res) => {
    // Signing a browser in as someone else (login CSRF) needs a form on another site: refused.
    if (!fromOwnPages(req)) return fail(req, res, 403, 'cross-site request refused');
    if (throttled(req, res)) return;
    const body = LoginBody.safeParse(req.body);
    const principal = body.success ? tokens.lookup(body.data.token) : undefined;
    if (!body.success || !principal) {
      refused(req, 'sign-in');
      return res.status(401).type('html').send(loginPage(safeNext(body.data?.next), 'That token is not valid.'));
    }
    sessions.revoke(presentedToken({ cookie: req.get('cookie') }).session);
    const session = sessions.create(principal);
    res.cookie(COOKIE, session, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: sessions.ttlMs });
    log(`veil serve: ${principal.name} signed in`);
    return res.redirect(303, safeNext(body.data.next));
  });
  app.post('/logout', (req, res) => {
    if (!fromOwnPages(req)) return fail(req, res, 403, 'cross-site request refused');
    sessions.revoke(presentedToken({ cookie: req.get('cookie') }).session);
    res.clearCookie(COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: req.secure });
    res.redirect(303, '/login');
  });

  // Everything below needs a valid token or session.
  app.use((req, res, next) => {
    const { token, session, via } = presentedToken(req.headers);
    if (token && throttled(req, res)) return;
    const principal = via === 'header' ? tokens.lookup(token) : sessions.lookup(session);
    if (!principal) {
      if (token) refused(req, 'token');
      return fail(req, res, 401, token ? 'the token is not valid' : session ? 'the session has ended; sign in again' : 'a token is needed (Authorization: Bearer <token>)');
    }
    // A cookie rides along with any request the browser makes: state changes must come from our own pages.
    if (via === 'cookie' && !['GET', 'HEAD', 'OPTIONS'].includes(req.method) && !fromOwnPages(req)) {
      return fail(req, res, 403, 'cross-site request refused');
    }
    (req as Authed).principal = principal;
    next();
  });

  const allow = (action: Action) => (req: Request, res: Response, next: NextFunction) => {
    if (!can((req as Authed).principal, action)) return fail(req, res, 403, `the ${(req as Authed).principal.role} role may not do this`);
    next();
  };

  /** The recording named in the path, if this caller may see it; otherwise 404 (existence is not disclosed). */
  const visibleRecording = async (req: Request, res: Response): Promise<RecordingStatus | undefined> => {
    const id = String(req.params.id);
    const principal = (req as Authed).principal;
    const parsed = RecordingId.safeParse(id);
    const visible = parsed.success && (can(principal, 'view-all') || (await registry.isOwner(id, principal.name)));
    const status = visible ? await registry.status(id) : undefined;
    if (!status) fail(req, res, 404, 'no such recording');
    return status;
  };

  const sheetsBuilding = new Map<string, Promise<void>>();
  const buildSheet = async (video: string, sheet: string) => {
    const info = await probeVideo(video, deps.config);
    const tmp = `${sheet}.${process.pid}.${Date.now()}.partial.png`;
    try {
      await spotCheckSheet(video, info, spotCheckFrames(Math.max(1, info.frameCount - 1)), tmp);
      await chmod(tmp, 0o640);
      await rename(tmp, sheet);
    } finally {
      await rm(tmp, { force: true });
    }
  };

  const asyncRoute =
    (fn: (req: Request, res: Response) => Promise<unknown>) =>
    (req: Request, res: Response, next: NextFunction) =>
      void fn(req, res).catch(next);

  // ---- API ----
  app.get('/api/me', (req, res) => void res.json((req as Authed).principal));

  app.post(
    '/api/recordings',
    allow('upload'),
    asyncRoute(async (req, res) => {
      const principal = (req as Authed).principal;
      const query = UploadQuery.safeParse(req.query);
      if (!query.success) return fail(req, res, 400, 'the query takes ext (like .mp4) and style (fill, blur or pixelate) only');
      const declared = Number(req.get('content-length') ?? NaN);
      if (Number.isFinite(declared) && declared > deps.maxUploadBytes) {
        res.set('Connection', 'close');
        return fail(req, res, 413, new TooLargeError(deps.maxUploadBytes).message);
      }
      let received;
      try {
        received = await receiveUpload(req, registry.uploadsDir, deps.maxUploadBytes);
      } catch (err) {
        if (err instanceof TooLargeError) {
          res.set('Connection', 'close');
          fail(req, res, 413, err.message);
          req.resume();
          return;
        }
        throw err;
      }
      // The probe dies with the request: a client that goes away stops it.
      const aborted = new AbortController();
      const onClose = () => {
        if (!res.writableFinished) aborted.abort();
      };
      res.once('close', onClose);
      const checked = await checkUpload(received.path, query.data.ext, deps.config, aborted.signal);
      const { id, ext, created } = await registry.storage.ingest(checked.path, { link: true }).finally(() => rm(checked.path, { force: true }));
      try {
        await registry.addOwner(id, principal.name);
        if (await registry.storage.isArchived(id)) {
          // Already redacted: the original is not kept.
          if (created) await registry.storage.removeFromInbox(id, ext);
        } else if (await registry.storage.isQuarantined(id)) {
          // It failed before and waits for a person in quarantine; a second copy would never be queued.
          if (created) await registry.storage.removeFromInbox(id, ext);
        } else {
          await deps.enqueue({ recordingId: id, ext: ext as RedactJobData['ext'], options: query.data.style ? { style: query.data.style } : {} });
        }
      } catch (err) {
        // Not queued: the copy this upload made must not stay behind.
        if (created) await registry.storage.removeFromInbox(id, ext).catch(() => {});
        throw err;
      } finally {
        res.off('close', onClose);
      }
      log(`veil serve: ${principal.name} uploaded ${id} (${formatBytes(received.bytes)})`);
      res.status(201).location(`/api/recordings/${id}`).json(await registry.status(id));
    }),
  );

  app.get(
    '/api/recordings',
    allow('view-own'),
    asyncRoute(async (req, res) => {
      const principal = (req as Authed).principal;
      res.json({ recordings: await registry.list(can(principal, 'view-all') ? undefined : principal.name) });
    }),
  );

  app.get(
    '/api/recordings/:id',
    allow('view-own'),
    asyncRoute(async (req, res) => {
      const status = await visibleRecording(req, res);
      if (status) res.json(status);
    }),
  );

  app.get(
    '/api/recordings/:id/events',
    allow('view-own'),
    asyncRoute(async (req, res) => {
      const first = await visibleRecording(req, res);
      if (!first) return;
      res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      res.flushHeaders();
      let last = '';
      let closed = false;
      let timer: NodeJS.Timeout | undefined;
      let beats = 0;
      req.on('close', () => {
        closed = true;
        clearTimeout(timer);
      });
      const tick = async (status: RecordingStatus | undefined) => {
        if (closed) return;
        const text = JSON.stringify(status ?? { id: first.id, state: 'failed', percent: 0, attempts: 0, error: { kind: 'lost', message: 'the recording is gone' } });
        if (text !== last) {
          res.write(`event: status\ndata: ${text}\n\n`);
          last = text;
        } else if (++beats % 30 === 0) {
          res.write(': keep-alive\n\n');
        }
        if (!status || status.state === 'done' || status.state === 'failed') return void res.end();
        timer = setTimeout(() => {
          registry.status(first.id).then(tick, (err: Error) => {
            log(`veil serve: status of ${first.id}: ${safeMessage(err)}`);
            res.end();
          });
        }, deps.eventPollMs ?? 500);
      };
      await tick(first);
    }),
  );

  const done = async (req: Request, res: Response) => {
    const status = await visibleRecording(req, res);
    if (!status) return undefined;
    if (status.state !== 'done') {
      fail(req, res, 409, `the recording is ${status.state}, not redacted yet`);
      return undefined;
    }
    return status;
  };

  app.get(
    '/api/recordings/:id/video',
    allow('view-own'),
    asyncRoute(async (req, res) => {
      const status = await done(req, res);
      if (!status) return;
      const path = await registry.videoPath(status.id);
      if (!path) return fail(req, res, 404, 'no redacted video');
      // express's sendFile answers Range requests (the player seeks with them).
      res.set('Cache-Control', 'private, no-store');
      res.set('Content-Disposition', `inline; filename="${status.id}.redacted${path.slice(path.lastIndexOf('.'))}"`);
      res.sendFile(path, { dotfiles: 'deny', cacheControl: false, lastModified: false });
    }),
  );

  app.get(
    '/api/recordings/:id/manifest',
    allow('view-own'),
    asyncRoute(async (req, res) => {
      const status = await done(req, res);
      if (!status) return;
      res.set('Content-Disposition', `inline; filename="${status.id}.manifest.json"`);
      res.json(await registry.manifest(status.id));
    }),
  );

  app.get(
    '/api/recordings/:id/report',
    allow('review'),
    asyncRoute(async (req, res) => {
      const status = await visibleRecording(req, res);
      if (!status) return;
      const manifest = status.state === 'done' ? await registry.manifest(status.id) : undefined;
      if (!manifest) {
        if (status.state === 'failed') return void res.json({ schema: 'veil.report/1', id: status.id, verdict: 'failed', error: status.error });
        return fail(req, res, 409, `the recording is ${status.state}, not redacted yet`);
      }
      res.json({
        schema: 'veil.report/1',
        id: status.id,
        verdict: 'passed',
        verification: manifest.verification,
        summary: manifest.summary,
        tracks: manifest.tracks.map(({ id, kind, types, detectors, confidence, startSec, endSec, box, masked }) => ({ id, kind, types, detectors, confidence, startSec, endSec, box, masked })),
      });
    }),
  );

  app.get(
    '/api/recordings/:id/sheet.png',
    allow('review'),
    asyncRoute(async (req, res) => {
      const status = await done(req, res);
      if (!status) return;
      const sheet = registry.sheetPath(status.id);
      if (!(await stat(sheet).catch(() => null))) {
        const video = await registry.videoPath(status.id);
        if (!video) return fail(req, res, 404, 'no redacted video');
        // One build per recording, however many ask for it at once.
        let building = sheetsBuilding.get(status.id);
        if (!building) {
          building = buildSheet(video, sheet).finally(() => sheetsBuilding.delete(status.id));
          sheetsBuilding.set(status.id, building);
        }
        await building;
      }
      res.type('png');
      createReadStream(sheet).pipe(res);
    }),
  );

  // ---- pages ----
  app.get('/', (req, res) => void res.redirect(303, can((req as Authed).principal, 'view-all') ? '/recordings' : '/upload'));

  app.get('/upload', allow('upload'), (req, res) => void res.type('html').send(uploadPage((req as Authed).principal, deps.maxUploadBytes)));

  app.get(
    '/recordings',
    allow('view-own'),
    asyncRoute(async (req, res) => {
      const principal = (req as Authed).principal;
      res.type('html').send(listPage(principal, await registry.list(can(principal, 'view-all') ? undefined : principal.name)));
    }),
  );

  app.get(
    '/recordings/:id',
    allow('view-own'),
    asyncRoute(async (req, res) => {
      const status = await visibleRecording(req, res);
      if (!status) return;
      const manifest = status.state === 'done' ? await registry.manifest(status.id) : undefined;
      res.type('html').send(reviewPage((req as Authed).principal, status, manifest));
    }),
  );

  app.get(
    '/recordings/:id/spot-check',
    allow('review'),
    asyncRoute(async (req, res) => {
      const status = await done(req, res);
      if (!status) return;
      const manifest = (await registry.manifest(status.id))!;
      const frames = spotCheckFrames(Math.max(1, manifest.input.frameCount - 1));
      res.type('html').send(spotCheckPage((req as Authed).principal, status, manifest, frames));
    }),
  );

  if (deps.dashboard) app.use('/admin/queues', allow('dashboard'), deps.dashboard);
  else app.use('/admin/queues', allow('dashboard'), (req, res) => void fail(req, res, 404, 'the queue dashboard is not enabled'));

  app.use((req, res) => void fail(req, res, 404, 'not found'));

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    if (err instanceof BadInputError) return void fail(req, res, 422, err.message);
    if (err instanceof AbortedError) return void res.destroy();
    if (err instanceof VeilError) return void fail(req, res, 503, err.message);
    // A request the body parsers or express refused (too large, malformed): its own 4xx.
    const status = (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return void fail(req, res, status, status === 413 ? 'the request body is too large' : 'the request is malformed');
    }
    // Unexpected: log what is safe to log (no paths), answer without detail.
    log(`veil serve: ${req.method} ${req.path.replace(/rec-[0-9a-f]{32}/, 'rec-…')}: ${safeMessage(err)}`);
    fail(req, res, 500, 'internal error');
  });

  return app;
}
