import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Risk levels of a likelihood × impact score (bands in src/features/assessments/risk-level.ts). */
export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** One risk the department head found in a monthly assessment (R-RISK-MONTHLY): likelihood 1–5 × impact 1–5. */
@Entity('risk_item')
@Index('idx_risk_item_assessment', ['assessmentId'])
export class RiskItem {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  assessmentId: number;

  @Column({ type: 'varchar', length: 1000 })
  description: string;

  @Column({ type: 'int' })
  likelihood: number;

  @Column({ type: 'int' })
  impact: number;

  /** likelihood × impact (1–25). */
  @Column({ type: 'int' })
  score: number;

  @Column({ type: 'simple-enum', enum: RISK_LEVELS })
  level: RiskLevel;

  @Column({ type: 'int' })
  createdById: number;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3 })
  updatedAt: Date;
}
