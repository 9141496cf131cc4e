import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A minor finding, or a major hidden hazard (重大隱患), which brings a public criticism notice. */
export const FINDING_SEVERITIES = ['minor', 'major_hazard'] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

/**
 * R-INSPECT (§5.3.2): what the inspector found on a failed checklist item, rated. A project
 * with a major hazard is publicly criticized when the inspection is completed.
 */
@Entity('inspection_finding')
@Index('idx_inspection_finding_inspection', ['inspectionId'])
@Index('idx_inspection_finding_project', ['projectId'])
export class InspectionFinding {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  inspectionId: number;

  @Column({ type: 'int' })
  itemId: number;

  @Column({ type: 'int' })
  projectId: number;

  @Column({ type: 'int', nullable: true })
  departmentId: number | null;

  @Column({ type: 'simple-enum', enum: FINDING_SEVERITIES })
  severity: FindingSeverity;

  @Column({ type: 'text' })
  description: string;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'int' })
  createdById: number;
}
