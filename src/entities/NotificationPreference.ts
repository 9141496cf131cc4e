import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const NOTIFICATION_MODES = ['inapp', 'email', 'digest'] as const;
export type NotificationMode = (typeof NOTIFICATION_MODES)[number];

/**
 * How a user receives one kind of message: in-app only, e-mail at once, or in the daily digest.
 * No row = 'email'. A kind that asks the user to act allows only 'email' or 'digest' (its e-mail
 * cannot be turned off); every message is in the inbox whatever the mode.
 */
@Entity('notification_preference')
@Index('uq_notification_preference', ['userId', 'kind'], { unique: true })
export class NotificationPreference {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  userId: number;

  @Column({ type: 'varchar', length: 60 })
  kind: string;

  @Column({ type: 'varchar', length: 10 })
  mode: NotificationMode;
}
