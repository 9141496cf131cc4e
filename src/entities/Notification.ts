import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One message in the notification outbox: reminders written by the daily jobs (overdue copies,
 * handover files past their deadline, rectifications and cases past due) for later channels
 * (mail, SMS, WeCom) to deliver. A job may run again for the same day: the dedupe key makes a
 * second write of the same reminder a no-op.
 */
@Entity('notification')
@Index('idx_notification_recipient', ['recipientId', 'createdAt'])
@Index('idx_notification_undelivered', ['deliveredAt'])
export class Notification {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  recipientId: number;

  /** What kind of reminder, e.g. copy.overdue, handover.destruction_overdue, case.chase. */
  @Column({ type: 'varchar', length: 60 })
  kind: string;

  @Column({ type: 'varchar', length: 300 })
  subject: string;

  @Column({ type: 'text' })
  body: string;

  @Column({ type: 'varchar', length: 60, nullable: true })
  objectType: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  objectId: string | null;

  @Column({ type: 'varchar', length: 200, unique: true })
  dedupeKey: string;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  deliveredAt: Date | null;
}
