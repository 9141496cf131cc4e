import type { Request } from 'express';
import { Database } from '../../db/database';
import { toDate } from '../../db/raw';
import { User } from '../../entities/User';
import { UnauthorizedError } from '../../errors';
import { TokenClaims, TokenService } from '../../features/auth/tokens';
import type { PolicyService } from '../../policy/policy-service';
import type { Actor } from '../route';
import { sessionCookie } from './session';

export interface Authenticated {
  actor: Actor;
  claims: TokenClaims;
  /** How the token came: the Authorization header (API clients) or the console's session cookie. */
  via: 'bearer' | 'cookie';
}

/** The request's token: the bearer header wins; otherwise the session cookie. */
function tokenOf(req: Request): { token: string; via: Authenticated['via'] } {
  const header = req.headers.authorization;
  if (header) {
    const m = /^Bearer ([A-Za-z0-9_\-.=]+)$/.exec(header);
    if (!m) throw new UnauthorizedError('invalid_token', 'The Authorization header must be "Bearer <token>"');
    return { token: m[1], via: 'bearer' };
  }
  const cookie = sessionCookie(req);
  if (cookie) return { token: cookie, via: 'cookie' };
  throw new UnauthorizedError('unauthenticated', 'A bearer token (POST /api/v1/auth/login) or a console session (POST /api/v1/auth/session) is required');
}

/**
 * Resolves the bearer token or session cookie to the current user. The user row is read on every
 * request, so an offboarded user or a bumped token version is refused on the very next request on
 * every instance (R-OFFBOARD). The same statement reads the policy version: when another instance
 * changed roles or policy lines since this one loaded, the policy is reloaded before the request
 * is authorized, so a revoked role is refused at the caller's next request on every instance
 * (R-IT-PERMS, issue 14 §4), with no extra round trip when nothing changed.
 */
export async function authenticate(req: Request, tokens: TokenService, db: Database, policy: PolicyService): Promise<Authenticated> {
  const { token, via } = tokenOf(req);
  const claims = tokens.verify(token);
  // Raw, bound SQL: this runs on every request (see src/db/raw.ts). policy_meta has one row (id 1).
  const rows: Array<Pick<User, 'id' | 'username' | 'displayName' | 'status' | 'agreementVersion' | 'departmentId' | 'tokenVersion'> & { lockedUntil: unknown; policyVersion: unknown }> = await db.ds.query(
    'SELECT id, username, displayName, status, agreementVersion, departmentId, tokenVersion, lockedUntil, (SELECT version FROM policy_meta WHERE id = 1) AS policyVersion FROM user_account WHERE id = ?',
    [claims.userId],
  );
  const row = rows[0];
  if (!row || row.status === 'offboarded' || row.tokenVersion !== claims.tokenVersion) {
    throw new UnauthorizedError('token_revoked', 'The access token has been revoked');
  }
  const { policyVersion, ...user } = row;
  await policy.catchUp(Number(policyVersion));
  // The account gate (src/policy/authorizer.ts accountRefusal) also reads the sign-in lock.
  return { actor: { ...user, lockedUntil: toDate(user.lockedUntil) }, claims, via };
}
