import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import { UnauthorizedError } from '../../errors';

export interface TokenClaims {
  userId: number;
  tokenVersion: number;
  jti: string;
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
  private readonly verified = new Map<string, TokenClaims & { exp: number }>();

  constructor(
    private readonly key: crypto.KeyObject,
    readonly ttlSeconds: number,
  ) {}

  issue(userId: number, tokenVersion: number): string {
    return jwt.sign({ tv: tokenVersion }, this.key, {
      algorithm: 'HS256',
      expiresIn: this.ttlSeconds,
      subject: String(userId),
      issuer: ISSUER,
      jwtid: crypto.randomUUID(),
    });
  }

  verify(token: string): TokenClaims {
    const hit = this.verified.get(token);
    if (hit) {
      if (hit.exp * 1000 > Date.now()) return { userId: hit.userId, tokenVersion: hit.tokenVersion, jti: hit.jti };
      this.verified.delete(token);
      throw new UnauthorizedError('token_expired', 'The access token has expired');
    }
    const claims = this.verifySignature(token);
    if (this.verified.size >= 10_000) this.verified.clear();
    this.verified.set(token, claims);
    return { userId: claims.userId, tokenVersion: claims.tokenVersion, jti: claims.jti };
  }

  private verifySignature(token: string): TokenClaims & { exp: number } {
    let payload: jwt.JwtPayload;
    try {
      payload = jwt.verify(token, this.key, { algorithms: ['HS256'], issuer: ISSUER }) as jwt.JwtPayload;
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw new UnauthorizedError('token_expired', 'The access token has expired');
      throw new UnauthorizedError('invalid_token', 'The access token is invalid');
    }
    const userId = Number(payload.sub);
    if (!Number.isInteger(userId) || typeof payload.tv !== 'number' || typeof payload.jti !== 'string' || typeof payload.exp !== 'number') {
      throw new UnauthorizedError('invalid_token', 'The access token is invalid');
    }
    return { userId, tokenVersion: payload.tv, jti: payload.jti, exp: payload.exp };
  }
}
