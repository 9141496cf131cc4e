import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const DELIVERY_CHANNELS = ['email', 'wecom', 'dingtalk', 'feishu'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];
export const DELIVERY_STATUSES = ['pending', 'sent', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One notification on its way through one channel to one target (an e-mail address, or
 * `robot:<id>`), written in the transaction that wrote the notification. The delivery worker
 * claims due rows (claimToken/claimedUntil), so each is sent once across instances, and retries
 * with backoff until sent or dead-lettered. The dedupe key makes a robot's copy of one event
 * (several recipients, one group) a single row.
 */
@Entity('notification_delivery')
@Index('uq_notification_delivery_key', ['dedupeKey'], { unique: true })
@Index('idx_notification_delivery_due', ['status', 'nextAttemptAt'])
@Index('idx_notification_delivery_notification', ['notificationId'])
export class NotificationDelivery {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  notificationId: number;

  @Column({ type: 'varchar', length: 12 })
  channel: DeliveryChannel;

  /** An e-mail address, or `robot:<id>`. */
  @Column({ type: 'varchar', length: 254 })
  target: string;

  /** Waits for the recipient's daily digest instead of going out at once. */
  @Column({ type: 'boolean', default: false })
  digest: boolean;

  @Column({ type: 'varchar', length: 250 })
  dedupeKey: string;

  @Column({ type: 'varchar', length: 12 })
  status: DeliveryStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'datetime', precision: 3 })
  nextAttemptAt: Date;

  @Column({ type: 'varchar', length: 40, nullable: true })
  claimToken: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  claimedUntil: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  sentAt: Date | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
