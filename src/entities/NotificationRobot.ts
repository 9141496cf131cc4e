import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const ROBOT_PLATFORMS = ['wecom', 'dingtalk', 'feishu'] as const;
export type RobotPlatform = (typeof ROBOT_PLATFORMS)[number];

/**
 * A work-chat group robot (WeCom, DingTalk, Feishu) of a department or project, configured by
 * the IT admin: it gets one message per event of its scope (a department's robot also those of
 * the department's projects). The webhook URL holds the robot's access token and the secret
 * signs requests: both are stored encrypted with the FieldCipher and never returned whole.
 */
@Entity('notification_robot')
@Index('idx_notification_robot_scope', ['scope', 'enabled'])
export class NotificationRobot {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 10 })
  platform: RobotPlatform;

  /** 'dept:<code>' | 'project:<code>' */
  @Column({ type: 'varchar', length: 100 })
  scope: string;

  /** Encrypted (FieldCipher). */
  @Column({ type: 'text' })
  webhookUrl: string;

  /** Encrypted (FieldCipher): DingTalk/Feishu signing secret. */
  @Column({ type: 'text', nullable: true })
  secret: string | null;

  /** JSON array of kinds; null = every kind. */
  @Column({ type: 'text', nullable: true })
  kinds: string | null;

  @Column({ type: 'varchar', length: 10, default: 'zh-Hant' })
  language: string;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
