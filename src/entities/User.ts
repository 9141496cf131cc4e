import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const USER_STATUSES = ['pending_agreement', 'active', 'offboarded'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** The languages a user reads messages in (src/features/notifications/message.ts LANGS). */
export const USER_LANGUAGES = ['zh-Hant', 'en'] as const;
export type UserLanguage = (typeof USER_LANGUAGES)[number];

/** An employee account (R-SCOPE: every employee is a user; nobody reaches customer info without one). */
@Entity('user_account')
export class User {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 64, unique: true })
  username: string;

  @Column({ type: 'varchar', length: 200 })
  displayName: string;

  @Column({ type: 'int', nullable: true })
  departmentId: number | null;

  @Column({ type: 'simple-enum', enum: USER_STATUSES, default: 'pending_agreement' })
  status: UserStatus;

  @Column({ type: 'varchar', length: 100 })
  passwordHash: string;

  /** Bumped to revoke every token of the user at once (R-OFFBOARD, password change, logout). */
  @Column({ type: 'int', default: 0 })
  tokenVersion: number;

  @Column({ type: 'int', default: 0 })
  failedLoginCount: number;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  failedLoginWindowStart: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  lockedUntil: Date | null;

  /** Version of the confidentiality agreement the user signed (R-ONBOARD). */
  @Column({ type: 'varchar', length: 20, nullable: true })
  agreementVersion: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  agreementSignedAt: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  offboardedAt: Date | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  /** Where e-mail notifications go; none = in-app only (issue 13). */
  @Column({ type: 'varchar', length: 254, nullable: true })
  email: string | null;

  /** The language the user's messages are rendered in ('zh-Hant' | 'en'). */
  @Column({ type: 'varchar', length: 10, default: 'zh-Hant' })
  language: UserLanguage;
}
