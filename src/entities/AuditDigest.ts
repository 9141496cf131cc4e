import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The database's record of the signed digests written outside it (R-AUDIT, issue 14 §1). The
 * files (and syslog) are what a verify trusts; this table numbers the digests across instances
 * (the primary key makes each number one digest), makes the interval digest once per interval
 * (periodKey is unique) and keeps each digest's signed part, so a file that could not be written
 * at once is written later from here.
 */
@Entity('audit_digest')
@Index('idx_audit_digest_period', ['periodKey'], { unique: true })
export class AuditDigest {
  @PrimaryColumn({ type: 'int' })
  number: number;

  /** "<minutes>m:<interval index>" for an interval digest; null for one on demand or at shutdown. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  periodKey: string | null;

  @Column({ type: 'varchar', length: 16 })
  reason: string;

  @Column({ type: 'int' })
  fromSeq: number;

  @Column({ type: 'int' })
  toSeq: number;

  @Column({ type: 'varchar', length: 64 })
  headHash: string;

  /** SHA-256 of the signed payload: the next digest's prevDigestHash. */
  @Column({ type: 'varchar', length: 64 })
  digestHash: string;

  @Column({ type: 'varchar', length: 32 })
  keyId: string;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  /**
   * The signed part (format, payload, signature) as JSON. The entry hashes are not kept here: a file
   * written late takes them from audit_event again, and the signed SHA-256 of them tells if they changed.
   */
  @Column({ type: 'text' })
  body: string;

  /** When the file sink took it; null until then (written again by the next round). */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  writtenAt: Date | null;
}
