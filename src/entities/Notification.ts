import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One message in a user's inbox, written by the change or job step that causes it (in its
 * transaction): its subject, body and link are rendered at write time from the kind's catalogue
 * entry (src/features/notifications/kinds/) in the recipient's language. The dedupe key makes a
 * second write of the same message a no-op. Each channel that carries it further (e-mail, group
 * robots) has its own notification_delivery row.
 */
@Entity('notification')
@Index('idx_notification_recipient', ['recipientId', 'createdAt'])
@Index('idx_notification_unread', ['recipientId', 'readAt'])
@Index('idx_notification_undelivered', ['deliveredAt'])
// Settling the messages of one record (NotificationOutbox.settle).
@Index('idx_notification_object', ['objectType', 'objectId'])
export class Notification {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  recipientId: number;

  /** What kind of message, e.g. print_request.pending, copy.overdue, case.chase. */
  @Column({ type: 'varchar', length: 60 })
  kind: string;

  @Column({ type: 'varchar', length: 300 })
  subject: string;

  @Column({ type: 'text' })
  body: string;

  /** JSON of the kind's MessageParams (identifiers only): channels render from kind + params. */
  @Column({ type: 'text', nullable: true })
  params: string | null;

  /** The console page of the record, relative (e.g. `/copies/CC-2612-00001`). */
  @Column({ type: 'varchar', length: 300, nullable: true })
  link: string | null;

  /** Asks the recipient to act (approve, witness, confirm). */
  @Column({ type: 'boolean', default: false })
  action: boolean;

  @Column({ type: 'varchar', length: 60, nullable: true })
  objectType: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  objectId: string | null;

  /** The scope of the event ('project:<code>' | 'dept:<code>'), for group robots. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  scope: string | null;

  @Column({ type: 'varchar', length: 200, unique: true })
  dedupeKey: string;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  /** When the recipient marked it read in the inbox; null = unread. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  readAt: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  deliveredAt: Date | null;
}
