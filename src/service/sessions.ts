/**
 * Browser sessions and sign-in throttling for the web service, held in the service's
 * memory. A signed-in browser keeps a random session id in its cookie, never the bearer
 * token: signing out revokes the session, and sessions expire. A restart signs every
 * browser out, which is the safe direction.
 */
import { randomBytes } from 'node:crypto';
import type { Principal } from './auth.js';

export class SessionStore {
  private readonly sessions = new Map<string, { principal: Principal; expires: number }>();

  constructor(
    readonly ttlMs = 12 * 3600_000,
    private readonly maxSessions = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new session for `principal`; the oldest are dropped past `maxSessions`. */
  create(principal: Principal): string {
    const id = randomBytes(32).toString('base64url');
    this.prune();
    while (this.sessions.size >= this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    this.sessions.set(id, { principal, expires: this.now() + this.ttlMs });
    return id;
  }

  lookup(id: string | undefined): Principal | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    if (s.expires <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return s.principal;
  }

  revoke(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  private prune(): void {
    const t = this.now();
    for (const [id, s] of this.sessions) if (s.expires <= t) this.sessions.delete(id);
  }
}

/**
 * Counts failed sign-ins (a wrong token at the form or in a header) per client address:
 * past `max` within `windowMs` the address is refused until the window has passed.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    readonly max = 10,
    readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `key` may try again, or 0 if it may now. */
  retryAfterSec(key: string): number {
    const recent = this.recent(key);
    if (recent.length < this.max) return 0;
    return Math.max(1, Math.ceil((recent[0] + this.windowMs - this.now()) / 1000));
  }

  fail(key: string): void {
    const recent = this.recent(key);
    recent.push(this.now());
    this.failures.set(key, recent);
    if (this.failures.size > 100_000) this.failures.delete(this.failures.keys().next().value!);
  }

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    const kept = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (kept.length) this.failures.set(key, kept);
    else this.failures.delete(key);
    return kept;
  }
}

/**
 * Whether a state-changing browser request comes from the service's own pages: the
 * browser's Sec-Fetch-Site says so, or (older browsers) its Origin is this origin. A
 * request with neither is refused: every browser sends one of them with a POST.
 */
export function sameOrigin(headers: { 'sec-fetch-site'?: string; origin?: string }, ownOrigin: string): boolean {
  const site = headers['sec-fetch-site'];
  if (site) return site === 'same-origin';
  return headers.origin === ownOrigin;
}
