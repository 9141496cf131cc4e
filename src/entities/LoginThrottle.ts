import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Sign-in attempts of one client (the rate limiter's key: the address) in the current window,
 * shared by every instance on the database so that N instances allow the attempts of one
 * (R-SCOPE). Counted by one atomic upsert per attempt (src/features/auth/login-throttle.ts);
 * rows whose window has ended are swept.
 */
@Entity('login_throttle')
@Index('idx_login_throttle_reset', ['resetAt'])
export class LoginThrottle {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  bucket: string;

  @Column({ type: 'int' })
  hits: number;

  /** When the window ends: the next attempt after it starts a new window at 1. */
  @Column({ type: 'datetime', precision: 3 })
  resetAt: Date;
}
