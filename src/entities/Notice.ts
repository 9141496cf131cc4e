import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** 通報批評 (public criticism, R-INSPECT), or a general announcement of the quality department. */
export const NOTICE_KINDS = ['public_criticism', 'announcement'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/**
 * R-INSPECT (§5.3.2): a notice published to the whole company. A project with a major hidden
 * hazard is publicly criticized (通報批評) when its inspection is completed; the notice is kept
 * and shown in the project's history.
 */
@Entity('notice')
@Index('idx_notice_project', ['projectId', 'publishedAt'])
@Index('idx_notice_published', ['publishedAt'])
@Index('uq_notice_source', ['sourceKey'], { unique: true })
export class Notice {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'simple-enum', enum: NOTICE_KINDS })
  kind: NoticeKind;

  @Column({ type: 'int', nullable: true })
  projectId: number | null;

  @Column({ type: 'int', nullable: true })
  departmentId: number | null;

  @Column({ type: 'int', nullable: true })
  inspectionId: number | null;

  @Column({ type: 'varchar', length: 300 })
  title: string;

  @Column({ type: 'text' })
  body: string;

  @Column({ type: 'datetime', precision: 3 })
  publishedAt: Date;

  @Column({ type: 'int' })
  publishedById: number;

  /**
   * What published it automatically, e.g. `inspection:42`: unique, so an inspection's criticism
   * exists at most once however often completion is attempted. Null for a manual notice.
   */
  @Column({ type: 'varchar', length: 80, nullable: true })
  sourceKey: string | null;
}
