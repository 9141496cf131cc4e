import type { Config } from '../../config/env';
import { AuditActor, AuditWriter } from '../../audit/audit-writer';
import { Database, forUpdate } from '../../db/database';
import { User } from '../../entities/User';
import { UnauthorizedError } from '../../errors';
import { checkPassword, dummyCompare, hashPassword } from '../../crypto/passwords';
import { TokenService } from './tokens';

export const LOCK_THRESHOLD = 5;
export const LOCK_WINDOW_MS = 15 * 60 * 1000;
export const LOCK_DURATION_MS = 15 * 60 * 1000;

export interface LoginResult {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/** Same answer for an unknown user, a wrong password, a locked or closed account: nothing to enumerate. */
const invalid = () => new UnauthorizedError('invalid_credentials', 'Invalid username or password');

export class AuthService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly tokens: TokenService,
    private readonly config: Config,
  ) {}

  async login(username: string, password: string, meta: AuditActor): Promise<LoginResult> {
    const user = await this.signIn(username, password, meta);
    return { accessToken: this.tokens.issue(user.id, user.tokenVersion), tokenType: 'Bearer' as const, expiresIn: this.tokens.ttlSeconds };
  }

  /**
   * Checks the credentials (with the lockout) and records the sign-in; the caller issues the bearer
   * token or the console's session cookie.
   */
  async signIn(username: string, password: string, meta: AuditActor): Promise<User> {
    const user = await this.db.manager.getRepository(User).findOneBy({ username });
    if (!user || user.status === 'offboarded') {
      await dummyCompare(password, this.config.bcryptRounds);
      await this.db.tx((m) => this.audit.append(m, meta, { action: 'auth.login_failed', reason: 'unknown or closed account' }));
      throw invalid();
    }
    const actor: AuditActor = { ...meta, id: user.id, username: user.username };
    const now = new Date();
    if (user.lockedUntil && user.lockedUntil > now) {
      await dummyCompare(password, this.config.bcryptRounds);
      await this.db.tx((m) =>
        this.audit.append(m, actor, { action: 'auth.login_refused', objectType: 'user', objectId: user.id, reason: 'account locked' }),
      );
      throw invalid();
    }
    const ok = await checkPassword(password, user.passwordHash);
    if (!ok) {
      await this.recordFailure(user.id, actor, now);
      throw invalid();
    }
    await this.db.tx(async (m) => {
      await m.getRepository(User).update({ id: user.id }, { failedLoginCount: 0, failedLoginWindowStart: null, lockedUntil: null });
      await this.audit.append(m, actor, { action: 'auth.login', objectType: 'user', objectId: user.id });
    });
    return user;
  }

  /** Five failures within 15 minutes lock the account for 15 minutes; the lock is an audit event. */
  private async recordFailure(userId: number, actor: AuditActor, now: Date): Promise<void> {
    await this.db.tx(async (m) => {
      const repo = m.getRepository(User);
      const u = await repo.findOneOrFail({ where: { id: userId }, ...forUpdate(this.db.mysql) });
      const windowOpen = u.failedLoginWindowStart && now.getTime() - u.failedLoginWindowStart.getTime() < LOCK_WINDOW_MS;
      const count = windowOpen ? u.failedLoginCount + 1 : 1;
      if (count >= LOCK_THRESHOLD) {
        const lockedUntil = new Date(now.getTime() + LOCK_DURATION_MS);
        await repo.update({ id: userId }, { failedLoginCount: 0, failedLoginWindowStart: null, lockedUntil });
        await this.audit.append(m, actor, {
          action: 'auth.locked',
          objectType: 'user',
          objectId: userId,
          reason: `${count} failed logins within 15 minutes`,
          after: { lockedUntil },
        });
      } else {
        await repo.update({ id: userId }, { failedLoginCount: count, failedLoginWindowStart: windowOpen ? u.failedLoginWindowStart : now });
        await this.audit.append(m, actor, { action: 'auth.login_failed', objectType: 'user', objectId: userId, reason: 'wrong password' });
      }
    });
  }

  /** Revokes every token of the user (token version bump). */
  async logout(actor: AuditActor & { id: number }): Promise<void> {
    await this.db.tx(async (m) => {
      await m.getRepository(User).increment({ id: actor.id }, 'tokenVersion', 1);
      await this.audit.append(m, actor, { action: 'auth.logout', objectType: 'user', objectId: actor.id });
    });
  }

  async changePassword(actor: AuditActor & { id: number }, current: string, next: string): Promise<void> {
    const user = await this.db.manager.getRepository(User).findOneByOrFail({ id: actor.id });
    if (!(await checkPassword(current, user.passwordHash))) {
      throw new UnauthorizedError('invalid_credentials', 'The current password is wrong');
    }
    const passwordHash = await hashPassword(next, this.config.bcryptRounds);
    await this.db.tx(async (m) => {
      await m.getRepository(User).update({ id: actor.id }, { passwordHash, tokenVersion: user.tokenVersion + 1 });
      await this.audit.append(m, actor, { action: 'auth.password_changed', objectType: 'user', objectId: actor.id });
    });
  }
}
