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
    let payload: jwt.JwtPayload;
    try {
      payload = jwt.verify(token, this.key, { algorithms: ['HS256'], issuer: ISSUER }) as jwt.JwtPayload;
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw new UnauthorizedError('token_expired', 'The access token has expired');
      throw new UnauthorizedError('invalid_token', 'The access token is invalid');
    }
    const userId = Number(payload.sub);
    if (!Number.isInteger(userId) || typeof payload.tv !== 'number' || typeof payload.jti !== 'string') {
      throw new UnauthorizedError('invalid_token', 'The access token is invalid');
    }
    return { userId, tokenVersion: payload.tv, jti: payload.jti };
  }
}
