/**
 * Access to the web service: bearer tokens with roles, from a zod-validated file or the
 * VEIL_TOKENS environment variable. Tokens may be stored as their SHA-256 so the file
 * itself grants nothing; presented tokens are hashed and compared in constant time.
 *
 *   uploader  uploads recordings; sees the status and redacted output of its own
 *   reviewer  sees every recording's redacted output, manifest, report and spot-check sheet
 *   admin     all of the above, and the queue dashboard
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { BadInputError } from '../errors.js';

export const Role = z.enum(['uploader', 'reviewer', 'admin']);
export type Role = z.infer<typeof Role>;

/** A token holder's name: letters, digits, _ . - (never `.` or `..`: it names a file of the owner list). */
export const TOKEN_NAME = /^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,64}$/;

const TokenEntry = z
  .object({
    /** Who holds the token; recorded as a recording's owner, so not a personal name. */
    name: z.string().regex(TOKEN_NAME, 'names are 1-64 letters, digits, _ . -'),
    role: Role,
    token: z.string().min(32, 'tokens are at least 32 characters').optional(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 is 64 lower-case hex digits').optional(),
  })
  .strict()
  .refine((t) => (t.token === undefined) !== (t.sha256 === undefined), 'give exactly one of token or sha256');

export const TokensFile = z
  .object({ tokens: z.array(TokenEntry).min(1) })
  .strict()
  .refine((f) => new Set(f.tokens.map((t) => t.name)).size === f.tokens.length, 'token names must be unique');
export type TokensFile = z.infer<typeof TokensFile>;

export interface Principal {
  name: string;
  role: Role;
}

export type Action = 'upload' | 'view-own' | 'view-all' | 'review' | 'dashboard';

const ALLOWED: Record<Role, readonly Action[]> = {
  uploader: ['upload', 'view-own'],
  reviewer: ['view-own', 'view-all', 'review'],
  admin: ['upload', 'view-own', 'view-all', 'review', 'dashboard'],
};

export function can(principal: Principal, action: Action): boolean {
  return ALLOWED[principal.role].includes(action);
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export interface TokenTable {
  /** The holder of a presented token, or undefined. Takes the same time whichever entry matches. */
  lookup(token: string | undefined): Principal | undefined;
  readonly size: number;
}

export function parseTokens(raw: unknown, source: string): TokenTable {
  const parsed = TokensFile.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
    throw new BadInputError(`${source} is not a valid token list: ${problems}`);
  }
  const entries = parsed.data.tokens.map((t) => ({
    principal: { name: t.name, role: t.role } as Principal,
    hash: t.sha256 ? Buffer.from(t.sha256, 'hex') : sha256(t.token!),
  }));
  return {
    size: entries.length,
    lookup(token) {
      if (!token) return undefined;
      const presented = sha256(token);
      let found: Principal | undefined;
      for (const e of entries) if (timingSafeEqual(e.hash, presented) && !found) found = e.principal;
      return found;
    },
  };
}

/** Tokens from a file (--tokens / VEIL_TOKENS_FILE) or JSON in VEIL_TOKENS. */
export async function loadTokens(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<TokenTable> {
  const path = file ?? env.VEIL_TOKENS_FILE;
  if (path) {
    const text = await readFile(path, 'utf8').catch(() => {
      throw new BadInputError(`the token file ${path} cannot be read`);
    });
    return parseTokens(jsonOrBadInput(text, `the token file ${path}`), `the token file ${path}`);
  }
  if (env.VEIL_TOKENS) return parseTokens(jsonOrBadInput(env.VEIL_TOKENS, 'VEIL_TOKENS'), 'VEIL_TOKENS');
  throw new BadInputError('no tokens configured: pass --tokens <file.json> or set VEIL_TOKENS (see veil --help)');
}

function jsonOrBadInput(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new BadInputError(`${what} is not valid JSON`);
  }
}

/** What a request presents: a bearer token (`Authorization: Bearer <token>`), or the pages' session cookie. */
export function presentedToken(headers: { authorization?: string; cookie?: string }): { token?: string; session?: string; via?: 'header' | 'cookie' } {
  const auth = headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S{1,512})\s*$/i.exec(auth);
    return m ? { token: m[1], via: 'header' } : {};
  }
  const cookie = headers.cookie
    ?.split(';')
    .map((c) => c.trim())
    .find((c) => c.startsWith(`${COOKIE}=`));
  // Session ids are base64url: anything else in the cookie is no session.
  const value = cookie?.slice(COOKIE.length + 1);
  if (value && /^[A-Za-z0-9_-]{1,128}$/.test(value)) return { session: value, via: 'cookie' };
  return {};
}

export const COOKIE = 'veil_session';
