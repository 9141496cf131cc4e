import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import { UnauthorizedError } from '../../errors';

export interface TokenClaims {
  userId: number;
  tokenVersion: number;
  jti: string;
  /** Seconds since the epoch when this token was issued, and when it expires. */
  issuedAt: number;
  expiresAt: number;
  /** Browser sessions only: when the session began (seconds since the epoch), for its longest life. */
  sessionStart?: number;
}

const ISSUER = 'custodian';

/**
 * Access tokens: HS256 JWTs signed with a KeyObject, algorithm pinned on verify (so `alg: none`
 * and RS/HS confusion are refused), with expiry, a jti and the user's token version. Bumping
 * the version in the database revokes every token of the user on the next request (R-OFFBOARD).
 */
export class TokenService {
  /**
   * Tokens already verified, by their exact text (signature included, so a different or forged
   * token never hits): skips re-checking the HMAC on every request. Expiry is checked on every
   * use; revocation is not affected (the user row is still read per request).
   */
  private readonly verified = new Map<string, TokenClaims>();

  constructor(
    private readonly key: crypto.KeyObject,
    readonly ttlSeconds: number,
  ) {}

  /**
   * A bearer token (ttlSeconds), or with `session` a browser session's token: it lives for the idle
   * timeout and is re-issued as requests come, never past the session's start + its longest life.
   */
  issue(userId: number, tokenVersion: number, session?: { start: number; expiresIn: number }): string {
    return jwt.sign(session ? { tv: tokenVersion, ss: session.start } : { tv: tokenVersion }, this.key, {
      algorithm: 'HS256',
      expiresIn: session ? session.expiresIn : this.ttlSeconds,
      subject: String(userId),
      issuer: ISSUER,
      jwtid: crypto.randomUUID(),
    });
  }

  verify(token: string): TokenClaims {
    const hit = this.verified.get(token);
    if (hit) {
      if (hit.expiresAt * 1000 > Date.now()) return hit;
      this.verified.delete(token);
      throw new UnauthorizedError('token_expired', 'The access token has expired');
    }
    const claims = this.verifySignature(token);
    if (this.verified.size >= 10_000) this.verified.clear();
    this.verified.set(token, claims);
    return claims;
  }

  private verifySignature(token: string): TokenClaims {
    let payload: jwt.JwtPayload;
    try {
      payload = jwt.verify(token, this.key, { algorithms: ['HS256'], issuer: ISSUER }) as jwt.JwtPayload;
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw new UnauthorizedError('token_expired', 'The access token has expired');
      throw new UnauthorizedError('invalid_token', 'The access token is invalid');
    }
    const userId = Number(payload.sub);
    const badSession = payload.ss !== undefined && typeof payload.ss !== 'number';
    if (!Number.isInteger(userId) || typeof payload.tv !== 'number' || typeof payload.jti !== 'string' || typeof payload.exp !== 'number' || typeof payload.iat !== 'number' || badSession) {
      throw new UnauthorizedError('invalid_token', 'The access token is invalid');
    }
    const claims = { userId, tokenVersion: payload.tv, jti: payload.jti, expiresAt: payload.exp, issuedAt: payload.iat };
    return payload.ss === undefined ? claims : { ...claims, sessionStart: payload.ss as number };
  }
}
