import type { Request, Response } from 'express';
import type { Config } from '../../config/env';
import { ForbiddenError, UnauthorizedError } from '../../errors';
import type { TokenClaims, TokenService } from '../../features/auth/tokens';

/**
 * Browser sessions for the console. The token lives only in an HttpOnly, SameSite=Strict cookie
 * (never in script-readable storage), so page scripts, injected or not, cannot read it. Bearer
 * tokens keep working for API clients; the two are never mixed on one request.
 */
export const SESSION_COOKIE = 'custodian_session';
/** The custom header every console request sends: a cross-site form or image cannot set it. */
export const CONSOLE_HEADER = 'x-custodian-console';
/** A session token is re-issued at most this often (a busy page would otherwise sign one per call). */
const REFRESH_AFTER_SECONDS = 30;

/** The session cookie's value, if the request carries one. */
export function sessionCookie(req: Request): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

function cookie(req: Request, value: string, maxAge: number): string {
  // Path=/api: the console's static files never carry it. Secure whenever the request came over HTTPS.
  return `${SESSION_COOKIE}=${value}; Path=/api; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${req.secure ? '; Secure' : ''}`;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Starts a session: the cookie for a freshly verified user. */
export function startSession(req: Request, res: Response, tokens: TokenService, config: Config, user: { id: number; tokenVersion: number }): void {
  const start = nowSeconds();
  const expiresIn = Math.min(config.sessionIdleSeconds, config.sessionMaxSeconds);
  res.append('Set-Cookie', cookie(req, tokens.issue(user.id, user.tokenVersion, { start, expiresIn }), expiresIn));
  res.setHeader('X-Session-Idle-Seconds', String(config.sessionIdleSeconds));
  res.setHeader('X-Session-Expires-In', String(expiresIn));
}

export function endSession(req: Request, res: Response): void {
  res.append('Set-Cookie', cookie(req, '', 0));
}

/**
 * After a request authenticated by the cookie: slides the idle timeout (a new token, same session
 * start), never beyond the session's longest life; a session past it is refused as expired.
 */
export function slideSession(req: Request, res: Response, tokens: TokenService, config: Config, claims: TokenClaims): void {
  const now = nowSeconds();
  const start = claims.sessionStart ?? claims.issuedAt;
  const left = start + config.sessionMaxSeconds - now;
  if (left <= 0) throw new UnauthorizedError('token_expired', 'The session has reached its longest life: sign in again');
  res.setHeader('X-Session-Idle-Seconds', String(config.sessionIdleSeconds));
  // A poll the console makes by itself (the notification bell) is not the user's activity: it
  // must not keep an unattended session alive, so it never slides the idle timeout.
  if (now - claims.issuedAt < REFRESH_AFTER_SECONDS || req.get(BACKGROUND_HEADER) === '1') {
    // The token in effect is kept: the console counts down to its own expiry, not a full idle period.
    res.setHeader('X-Session-Expires-In', String(Math.max(claims.expiresAt - now, 0)));
    return;
  }
  const expiresIn = Math.min(config.sessionIdleSeconds, left);
  res.append('Set-Cookie', cookie(req, tokens.issue(claims.userId, claims.tokenVersion, { start, expiresIn }), expiresIn));
  res.setHeader('X-Session-Expires-In', String(expiresIn));
}

/** Sent by the console on requests it makes by itself, not for the user (web/src/api/client.ts). */
export const BACKGROUND_HEADER = 'X-Custodian-Background';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF defence for cookie-authenticated requests that change something: the console's custom
 * header (a cross-site form cannot send it) and, when the browser says where the request came
 * from, the same origin. SameSite=Strict already keeps the cookie off cross-site requests; this is
 * the second lock.
 */
export function assertSameOrigin(req: Request): void {
  if (SAFE.has(req.method)) return;
  if (req.get(CONSOLE_HEADER) !== '1') {
    throw new ForbiddenError('csrf_rejected', `A change made with the session cookie must carry the ${CONSOLE_HEADER} header`);
  }
  const origin = req.get('origin');
  if (origin !== undefined && origin !== `${req.protocol}://${req.get('host')}`) {
    throw new ForbiddenError('csrf_rejected', 'A change made with the session cookie must come from the console itself');
  }
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new ForbiddenError('csrf_rejected', 'A change made with the session cookie must come from the console itself');
  }
}
